#pragma once
// One layer of a workload: its type, shapes and per-tensor precision. Every
// count (MACs, elements, vector ops) is derived from the shapes, never written.
#include <cstdint>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "workload/precision.h"

namespace qnnsim {

enum class LayerType { Conv, FC, DWConv, MaxPool, AvgPool, Add };
const char* layer_type_name(LayerType t);
bool layer_uses_array(LayerType t);  // conv, fc, dwconv run on the MAC array

struct Shape {
  int64_t C = 0, H = 0, W = 0;
  int64_t volume() const { return C * H * W; }
  bool operator==(const Shape& o) const { return C == o.C && H == o.H && W == o.W; }
};

// What is known of a layer's weight values (from an imported model):
// informational, shown in the trace; weight sparsity is not modelled.
struct WeightStatistics {
  bool given = false;
  double density = 1;
  bool real_range = false, int_range = false;  // which ranges the trace gave
  double min = 0, max = 0;                     // real values
  int64_t int_min = 0, int_max = 0;            // stored integers (integer weights)
};

struct Layer {
  std::string name;
  LayerType type = LayerType::Conv;
  std::vector<std::string> from;  // producers; "input" is the network input
  SourceLocation where;           // where the layer is defined, for error messages

  // Input shape, filter, and the resulting output shape (P x Q, M channels).
  int64_t C = 0, H = 0, W = 0, M = 0, R = 1, S = 1;
  int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
  int64_t P = 0, Q = 0;
  LayerPrecision precision;
  WeightStatistics weight_stats;
  bool inputs_density_given = false;  // only a layer fed by the network input may set it

  Shape input_shape() const { return {C, H, W}; }
  Shape output_shape() const { return {M, P, Q}; }

  // Per image.
  int64_t macs() const;
  int64_t weight_count() const;
  int64_t input_count() const;   // summed over all producers
  int64_t output_count() const { return M * P * Q; }
  int64_t reduction_size() const { return (C / groups) * R * S; }  // K of the matrix view
  int64_t vector_ops() const;  // comparisons/adds/scales of pool and add layers
};

}  // namespace qnnsim
