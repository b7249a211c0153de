#pragma once
// The scale and zero point a QuantizeLinear or DequantizeLinear node gives,
// read and checked once for every reader (`qnnsim import`, `qnnsim eval` of a
// QDQ model). ONNX (QuantizeLinear, opset 13): y = saturate(round(x / scale)
// + zero_point), rounding half to even, saturating to the zero point's type;
// DequantizeLinear: x = (y - zero_point) * scale. A scale is a scalar (per
// tensor) or a 1-D tensor of one value per slice along `axis` (per channel).
#include <cstdint>
#include <string>
#include <vector>

#include "importer/onnx_graph.h"

namespace qnnsim::onnx_import {

struct QdqParams {
  std::vector<double> scale;        // one, or one per slice along axis
  std::vector<int64_t> zero_point;  // as many as scale; zeros where the node has none
  int data_type = 0;                // of the codes: onnx::TensorProto::UINT8, INT8, UINT16, INT16 (or INT32, dequantized only)
  int64_t axis = 1;                 // as the node says (may be negative); used where scale has several values
  int64_t type_min = 0, type_max = 255;  // the codes the data type holds
  std::string node;                 // "<op> node '<name>'", for messages

  bool per_channel() const { return scale.size() > 1; }
  bool operator==(const QdqParams& o) const {
    return scale == o.scale && zero_point == o.zero_point && data_type == o.data_type &&
           (!per_channel() || axis == o.axis);
  }
};

// Reads node n's scale (input 1) and zero point (input 2). An ImportError
// naming the node when either is not a constant, a scale is not finite and
// positive, a zero point's type is not an 8- or 16-bit integer (or int32 for
// DequantizeLinear) or its value
// lies outside that type, or the two differ in length.
QdqParams qdq_params(const Graph& g, const onnx::NodeProto& n);

// Per-channel parameters fit a tensor of `dims`: as many values as its
// dimension `axis`. An ImportError naming the node otherwise.
void check_qdq_axis(const QdqParams& p, const std::vector<int64_t>& dims);

}  // namespace qnnsim::onnx_import
