#pragma once
// Max and average pooling over one image's C x H x W values, shared by the
// float and the quantized paths (the quantized path pools codes: the maximum
// of codes is the code of the maximum, scales being positive).
#include <algorithm>
#include <limits>

#include "numerics/network.h"

namespace qnnsim::numerics {

// Calls emit(out_index, sum_or_max, count) per output after visiting the
// window's in-image values; `count` is the window's size with padding when
// the pool counts it, else the number of in-image values.
template <typename T, typename Reduce, typename Emit>
void pool_windows(const TensorShape& in, const PoolShape& p, const T* x, T start, Reduce reduce, Emit emit) {
  const int oh = (in.H + p.pad_top + p.pad_bottom - p.kh) / p.stride_h + 1;
  const int ow = (in.W + p.pad_left + p.pad_right - p.kw) / p.stride_w + 1;
  for (int c = 0; c < in.C; ++c)
    for (int y = 0; y < oh; ++y)
      for (int xo = 0; xo < ow; ++xo) {
        T acc = start;
        int inside = 0;
        for (int r = 0; r < p.kh; ++r) {
          const int iy = y * p.stride_h - p.pad_top + r;
          if (iy < 0 || iy >= in.H) continue;
          for (int q = 0; q < p.kw; ++q) {
            const int ix = xo * p.stride_w - p.pad_left + q;
            if (ix < 0 || ix >= in.W) continue;
            acc = reduce(acc, x[(long(c) * in.H + iy) * in.W + ix]);
            ++inside;
          }
        }
        emit((long(c) * oh + y) * ow + xo, acc, p.count_include_pad ? p.kh * p.kw : inside);
      }
}

template <typename T>
void max_pool(const TensorShape& in, const PoolShape& p, const T* x, T* y) {
  pool_windows<T>(in, p, x, std::numeric_limits<T>::lowest(), [](T a, T b) { return std::max(a, b); },
                  [&](long i, T v, int) { y[i] = v; });
}

}  // namespace qnnsim::numerics
