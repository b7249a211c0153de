// Transformer ops on token sequences: transposes, slices, splits, gathers
// (of an activation; from a constant table see translate_embedding.cpp),
// softmax, layer norm, GELU (the Erf form), matrix products of two
// activations, linear layers applied to every token, and concatenations of
// tokens. A sequence is held as C = its last axis and H = the rest (see
// workload/layer.h); reshapes between such shapes move nothing.
#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "importer/tensor_values.h"
#include "importer/translator.h"

namespace qnnsim::onnx_import {

namespace {

int64_t product(const std::vector<int64_t>& v, const std::string& what) {
  int64_t p = 1;
  for (int64_t d : v) p = checked_product(p, d, what);
  return p;
}

std::string shape(const std::vector<int64_t>& dims) { return fmt::format("({})", fmt::join(dims, ", ")); }

}  // namespace

std::vector<int64_t> Translator::dims_of(const Activation& a) const {
  if (!a.dims.empty()) return a.dims;
  return {batch_, a.C, a.H, a.W};
}

Activation Translator::sequence(const onnx::NodeProto& n, const std::vector<int64_t>& dims) const {
  const std::string what = Graph::describe(n);
  if (dims.empty() || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
    throw ImportError(what + ": an activation of shape " + shape(dims) + " has no values to hold");
  const int64_t total = product(dims, what), C = dims.back();
  if (total % checked_product(batch_, C, what) != 0)
    throw ImportError(what + fmt::format(": an activation of shape {} does not split into {} image(s) of rows of {}",
                                         shape(dims), batch_, C));
  Activation a;
  a.C = C;
  a.H = total / (batch_ * C);
  a.W = 1;
  a.dims = dims;
  return a;
}

int64_t Translator::axis_of(const onnx::NodeProto& n, int64_t axis, std::size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  const int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) throw ImportError(Graph::describe(n) + fmt::format(": axis {} of a tensor of {} axes", axis, r));
  return a;
}

Record& Translator::emit_sequence(const onnx::NodeProto& n, const char* type, const std::vector<const Activation*>& from,
                                  const std::vector<int64_t>& dims, int output) {
  const Activation out = sequence(n, dims);
  return emit(n, fmt::format("type: {}, C: {}, H: {}", type, out.C, out.H), from, out, output);
}

void Translator::transpose(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::vector<int64_t> in = dims_of(x);
  std::vector<int64_t> perm = Graph::ints_attr(n, "perm");
  if (perm.empty())
    for (std::size_t i = in.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  if (perm.size() != in.size() || sorted != [&] {
        std::vector<int64_t> v(in.size());
        std::iota(v.begin(), v.end(), 0);
        return v;
      }())
    throw ImportError(Graph::describe(n) + ": perm " + shape(perm) + " is not a permutation of the input's " +
                      std::to_string(in.size()) + " axes " + shape(in));
  std::vector<int64_t> out;
  int64_t last_moved = -1;
  bool moves = false;
  for (int64_t p : perm) {
    out.push_back(in[static_cast<std::size_t>(p)]);
    if (in[static_cast<std::size_t>(p)] > 1) {
      moves = moves || p < last_moved;
      last_moved = p;
    }
  }
  if (!moves) {  // only axes of one value move: the order of the values stays
    Activation a = sequence(n, out);
    a.producers = x.producers;
    a.q = x.q;
    act_[n.output(0)] = a;
    return;
  }
  emit_sequence(n, "transpose", {&x}, out).carries_width = true;
}

void Translator::slice(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::string what = Graph::describe(n);
  const std::vector<int64_t> in = dims_of(x);
  const auto values = [&](int i, const char* attr) {
    std::vector<int64_t> v;
    if (n.input_size() > i && !n.input(i).empty()) {
      const auto c = constant(n.input(i));
      if (!c) throw ImportError(what + ": input " + std::to_string(i) + " (" + attr + ") must be a constant");
      for (double d : onnx_import::tensor_values(*c->init, what + ": " + attr)) v.push_back(onnx_import::to_int64(d, what));
      return v;
    }
    return Graph::ints_attr(n, attr);  // before opset 10
  };
  const std::vector<int64_t> starts = values(1, "starts"), ends = values(2, "ends"), steps = values(4, "steps");
  std::vector<int64_t> axes = values(3, "axes");
  if (axes.empty())
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (starts.size() != ends.size() || axes.size() != starts.size() || (!steps.empty() && steps.size() != starts.size()))
    throw ImportError(what + ": starts, ends, axes and steps must have one entry per sliced axis");
  std::vector<int64_t> out = in;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (!steps.empty() && steps[i] != 1) throw ImportError(what + ": only slices with step 1 are supported");
    const auto a = static_cast<std::size_t>(axis_of(n, axes[i], in.size()));
    const int64_t d = in[a];
    const auto clamp = [d](int64_t v) { return std::clamp<int64_t>(v < 0 ? std::max<int64_t>(v, -d) + d : v, 0, d); };
    const int64_t len = clamp(ends[i]) - clamp(starts[i]);
    if (len < 1) throw ImportError(what + fmt::format(": the slice of axis {} is empty", axes[i]));
    out[a] = len;
  }
  if (out == in) {
    act_[n.output(0)] = x;
    return;
  }
  emit_sequence(n, "split", {&x}, out).carries_width = true;
}

void Translator::split(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::string what = Graph::describe(n);
  const std::vector<int64_t> in = dims_of(x);
  const auto a = static_cast<std::size_t>(axis_of(n, Graph::int_attr(n, "axis", 0), in.size()));
  std::vector<int64_t> sizes = Graph::ints_attr(n, "split");  // before opset 13
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const auto c = constant(n.input(1));
    if (!c) throw ImportError(what + ": the split sizes (input 1) must be a constant");
    sizes.clear();
    for (double d : onnx_import::tensor_values(*c->init, what + ": split")) sizes.push_back(onnx_import::to_int64(d, what));
  }
  const auto parts = static_cast<int64_t>(n.output_size());
  if (sizes.empty()) {
    if (in[a] % parts != 0)
      throw ImportError(what + fmt::format(": axis {} of {} values does not split into {} equal parts", a, in[a], parts));
    sizes.assign(static_cast<std::size_t>(parts), in[a] / parts);
  }
  if (static_cast<int64_t>(sizes.size()) != parts || std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != in[a] ||
      std::any_of(sizes.begin(), sizes.end(), [](int64_t s) { return s < 1; }))
    throw ImportError(what + fmt::format(": split sizes ({}) do not divide axis {} of {} values into {} outputs",
                                         fmt::join(sizes, ", "), a, in[a], parts));
  for (int i = 0; i < n.output_size(); ++i) {
    std::vector<int64_t> out = in;
    out[a] = sizes[static_cast<std::size_t>(i)];
    emit_sequence(n, "split", {&x}, out, i).carries_width = true;
  }
}

void Translator::gather(const onnx::NodeProto& n) {
  if (n.input_size() > 0 && !is_activation(n.input(0)))
    if (const auto table = constant(n.input(0))) return lookup(n, *table);
  const Activation x = activation(n, 0);
  const std::string what = Graph::describe(n);
  const auto index = n.input_size() > 1 ? constant(n.input(1)) : std::nullopt;
  if (!index) throw ImportError(what + ": the indices (input 1) must be a constant");
  if (onnx_import::tensor_values(*index->init, what + ": indices").size() != 1)
    throw ImportError(what + ": only a gather of one index (such as a class token) is supported");
  const std::vector<int64_t> in = dims_of(x);
  const auto a = static_cast<std::size_t>(axis_of(n, Graph::int_attr(n, "axis", 0), in.size()));
  std::vector<int64_t> out = in;
  if (index->init->dims_size() == 0) out.erase(out.begin() + static_cast<std::ptrdiff_t>(a));
  else out[a] = 1;
  emit_sequence(n, "split", {&x}, out).carries_width = true;
}

void Translator::softmax(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::vector<int64_t> in = dims_of(x);
  if (axis_of(n, Graph::int_attr(n, "axis", -1), in.size()) != static_cast<int64_t>(in.size()) - 1)
    throw ImportError(Graph::describe(n) + ": only a softmax over the last axis is supported");
  emit_sequence(n, "softmax", {&x}, in).carries_width = true;
}

void Translator::layer_normalization(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  const std::vector<int64_t> in = dims_of(x);
  if (axis_of(n, Graph::int_attr(n, "axis", -1), in.size()) != static_cast<int64_t>(in.size()) - 1)
    throw ImportError(Graph::describe(n) + ": only a layer normalisation over the last axis is supported");
  if (n.output_size() > 1 && std::any_of(n.output().begin() + 1, n.output().end(), [](const std::string& o) { return !o.empty(); }))
    throw ImportError(Graph::describe(n) + ": the mean and inverse deviation outputs (training) are not supported");
  emit_sequence(n, "layernorm", {&x}, in).carries_width = true;
}

void Translator::erf(const onnx::NodeProto& n) {
  const Activation x = activation(n, 0);
  emit_sequence(n, "gelu", {&x}, dims_of(x)).carries_width = true;
  act_[n.output(0)].function_of = x.producers;
}

void Translator::matmul_activations(const onnx::NodeProto& n) {
  const std::string what = Graph::describe(n);
  const Activation a = activation(n, 0), b = activation(n, 1);
  if (n.op_type() == "Gemm" && Graph::int_attr(n, "transA", 0) != 0) throw ImportError(what + ": transA is not supported");
  std::vector<int64_t> da = dims_of(a), db = dims_of(b);
  if (n.op_type() == "Gemm" && Graph::int_attr(n, "transB", 0) != 0 && db.size() >= 2) std::swap(db[db.size() - 1], db[db.size() - 2]);
  if (da.size() < 2 || db.size() < 2)
    throw ImportError(what + ": a product of activations " + shape(da) + " and " + shape(db) + " needs two matrices");
  const std::vector<int64_t> lead_a(da.begin(), da.end() - 2), lead_b(db.begin(), db.end() - 2);
  const int64_t batches = product(lead_a, what), rows = da[da.size() - 2], inner = da.back(), cols = db.back();
  if (product(lead_b, what) != batches || db[db.size() - 2] != inner)
    throw ImportError(what + ": operands " + shape(da) + " and " + shape(db) +
                      " do not multiply as matrices of equal batches (broadcasting is not supported)");
  std::vector<int64_t> out = lead_a;
  out.push_back(rows);
  out.push_back(cols);
  emit_matmul(n, a, b, {batches, rows, inner, cols}, out);
}

void Translator::emit_matmul(const onnx::NodeProto& n, const Activation& a, const Activation& b, const MatrixProduct& p,
                             const std::vector<int64_t>& out_dims) {
  const std::string what = Graph::describe(n);
  if (p.batches % batch_ != 0)
    throw ImportError(what + fmt::format(": {} matrix products do not divide among {} image(s)", p.batches, batch_));
  if (a.producers.size() != 1 || b.producers.size() != 1)
    throw ImportError(what + ": an operand that is a concatenation of several layers is not supported");
  const int64_t heads = p.batches / batch_;
  Activation out{{}, checked_product(heads, p.cols, what), p.rows, 1, std::nullopt, 0, {}, {}, {}};
  out.dims = out_dims;
  Record& r = emit(n, fmt::format("type: matmul, heads: {}, rows: {}, inner: {}, cols: {}", heads, p.rows, p.inner, p.cols),
                   {&a, &b}, out);
  r.weights = b.q;
  r.second_is_weights = true;
}

void Translator::linear_over_tokens(const onnx::NodeProto& n, const Activation& x, const Constant& w, int64_t K,
                                    int64_t M) {
  const std::string what = Graph::describe(n);
  const std::vector<int64_t> in = dims_of(x);
  if (in.back() != K)
    throw ImportError(what + fmt::format(": the weights take {} inputs, the input's last axis has {}", K, in.back()));
  const Activation held = sequence(n, in);
  if (held.C != x.C || held.H != x.H || held.W != x.W)
    throw ImportError(what + fmt::format(": its input is held as {}x{}x{} by the layer that writes it, not as rows of {}; "
                                         "a product over the last axis of that layer's output is not supported",
                                         x.C, x.H, x.W, K));
  std::vector<int64_t> out_dims = in;
  out_dims.back() = M;
  Activation out = sequence(n, out_dims);
  weight_layer(n, fmt::format("type: conv, C: {}, H: {}, W: 1, M: {}, R: 1, S: 1", K, held.H, M), x, w, out);
}

void Translator::sequence_concat(const onnx::NodeProto& n) {
  const std::string what = Graph::describe(n);
  std::vector<const Activation*> from;
  std::vector<std::vector<int64_t>> parts;
  for (int i = 0; i < n.input_size(); ++i) {
    if (is_activation(n.input(i))) {
      from.push_back(&activation(n, i));
      parts.push_back(dims_of(*from.back()));
    } else if (const auto c = constant(n.input(i))) {
      parts.emplace_back(c->init->dims().begin(), c->init->dims().end());
    } else {
      throw ImportError(what + ": input '" + n.input(i) + "' is neither an activation nor a constant");
    }
  }
  if (from.empty()) throw ImportError(what + ": a concatenation of constants only has nothing to simulate");
  std::vector<int64_t> out = dims_of(*from[0]);
  const auto a = static_cast<std::size_t>(axis_of(n, Graph::int_attr(n, "axis", 0), out.size()));
  out[a] = 0;
  for (const auto& p : parts) {
    bool fits = p.size() == out.size();
    for (std::size_t d = 0; fits && d < p.size(); ++d)
      fits = d == a || p[d] == out[d] || (d == 0 && p[d] == 1);  // a constant repeated for every image
    if (!fits) throw ImportError(what + ": parts " + shape(p) + " and " + shape(out) + " do not join along axis " + std::to_string(a));
    out[a] += p[a];
  }
  emit_sequence(n, "concat", from, out).carries_width = true;
}

void Translator::expand(const onnx::NodeProto& n) {
  const auto c = constant(n.input(0));
  const bool shape_known = n.input_size() > 1 && (constant(n.input(1)) || shape_only_.count(n.input(1)));
  if (!c || !shape_known || c->init->dims_size() == 0 || c->init->dims(0) != 1)
    throw ImportError(Graph::describe(n) + ": only an Expand of a constant along the batch (a class token per image) "
                                           "is supported");
  const_[n.output(0)] = *c;
}

}  // namespace qnnsim::onnx_import
