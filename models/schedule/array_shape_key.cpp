#include "schedule/array_shape_key.h"

namespace qnnsim {

ArrayShapeKey array_shape_key(const Layer& l, int64_t batch) {
  const LoopBounds b = loop_bounds(l, batch);
  ArrayShapeKey k;
  k.bounds = {b.extent, b.H, b.W, b.stride, b.dilation, b.padding};
  for (Tensor t : {Tensor::Weights, Tensor::Inputs, Tensor::Outputs, Tensor::Accumulator}) {
    const TensorPrecision& p = l.precision[t];
    k.precision[static_cast<std::size_t>(t)] = {p.bits, static_cast<int>(p.scheme), p.density,
                                                static_cast<int>(p.granularity)};
  }
  k.reduction = l.reduction_size();
  k.type = static_cast<int>(l.type);
  return k;
}

}  // namespace qnnsim
