#pragma once
// Statistics of a layer's weights for the trace: the fraction not zero and the
// range, in the real domain and, for integer weights, in the integer domain.
#include <cstdint>
#include <optional>
#include <string>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

struct WeightStats {
  int64_t count = 0;
  double density = 1;                   // fraction of weights whose real value is not zero
  std::optional<double> min, max;       // real domain; unknown for integers without a scale
  std::optional<int64_t> int_min, int_max;  // integer domain (stored values), integer weights only
};

// How integer weights map to real values: real = (q - zero_point) * scale,
// one scale and zero point per slice along `axis`, or one for the whole
// tensor. A missing scale leaves only the integer domain known; a missing zero
// point is zero. `node` names the node that says so, for messages.
struct Dequantization {
  const onnx::TensorProto* scale = nullptr;
  const onnx::TensorProto* zero_point = nullptr;
  int64_t axis = 1;
  std::string node;
};

// Throws ImportError on malformed data (checked in tensor_values) or on a
// scale or zero point whose length fits neither the tensor nor the axis.
WeightStats weight_stats(const onnx::TensorProto& w, const std::string& name, const std::optional<Dequantization>& dq);

}  // namespace qnnsim::onnx_import
