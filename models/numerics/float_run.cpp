#include "numerics/float_run.h"

#include "numerics/pooling.h"

namespace qnnsim::numerics {

namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void conv(const NetOp& op, const float* x, std::vector<float>& y) {
  const Matrix<float> cols = im2col<float>(op.conv, x, 0.f);
  // Row-major M x P is the output's C x H x W layout.
  RowMajorF out = op.weight * cols;
  out.colwise() += op.bias;
  if (op.relu) out = out.cwiseMax(0.f);
  y.assign(out.data(), out.data() + out.size());
}

}  // namespace

std::vector<std::vector<float>> run_float(const Network& net, const std::vector<float>& image) {
  std::vector<std::vector<float>> t(net.shapes.size());
  t[net.input] = image;
  for (const NetOp& op : net.ops) {
    const std::vector<float>& x = t[op.in[0]];
    std::vector<float>& y = t[op.out];
    y.resize(net.shapes[op.out].size());
    switch (op.kind) {
      case OpKind::conv: conv(op, x.data(), y); break;
      case OpKind::relu:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::max(x[i], 0.f);
        break;
      case OpKind::maxpool: max_pool<float>(net.shapes[op.in[0]], op.pool, x.data(), y.data()); break;
      case OpKind::avgpool:
        pool_windows<float>(net.shapes[op.in[0]], op.pool, x.data(), 0.f, [](float a, float b) { return a + b; },
                            [&](long i, float s, int n) { y[i] = s / float(n); });
        break;
      case OpKind::add:
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = x[i] + t[op.in[1]][i];
        break;
      case OpKind::flatten: y = x; break;
    }
  }
  return t;
}

}  // namespace qnnsim::numerics
