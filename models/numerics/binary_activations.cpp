#include "numerics/binary_activations.h"

#include <algorithm>
#include <cmath>

#include "numerics/float_run.h"
#include "numerics/image_input.h"

namespace qnnsim::numerics {

ActQuant binary_act(double alpha) {
  ActQuant a;
  a.bits = 1;
  a.symmetric = true;
  a.binary = true;
  a.scale = alpha > 0 ? alpha : 1.0;  // an all-zero tensor: any scale represents its signs
  a.zero = 0;
  a.qmin = -1, a.qmax = 1;
  return a;
}

double mean_abs(const std::vector<float>& v) {
  double s = 0;
  for (const float x : v) s += std::fabs(double(x));
  return v.empty() ? 0.0 : s / double(v.size());
}

void visit_pre_relu(const Network& net, const Dataset& data, int t, int64_t images,
                    const std::function<void(const std::vector<float>&)>& visit) {
  images = std::min(images, data.count);
  // The same float network, with the writer's ReLU left out so that the
  // tensor holds the values the sign is taken of; later layers are not read.
  Network pre = net;
  for (NetOp& op : pre.ops)
    if (op.out == t) op.relu = false;
  for (int64_t n = 0; n < images; ++n) visit(run_float(pre, image_values(data, n))[t]);
}

std::vector<double> binary_scales(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                  int64_t images) {
  std::vector<double> alpha;
  for (const int t : tensors) {
    double sum = 0;
    int64_t count = 0;
    visit_pre_relu(net, data, t, images, [&](const std::vector<float>& values) {
      for (const float x : values) sum += std::fabs(double(x));
      count += int64_t(values.size());
    });
    alpha.push_back(count ? sum / double(count) : 0.0);
  }
  return alpha;
}

}  // namespace qnnsim::numerics
