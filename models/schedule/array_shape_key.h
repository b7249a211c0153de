#pragma once
// What the array mapper's search reads from a layer, as a key: the loop
// bounds at the batch, every tensor's width, scheme, density and granularity,
// the reduction size and the layer's type. Two layers with equal keys get
// the same mapping from the same search (it is deterministic), so a run
// searches each key once (ResNet-50's 54 array layers have 24 distinct
// shapes). Names and source positions are left out: they only word errors,
// and a shape's first layer is the one whose error a failed search reports.
#include <array>
#include <cstdint>
#include <tuple>

#include "schedule/loop_nest.h"
#include "workload/layer.h"

namespace qnnsim {

struct ArrayShapeKey {
  using Precision = std::tuple<int, int, double, int>;  // bits, scheme, density, granularity
  std::tuple<DimArray, int64_t, int64_t, int64_t, int64_t, int64_t> bounds;  // extents, H, W, stride, dilation, padding
  std::array<Precision, 4> precision;  // weights, inputs, outputs, accumulator
  int64_t reduction = 0;
  int type = 0;

  bool operator<(const ArrayShapeKey& o) const {
    return std::tie(bounds, precision, reduction, type) < std::tie(o.bounds, o.precision, o.reduction, o.type);
  }
};

ArrayShapeKey array_shape_key(const Layer& l, int64_t batch);

}  // namespace qnnsim
