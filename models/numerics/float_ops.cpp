#include "numerics/float_ops.h"

#include <algorithm>

#include "numerics/pooling.h"

namespace qnnsim::numerics {

std::vector<double> float_pass(const Network& net, const NetOp& op, const FloatFormat& f, const std::vector<double>& x) {
  const int size = net.shapes[op.out].size();
  std::vector<double> y(std::size_t(size), 0.0);
  switch (op.kind) {
    case OpKind::relu:
      for (int k = 0; k < size; ++k) y[k] = std::max(x[k], 0.0);
      break;
    case OpKind::maxpool: max_pool<double>(net.shapes[op.in[0]], op.pool, x.data(), y.data()); break;
    case OpKind::avgpool:  // padding counts as 0 where the pool counts it
      pool_windows<double>(net.shapes[op.in[0]], op.pool, x.data(), 0.0, [](double a, double b) { return a + b; },
                           [&](long k, double s, int n) { y[k] = f.round(s / n); });
      break;
    default: y = x; break;  // flatten
  }
  return y;
}

}  // namespace qnnsim::numerics
