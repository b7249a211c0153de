#include "numerics/ternary_activations.h"

#include <cmath>

#include "numerics/binary_activations.h"

namespace qnnsim::numerics {

TernaryParams twn_rule(const BatchVisitor& each_batch) {
  // Sums in double: a float sum over millions of values would lose the low digits.
  double abs_sum = 0;
  int64_t count = 0;
  each_batch([&](const std::vector<float>& v) {
    for (const float x : v) abs_sum += std::fabs(double(x));
    count += int64_t(v.size());
  });
  TernaryParams p;
  p.delta = count ? 0.7 * abs_sum / double(count) : 0.0;
  double above_sum = 0;
  int64_t above = 0;
  each_batch([&](const std::vector<float>& v) {
    for (const float x : v)
      if (std::fabs(double(x)) > p.delta) above_sum += std::fabs(double(x)), ++above;
  });
  p.alpha = above ? above_sum / double(above) : 0.0;
  return p;
}

TernaryParams twn_rule(const std::vector<float>& x) {
  return twn_rule([&](const std::function<void(const std::vector<float>&)>& f) { f(x); });
}

ActQuant ternary_act(const TernaryParams& p) {
  ActQuant a;
  a.bits = 2;
  a.symmetric = true;
  a.ternary = true;
  a.scale = p.alpha > 0 ? p.alpha : 1.0;
  a.threshold = p.delta;
  a.zero = 0;
  a.qmin = -1, a.qmax = 1;
  return a;
}

std::vector<TernaryParams> ternary_params(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                          int64_t images) {
  std::vector<TernaryParams> out;
  for (const int t : tensors)
    out.push_back(twn_rule([&](const std::function<void(const std::vector<float>&)>& f) {
      visit_pre_relu(net, data, t, images, f);
    }));
  return out;
}

}  // namespace qnnsim::numerics
