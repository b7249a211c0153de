#include "importer/constant_values.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "importer/onnx_graph.h"
#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

using onnx::TensorProto;
using Value = ConstantValue;

// Folded outputs larger than this stay nodes (for the translation to refuse):
// a hostile ConstantOfShape or Gather must not allocate without bound.
constexpr int64_t kMaxOutputValues = int64_t{1} << 24;

int64_t volume(const std::vector<int64_t>& dims) {
  int64_t v = 1;
  for (int64_t d : dims) v = checked_product(v, d, "a folded constant");
  return v;
}

// An axis in [-rank, rank) made non-negative.
int64_t axis_of(const onnx::NodeProto& n, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    throw ImportError(Graph::describe(n) + fmt::format(": axis {} is outside rank {}", axis, rank));
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> as_ints(const Value& v) {
  std::vector<int64_t> out;
  for (double d : v.data) out.push_back(to_int64(d, "a folded shape or index"));
  return out;
}

// The value converted as ONNX Cast does for the types shapes and weights use.
double cast(double x, int to) {
  switch (to) {
    case TensorProto::FLOAT: return static_cast<float>(x);
    case TensorProto::DOUBLE: return x;
    case TensorProto::BOOL: return x != 0;
    default: return std::trunc(x);  // integer types: toward zero
  }
}

std::optional<Value> gather(const onnx::NodeProto& n, const Value& data, const Value& idx) {
  const int64_t rank = static_cast<int64_t>(data.dims.size());
  if (rank == 0) return std::nullopt;
  const int64_t axis = axis_of(n, Graph::int_attr(n, "axis", 0), rank);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= data.dims[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= data.dims[d];
  const int64_t extent = data.dims[axis];
  if (checked_product(outer * inner, static_cast<int64_t>(idx.data.size()), Graph::describe(n)) > kMaxOutputValues)
    return std::nullopt;
  Value out{data.type, {}, {}};
  out.dims.assign(data.dims.begin(), data.dims.begin() + axis);
  out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
  out.dims.insert(out.dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : as_ints(idx)) {
      if (k < -extent || k >= extent)
        throw ImportError(Graph::describe(n) + fmt::format(": index {} is outside 0..{}", k, extent - 1));
      if (k < 0) k += extent;
      for (int64_t i = 0; i < inner; ++i) out.data.push_back(data.data[(o * extent + k) * inner + i]);
    }
  return out;
}

std::optional<Value> concat(const onnx::NodeProto& n, const std::vector<std::optional<Value>>& in) {
  const Value& first = *in[0];
  const int64_t rank = static_cast<int64_t>(first.dims.size());
  if (rank == 0) return std::nullopt;
  const int64_t axis = axis_of(n, Graph::int_attr(n, "axis", 0), rank);
  Value out{first.type, first.dims, {}};
  out.dims[axis] = 0;
  for (const auto& v : in) {
    if (static_cast<int64_t>(v->dims.size()) != rank) throw ImportError(Graph::describe(n) + ": inputs of different rank");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && v->dims[d] != first.dims[d]) throw ImportError(Graph::describe(n) + ": input shapes differ off the axis");
    out.dims[axis] += v->dims[axis];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= first.dims[d];
  for (int64_t o = 0; o < outer; ++o)
    for (const auto& v : in) {
      const int64_t chunk = static_cast<int64_t>(v->data.size()) / std::max<int64_t>(outer, 1);
      out.data.insert(out.data.end(), v->data.begin() + o * chunk, v->data.begin() + (o + 1) * chunk);
    }
  return out;
}

// Unsqueeze and Squeeze: the axes from input 1 (opset 13 on) or the attribute.
std::vector<int64_t> axes(const onnx::NodeProto& n, const std::vector<std::optional<Value>>& in, int opset) {
  if (opset >= 13) return in.size() > 1 && in[1] ? as_ints(*in[1]) : std::vector<int64_t>{};
  return Graph::ints_attr(n, "axes");
}

std::optional<Value> unsqueeze(const onnx::NodeProto& n, const Value& x, std::vector<int64_t> ax) {
  const int64_t rank = static_cast<int64_t>(x.dims.size() + ax.size());
  for (int64_t& a : ax) a = axis_of(n, a, rank);
  Value out{x.type, {}, x.data};
  std::size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::find(ax.begin(), ax.end(), d) != ax.end()) out.dims.push_back(1);
    else if (next < x.dims.size()) out.dims.push_back(x.dims[next++]);
    else throw ImportError(Graph::describe(n) + ": repeated axes");
  }
  return out;
}

std::optional<Value> squeeze(const onnx::NodeProto& n, const Value& x, std::vector<int64_t> ax) {
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  for (int64_t& a : ax) a = axis_of(n, a, rank);
  Value out{x.type, {}, x.data};
  for (int64_t d = 0; d < rank; ++d) {
    const bool listed = ax.empty() ? x.dims[d] == 1 : std::find(ax.begin(), ax.end(), d) != ax.end();
    if (listed && x.dims[d] != 1) throw ImportError(Graph::describe(n) + fmt::format(": axis {} has size {}, not 1", d, x.dims[d]));
    if (!listed) out.dims.push_back(x.dims[d]);
  }
  return out;
}

std::optional<Value> reshape(const onnx::NodeProto& n, const Value& x, const Value& shape) {
  std::vector<int64_t> dims = as_ints(shape);
  int64_t known = 1, unknown = -1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 0 && Graph::int_attr(n, "allowzero", 0) == 0) {
      if (d >= x.dims.size()) throw ImportError(Graph::describe(n) + ": a 0 in the shape past the input's rank");
      dims[d] = x.dims[d];
    }
    if (dims[d] == -1) {
      if (unknown >= 0) throw ImportError(Graph::describe(n) + ": more than one -1 in the shape");
      unknown = static_cast<int64_t>(d);
    } else if (dims[d] < 0) {
      throw ImportError(Graph::describe(n) + fmt::format(": dimension {} in the shape", dims[d]));
    } else {
      known = checked_product(known, dims[d], Graph::describe(n));
    }
  }
  const int64_t count = static_cast<int64_t>(x.data.size());
  if (unknown >= 0) dims[unknown] = known == 0 ? 0 : count / known;
  if (volume(dims) != count)
    throw ImportError(Graph::describe(n) + fmt::format(": cannot reshape {} values to [{}]", count, fmt::join(dims, ", ")));
  return Value{x.type, dims, x.data};
}

// Slice of a 1-D constant (what shape subgraphs slice); other ranks stay nodes.
std::optional<Value> slice(const Value& x, const std::vector<std::optional<Value>>& in) {
  if (x.dims.size() != 1 || in.size() < 3 || !in[1] || !in[2]) return std::nullopt;
  if (in.size() > 3 && in[3] && !(in[3]->data.size() == 1 && (in[3]->data[0] == 0 || in[3]->data[0] == -1)))
    return std::nullopt;
  const int64_t len = x.dims[0];
  if (in.size() > 4 && in[4] && !(in[4]->data.size() == 1 && in[4]->data[0] == 1)) return std::nullopt;  // step 1 only
  if (in[1]->data.size() != 1 || in[2]->data.size() != 1) return std::nullopt;
  if (std::isnan(in[1]->data[0]) || std::isnan(in[2]->data[0])) return std::nullopt;
  const auto clamp = [len](double v) {
    int64_t i = v >= 9e18 ? len : v <= -9e18 ? 0 : static_cast<int64_t>(v);
    if (i < 0) i += len;
    return std::max<int64_t>(0, std::min(i, len));
  };
  const int64_t b = clamp(in[1]->data[0]), e = clamp(in[2]->data[0]);
  Value out{x.type, {std::max<int64_t>(0, e - b)}, {}};
  if (e > b) out.data.assign(x.data.begin() + b, x.data.begin() + e);
  return out;
}

// Add, Sub, Mul, Div of equal shapes or with a one-value operand.
std::optional<Value> arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.data.size() != b.data.size() && a.data.size() != 1 && b.data.size() != 1) return std::nullopt;
  const bool integer = is_integer_type(a.type);
  Value out = a.data.size() >= b.data.size() ? Value{a.type, a.dims, {}} : Value{a.type, b.dims, {}};
  const std::size_t count = std::max(a.data.size(), b.data.size());
  for (std::size_t i = 0; i < count; ++i) {
    const double x = a.data[a.data.size() == 1 ? 0 : i], y = b.data[b.data.size() == 1 ? 0 : i];
    double r = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : 0;
    if (op == "Div") {
      if (integer && y == 0) return std::nullopt;
      r = integer ? std::trunc(x / y) : x / y;
    }
    out.data.push_back(integer ? r : cast(r, a.type));
  }
  return out;
}

}  // namespace

ConstantValue read_constant(const TensorProto& t, const std::string& what) {
  return {t.data_type(), {t.dims().begin(), t.dims().end()}, tensor_values(t, what)};
}

std::optional<TensorProto> write_constant(const ConstantValue& v, const std::string& name) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(v.type);
  for (int64_t d : v.dims) t.add_dims(d);
  switch (v.type) {
    case TensorProto::FLOAT:
      for (double x : v.data) t.add_float_data(static_cast<float>(x));
      break;
    case TensorProto::DOUBLE:
      for (double x : v.data) t.add_double_data(x);
      break;
    case TensorProto::INT64:
      for (double x : v.data) t.add_int64_data(to_int64(x, "folded constant '" + name + "'"));
      break;
    case TensorProto::INT32:
    case TensorProto::INT16:
    case TensorProto::INT8:
    case TensorProto::UINT16:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      for (double x : v.data) {
        const int64_t i = to_int64(x, "folded constant '" + name + "'");
        if (i < INT32_MIN || i > INT32_MAX) return std::nullopt;  // the node stays, for the translation to judge
        t.add_int32_data(static_cast<int32_t>(i));
      }
      break;
    default: return std::nullopt;
  }
  return t;
}

std::optional<ConstantValue> evaluate(const onnx::NodeProto& n, const std::vector<std::optional<ConstantValue>>& in,
                                      int opset) {
  const std::string& op = n.op_type();
  if (in.empty() || !in[0]) return std::nullopt;
  const Value& x = *in[0];
  if (op == "Identity") return x;
  if (op == "Cast") {
    Value out{static_cast<int>(Graph::int_attr(n, "to", TensorProto::FLOAT)), x.dims, {}};
    for (double v : x.data) out.data.push_back(cast(v, out.type));
    return out;
  }
  if (op == "ConstantOfShape") {
    Value out{TensorProto::FLOAT, as_ints(x), {}};
    double fill = 0;
    for (const auto& a : n.attribute())
      if (a.name() == "value") {
        const Value v = read_constant(a.t(), Graph::describe(n) + ": value");
        if (v.data.size() != 1) throw ImportError(Graph::describe(n) + ": value must hold one element");
        out.type = v.type;
        fill = v.data[0];
      }
    const int64_t count = volume(out.dims);
    if (count > kMaxOutputValues) return std::nullopt;
    out.data.assign(static_cast<std::size_t>(count), fill);
    return out;
  }
  if (op == "Unsqueeze") return unsqueeze(n, x, axes(n, in, opset));
  if (op == "Squeeze") return squeeze(n, x, axes(n, in, opset));
  if (op == "Slice") return slice(x, in);
  for (const auto& v : in)
    if (!v) return std::nullopt;  // the rest need every input
  if (op == "Gather" && in.size() == 2) return gather(n, x, *in[1]);
  if (op == "Concat") return concat(n, in);
  if (op == "Reshape" && in.size() == 2) return reshape(n, x, *in[1]);
  if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div") && in.size() == 2) return arithmetic(op, x, *in[1]);
  return std::nullopt;
}

}  // namespace qnnsim::onnx_import
