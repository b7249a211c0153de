#include "importer/qdq_params.h"

#include <cmath>

#include <fmt/format.h>

#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

// The codes an integer type holds; false for a type QDQ does not use.
// DequantizeLinear also reads int32 (a bias quantized at the scale of input
// times weights, as onnxruntime and PyTorch export it).
bool type_range(int data_type, bool dequantize, int64_t* lo, int64_t* hi) {
  switch (data_type) {
    case onnx::TensorProto::INT32:
      *lo = -2147483648LL, *hi = 2147483647LL;
      return dequantize;
    case onnx::TensorProto::UINT8: *lo = 0, *hi = 255; return true;
    case onnx::TensorProto::INT8: *lo = -128, *hi = 127; return true;
    case onnx::TensorProto::UINT16: *lo = 0, *hi = 65535; return true;
    case onnx::TensorProto::INT16: *lo = -32768, *hi = 32767; return true;
    default: return false;
  }
}

const onnx::TensorProto* constant_input(const Graph& g, const onnx::NodeProto& n, int i, const std::string& what) {
  if (n.input_size() <= i || n.input(i).empty()) return nullptr;
  const onnx::TensorProto* t = g.initializer(n.input(i));
  if (t == nullptr)
    throw ImportError(Graph::describe(n) + ": the " + what + " '" + n.input(i) +
                      "' must be a constant (an initializer) to be read");
  if (t->dims_size() > 1)
    throw ImportError(Graph::describe(n) + ": the " + what + " must be a scalar or 1-D, found " +
                      std::to_string(t->dims_size()) + " dimensions");
  return t;
}

}  // namespace

QdqParams qdq_params(const Graph& g, const onnx::NodeProto& n) {
  QdqParams p;
  p.node = Graph::describe(n);
  p.axis = Graph::int_attr(n, "axis", 1);
  const onnx::TensorProto* scale = constant_input(g, n, 1, "scale");
  if (scale == nullptr) throw ImportError(p.node + ": the scale (input 1) is missing");
  p.scale = tensor_values(*scale, p.node + ": scale");
  if (p.scale.empty()) throw ImportError(p.node + ": the scale is empty");
  for (const double s : p.scale)
    if (!(std::isfinite(s) && s > 0))
      throw ImportError(p.node + fmt::format(": scale {} must be finite and greater than 0", s));
  const onnx::TensorProto* zero = constant_input(g, n, 2, "zero point");
  // ONNX: without a zero point the codes are uint8 with zero point 0.
  p.data_type = zero ? zero->data_type() : int(onnx::TensorProto::UINT8);
  if (!type_range(p.data_type, n.op_type() == "DequantizeLinear", &p.type_min, &p.type_max))
    throw ImportError(p.node + ": the zero point's data type must be int8, uint8, int16 or uint16 (or int32 for "
                               "DequantizeLinear), the codes' type; found ONNX data type " +
                      std::to_string(p.data_type));
  if (zero == nullptr) {
    p.zero_point.assign(p.scale.size(), 0);
    return p;
  }
  const std::vector<double> z = tensor_values(*zero, p.node + ": zero point");
  if (z.size() != p.scale.size())
    throw ImportError(p.node + fmt::format(": {} scales but {} zero points; expected as many of each", p.scale.size(),
                                           z.size()));
  for (const double v : z) {
    if (!(v >= double(p.type_min) && v <= double(p.type_max)))
      throw ImportError(p.node + fmt::format(": zero point {} lies outside {} .. {}, the codes its type holds", v,
                                             p.type_min, p.type_max));
    p.zero_point.push_back(int64_t(v));
  }
  return p;
}

void check_qdq_axis(const QdqParams& p, const std::vector<int64_t>& dims) {
  if (!p.per_channel()) return;
  const int64_t rank = int64_t(dims.size());
  const int64_t axis = p.axis < 0 ? p.axis + rank : p.axis;
  if (axis < 0 || axis >= rank)
    throw ImportError(p.node + fmt::format(": axis {} is outside the tensor's {} dimensions", p.axis, rank));
  if (int64_t(p.scale.size()) != dims[std::size_t(axis)])
    throw ImportError(p.node + fmt::format(": {} scales for a tensor whose dimension {} (the axis) has {} values; "
                                           "expected 1 or {}",
                                           p.scale.size(), axis, dims[std::size_t(axis)], dims[std::size_t(axis)]));
}

}  // namespace qnnsim::onnx_import
