#pragma once
// What a network is fed for one image: its pixels divided by 255, the scaling
// scripts/train_fashion_mnist.py trains with (no mean or deviation applied).
#include <vector>

#include "numerics/dataset.h"

namespace qnnsim::numerics {

inline std::vector<float> image_values(const Dataset& d, int64_t i) {
  const uint8_t* p = d.image(i);
  std::vector<float> v(std::size_t(d.rows) * d.cols);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = p[k] / 255.0f;
  return v;
}

}  // namespace qnnsim::numerics
