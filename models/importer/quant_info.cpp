#include "importer/quant_info.h"

#include <cmath>

#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

// Whether every value of an integer or float initializer is zero.
bool all_zero(const onnx::TensorProto& t) {
  for (const double v : tensor_values(t, "initializer '" + t.name() + "'"))
    if (v != 0.0) return false;
  return true;
}

// The first value of an initializer (a scalar such as a bit width); NaN if empty.
double first_value(const onnx::TensorProto& t) {
  const std::vector<double> v = tensor_values(t, "initializer '" + t.name() + "'");
  return v.empty() ? NAN : v.front();
}

const onnx::TensorProto* constant_input(const Graph& g, const onnx::NodeProto& n, int i) {
  return n.input_size() > i && !n.input(i).empty() ? g.initializer(n.input(i)) : nullptr;
}

}  // namespace

std::optional<Quantized> integer_type(int data_type, const onnx::TensorProto* zero_point) {
  const bool zero = zero_point == nullptr || all_zero(*zero_point);
  switch (data_type) {
    case onnx::TensorProto::INT8: return Quantized{8, zero ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric};
    case onnx::TensorProto::UINT8: return Quantized{8, Scheme::UniformAsymmetric};
    case onnx::TensorProto::INT16: return Quantized{16, zero ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric};
    case onnx::TensorProto::UINT16: return Quantized{16, Scheme::UniformAsymmetric};
    default: return std::nullopt;
  }
}

Quantized quantize_linear(const Graph& g, const onnx::NodeProto& n) {
  const onnx::TensorProto* zp = constant_input(g, n, 2);
  if (zp == nullptr) return {8, Scheme::UniformAsymmetric};  // ONNX: no zero point means uint8, zero 0
  const auto q = integer_type(zp->data_type(), zp);
  if (!q) throw ImportError(Graph::describe(n) + ": the zero point's data type is not an 8- or 16-bit integer");
  return *q;
}

Quantized qonnx_quant(const Graph& g, const onnx::NodeProto& n) {
  if (n.op_type() == "BipolarQuant") return {1, Scheme::Binary};
  const onnx::TensorProto* width = constant_input(g, n, 3);
  if (width == nullptr) throw ImportError(Graph::describe(n) + ": the bit width (input 3) must be a constant");
  const double b = first_value(*width);
  if (!(b >= 1 && b <= 16) || b != std::floor(b))
    throw ImportError(Graph::describe(n) + ": bit width " + std::to_string(b) + " is not a whole number from 1 to 16");
  const int bits = static_cast<int>(b);
  const bool is_signed = Graph::int_attr(n, "signed", 1) != 0;
  const bool narrow = Graph::int_attr(n, "narrow", 0) != 0;
  if (bits == 1) return {1, Scheme::Binary};
  if (bits == 2 && is_signed && narrow) return {2, Scheme::Ternary};  // {-1, 0, +1}
  const onnx::TensorProto* zp = constant_input(g, n, 2);
  const bool zero = zp == nullptr || first_value(*zp) == 0.0;
  return {bits, is_signed && zero ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric};
}

bool per_channel_scale(const Graph& g, const onnx::NodeProto& n) {
  const onnx::TensorProto* scale = constant_input(g, n, 1);
  if (scale == nullptr) return false;
  return element_count(scale->dims(), Graph::describe(n) + ": scale") > 1;
}

std::string describe(const Quantized& q) { return std::to_string(q.bits) + "-bit " + scheme_name(q.scheme); }

}  // namespace qnnsim::onnx_import
