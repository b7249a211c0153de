#pragma once
// Quantization as ONNX graphs express it: QuantizeLinear / DequantizeLinear
// pairs (QDQ), the QLinear* and *Integer ops, and QONNX's Quant and
// BipolarQuant nodes. Each says a tensor is stored at some width in some
// scheme; this reads that from the nodes' zero points, data types and
// bit-width inputs.
#include <optional>
#include <string>

#include "importer/onnx_graph.h"
#include "workload/precision.h"

namespace qnnsim::onnx_import {

// A width and scheme read from the graph.
struct Quantized {
  int bits = 8;
  Scheme scheme = Scheme::UniformSymmetric;
  bool per_channel = false;  // a scale per output channel (weights)
  bool operator==(const Quantized& o) const { return bits == o.bits && scheme == o.scheme; }
};

// Whether a QuantizeLinear / DequantizeLinear node's scale (input 1) holds more than one value.
bool per_channel_scale(const Graph& g, const onnx::NodeProto& n);

// The width and scheme of an integer tensor of this ONNX data type with this
// zero point (absent: zero): int8/int16 with a zero point of zero are
// symmetric, anything else asymmetric. Nothing for a non-integer type.
std::optional<Quantized> integer_type(int data_type, const onnx::TensorProto* zero_point);

// What a QuantizeLinear node's output is: from its zero point (input 2; absent: uint8).
Quantized quantize_linear(const Graph& g, const onnx::NodeProto& n);

// What a QONNX Quant node's output is: `bitwidth` (input 3) bits, signed or
// not, with its zero point (input 2): 1 bit is binary, 2 signed narrow bits
// ternary, else uniform. BipolarQuant is binary.
Quantized qonnx_quant(const Graph& g, const onnx::NodeProto& n);

// "8-bit uniform_symmetric" for messages and notes.
std::string describe(const Quantized& q);

}  // namespace qnnsim::onnx_import
