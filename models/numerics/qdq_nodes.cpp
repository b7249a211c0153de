#include "numerics/qdq_nodes.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "importer/tensor_values.h"
#include "numerics/eval_error.h"

namespace qnnsim::numerics {

namespace {

using onnx_import::Graph;
using onnx_import::QdqParams;

// The slice of flat index i along `axis` of `dims` (0 for per-tensor parameters).
std::size_t slice_of(int64_t i, const std::vector<int64_t>& dims, const QdqParams& p) {
  if (!p.per_channel()) return 0;
  const int64_t rank = int64_t(dims.size());
  const int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d) inner *= dims[std::size_t(d)];
  return std::size_t((i / inner) % dims[std::size_t(axis)]);
}

bool is_signed(const QdqParams& p) { return p.type_min < 0; }
int type_bits(const QdqParams& p) { return p.type_max > 65535 ? 32 : p.type_max > 255 ? 16 : 8; }

// log2(n) where n is a power of two from 2^lowest to 2^16; 0 otherwise.
int exact_log2(int64_t n, int lowest) {
  for (int b = lowest; b <= 16; ++b)
    if (n == int64_t{1} << b) return b;
  return 0;
}

}  // namespace

QdqNodes::QdqNodes(const Graph& g, const std::string& path) : g_(g), path_(path) {
  for (const onnx::NodeProto& n : g.graph().node())
    for (const std::string& in : n.input()) readers_[in].push_back(n.op_type());
}

void QdqNodes::fail(const std::string& node, const std::string& why) const {
  throw EvalError(path_ + ": " + node + ": " + why);
}

const QdqConstant* QdqNodes::constant(const std::string& name) const {
  const auto it = constants_.find(name);
  return it == constants_.end() ? nullptr : &it->second;
}

GivenActivation QdqNodes::activation_codes(const QdqParams& p, const Clip* clip) const {
  GivenActivation a;
  a.node = p.node;
  a.scale = p.scale[0];
  const int64_t zp = p.zero_point[0];
  // Without a Clip the codes span the whole type. A signed type with zero
  // point 0 is symmetric; qnnsim's symmetric codes leave out the type's most
  // negative code (-128 of int8), as quant_params.h says.
  if (!clip && is_signed(p) && zp == 0) {
    a.bits = type_bits(p);
    a.symmetric = true;
    return a;
  }
  int64_t lo = p.type_min, hi = p.type_max;
  if (clip) {
    // The codes the Clip's bounds quantize to, as QuantizeLinear rounds them.
    const auto code = [&](double v) {
      const double c = std::nearbyint(v / a.scale) + double(zp);
      return int64_t(std::clamp(c, double(p.type_min), double(p.type_max)));
    };
    lo = std::isfinite(clip->lo) ? code(clip->lo) : p.type_min;
    hi = std::isfinite(clip->hi) ? code(clip->hi) : p.type_max;
  }
  // Symmetric b-bit codes reach 2^(b-1) - 1: 1 at 2 bits (-1 .. 1).
  if (is_signed(p) && zp == 0 && lo == -hi && exact_log2(hi + 1, 1) > 0) {
    a.bits = exact_log2(hi + 1, 1) + 1;
    a.symmetric = true;
    return a;
  }
  a.bits = exact_log2(hi - lo + 1, 2);
  if (a.bits == 0)
    fail(clip ? clip->node : p.node,
         fmt::format("the codes {} .. {} that reach {} are no width's: expected 0 .. 2^b - 1 (asymmetric) or "
                     "-(2^(b-1) - 1) .. 2^(b-1) - 1 (symmetric, zero point 0), b from 2 to 16",
                     lo, hi, p.node));
  // Asymmetric codes are counted from the lowest: a signed type's are shifted.
  a.zero = int32_t(zp - lo);
  if (a.zero < 0 || a.zero > (int32_t{1} << a.bits) - 1)
    fail(p.node, fmt::format("zero point {} lies outside the codes {} .. {} it quantizes to; real 0 must be a code",
                             zp, lo, hi));
  return a;
}

int QdqNodes::weight_bits(const std::string& name, const QdqParams& p) const {
  const std::string key = "qnnsim.weight_bits." + name;
  for (const auto& m : g_.model().metadata_props()) {
    if (m.key() != key) continue;
    int bits = 0;
    try {
      bits = std::stoi(m.value());
    } catch (const std::exception&) {
    }
    if (bits < 2 || bits > type_bits(p))
      fail(p.node, fmt::format("metadata {} = '{}': expected a width from 2 to {}", key, m.value(), type_bits(p)));
    return bits;
  }
  return type_bits(p);
}

bool QdqNodes::node(const onnx::NodeProto& n, std::map<std::string, int>& tensors, Network& net) {
  const std::string& op = n.op_type();
  const bool cast_of_codes = op == "Cast" && n.input_size() > 0 && quantized_.count(n.input(0));
  if (op != "QuantizeLinear" && op != "DequantizeLinear" && op != "Clip" && !cast_of_codes) return false;
  const std::string where = Graph::describe(n);
  if (n.input_size() < 1 || n.output_size() < 1) fail(where, "expected an input and an output");
  const std::string& x = n.input(0);
  const std::string& out = n.output(0);

  // PyTorch's export casts the codes to their own type between the pair.
  if (cast_of_codes) {
    const Quantized& q = quantized_.at(x);
    const int64_t to = Graph::int_attr(n, "to", 0);
    if (to != q.params.data_type)
      fail(where, fmt::format("casts the codes of {} (ONNX data type {}) to data type {}; only a cast to their own "
                              "type is read",
                              q.params.node, q.params.data_type, to));
    quantized_[out] = q;
    return true;
  }

  if (op == "Clip") {
    const auto t = tensors.find(x);
    if (t == tensors.end()) fail(where, "input '" + x + "' is not computed from the network input");
    const auto& readers = readers_[out];
    if (readers.empty() || std::any_of(readers.begin(), readers.end(), [](const std::string& r) { return r != "QuantizeLinear"; }))
      fail(where, "evaluation reads a Clip only right before a QuantizeLinear, where it narrows the codes");
    Clip c{t->second, -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), where};
    const auto bound = [&](int i, const char* attr, double* v) {
      if (n.input_size() > i && !n.input(i).empty()) {
        const onnx::TensorProto* b = g_.initializer(n.input(i));
        if (!b) fail(where, std::string("the ") + attr + " bound must be a constant");
        const std::vector<double> vals = onnx_import::tensor_values(*b, where + ": " + attr);
        if (vals.size() != 1) fail(where, std::string("the ") + attr + " bound must be one value");
        *v = vals[0];
      }
      for (const auto& a : n.attribute())
        if (a.name() == attr) *v = a.f();  // opset 6's attributes
    };
    bound(1, "min", &c.lo);
    bound(2, "max", &c.hi);
    if (!(c.lo < c.hi)) fail(where, fmt::format("min {} must be below max {}", c.lo, c.hi));
    clips_[out] = c;
    return true;
  }

  const QdqParams p = onnx_import::qdq_params(g_, n);
  if (op == "QuantizeLinear") {
    Quantized q;
    q.params = p;
    const auto clip = clips_.find(x);
    const auto t = tensors.find(x);
    if (clip != clips_.end() || t != tensors.end()) {
      if (p.per_channel()) fail(where, "per-channel scales on an activation are not supported (expected one scale)");
      q.tensor = clip != clips_.end() ? clip->second.tensor : t->second;
      q.given = activation_codes(p, clip != clips_.end() ? &clip->second : nullptr);
      q.given.node = where;
    } else {
      // Float weights quantized in the graph (PyTorch's fake-quantization export).
      std::vector<double> values;
      std::vector<int64_t> dims;
      if (const QdqConstant* c = constant(x)) {
        values = c->values, dims = c->dims;
      } else if (const onnx::TensorProto* init = g_.initializer(x)) {
        values = onnx_import::tensor_values(*init, "initializer '" + x + "'");
        dims.assign(init->dims().begin(), init->dims().end());
      } else {
        fail(where, "input '" + x + "' is neither computed from the network input nor a constant");
      }
      onnx_import::check_qdq_axis(p, dims);
      q.constant.dims = dims;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const std::size_t s = slice_of(int64_t(i), dims, p);
        if (!std::isfinite(values[i])) fail(where, "a weight is not finite");
        const double c = std::nearbyint(values[i] / p.scale[s]) + double(p.zero_point[s]);
        q.constant.codes.push_back(int64_t(std::clamp(c, double(p.type_min), double(p.type_max))));
      }
    }
    quantized_[out] = std::move(q);
    return true;
  }

  // DequantizeLinear
  const auto q = quantized_.find(x);
  if (q != quantized_.end()) {
    if (!(p == q->second.params))
      fail(where, "its scale and zero point differ from those of " + q->second.params.node + ", whose codes it reads");
    if (q->second.tensor >= 0) {
      const int t = q->second.tensor;
      tensors[out] = t;
      const auto known = net.given.find(t);
      if (known != net.given.end() && !known->second.same_as(q->second.given))
        fail(where, fmt::format("'{}' is quantized by {} (scale {}, zero point {}, {} bits) and by {} (scale {}, zero "
                                "point {}, {} bits); one tensor is stored one way",
                                net.tensor_names[std::size_t(t)], known->second.node, known->second.scale,
                                known->second.zero, known->second.bits, q->second.given.node, q->second.given.scale,
                                q->second.given.zero, q->second.given.bits));
      net.given[t] = q->second.given;
      return true;
    }
    QdqConstant c = q->second.constant;
    c.params = p;
    constants_[out] = std::move(c);
  } else if (const onnx::TensorProto* init = g_.initializer(x)) {
    if (!onnx_import::is_integer_type(init->data_type()))
      fail(where, "input '" + x + "' must hold integer codes");
    QdqConstant c;
    c.dims.assign(init->dims().begin(), init->dims().end());
    onnx_import::check_qdq_axis(p, c.dims);
    for (const double v : onnx_import::tensor_values(*init, "initializer '" + x + "'")) c.codes.push_back(int64_t(v));
    c.params = p;
    constants_[out] = std::move(c);
  } else if (tensors.count(x)) {
    fail(where, "input '" + x + "' is an activation no QuantizeLinear wrote; expected QuantizeLinear -> DequantizeLinear");
  } else {
    fail(where, "input '" + x + "' is neither a QuantizeLinear's output nor a constant");
  }
  QdqConstant& c = constants_[out];
  c.bits = weight_bits(x, p);
  c.values.clear();
  for (std::size_t i = 0; i < c.codes.size(); ++i) {
    const std::size_t s = slice_of(int64_t(i), c.dims, p);
    c.values.push_back(double(c.codes[i] - p.zero_point[s]) * p.scale[s]);
  }
  return true;
}

GivenWeights QdqNodes::weights(const std::string& name, const onnx::NodeProto& reader, int axis, int M) const {
  const QdqConstant& c = constants_.at(name);
  const QdqParams& p = *c.params;
  GivenWeights w;
  w.bits = c.bits;
  w.node = p.node;
  if (w.bits > 16)
    fail(p.node, fmt::format("{}-bit weight codes for {}: evaluation runs 2 to 16 bits", w.bits, Graph::describe(reader)));
  for (const int64_t z : p.zero_point)
    if (z != 0)
      fail(p.node, fmt::format("zero point {} on the weights of {}: evaluation runs symmetric weights (zero point 0)", z,
                               Graph::describe(reader)));
  const int64_t top = (int64_t{1} << (w.bits - 1)) - 1;
  // The type's most negative code (int8's -128, which PyTorch's symmetric
  // observers can give) is read as -top: symmetric codes leave it out, and
  // the weights' values are requantized within -top .. top (quant_params.h).
  const int64_t lowest = p.type_min == -top - 1 ? -top - 1 : -top;
  for (const int64_t code : c.codes)
    if (code < lowest || code > top)
      fail(p.node, fmt::format("weight code {} lies outside -{} .. {}, the symmetric {}-bit codes evaluation runs",
                               code, top, top, w.bits));
  if (p.per_channel()) {
    const int64_t rank = int64_t(c.dims.size());
    const int64_t a = p.axis < 0 ? p.axis + rank : p.axis;
    if (a != axis)
      fail(p.node, fmt::format("per-channel scales along axis {} of the weights of {}; its output channels are axis {}",
                               a, Graph::describe(reader), axis));
    w.scales = p.scale;
    w.per_channel = true;
  } else {
    w.scales.assign(std::size_t(M), p.scale[0]);
  }
  return w;
}

}  // namespace qnnsim::numerics
