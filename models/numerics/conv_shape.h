#pragma once
// The geometry of one convolution (a fully connected layer is the 1x1 case on
// a 1x1 image), and im2col: the input window of every output position laid out
// as one column, so that a layer is one matrix product of its M x K weights
// with a K x P matrix (K = C*R*S, P = output positions). Row k of a column is
// input channel c, filter row r, filter column s with k = (c*R + r)*S + s, the
// order of ONNX's weights flattened row-major.
#include <Eigen/Dense>

namespace qnnsim::numerics {

struct ConvShape {
  int C = 1, H = 1, W = 1;  // input channels, height, width
  int M = 1, R = 1, S = 1;  // output channels, filter height, filter width
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  int out_h() const { return (H + pad_top + pad_bottom - R) / stride_h + 1; }
  int out_w() const { return (W + pad_left + pad_right - S) / stride_w + 1; }
  int K() const { return C * R * S; }
  int P() const { return out_h() * out_w(); }
};

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// `x` holds C x H x W values, row-major; a position in the padding reads `pad`.
template <typename T>
Matrix<T> im2col(const ConvShape& s, const T* x, T pad) {
  const int oh = s.out_h(), ow = s.out_w();
  Matrix<T> cols(s.K(), oh * ow);
  for (int y = 0; y < oh; ++y)
    for (int xo = 0; xo < ow; ++xo) {
      T* col = cols.data() + static_cast<Eigen::Index>(y * ow + xo) * s.K();  // column-major: a column is contiguous
      int k = 0;
      for (int c = 0; c < s.C; ++c)
        for (int r = 0; r < s.R; ++r) {
          const int iy = y * s.stride_h - s.pad_top + r;
          for (int q = 0; q < s.S; ++q, ++k) {
            const int ix = xo * s.stride_w - s.pad_left + q;
            const bool inside = iy >= 0 && iy < s.H && ix >= 0 && ix < s.W;
            col[k] = inside ? x[(static_cast<long>(c) * s.H + iy) * s.W + ix] : pad;
          }
        }
    }
  return cols;
}

}  // namespace qnnsim::numerics
