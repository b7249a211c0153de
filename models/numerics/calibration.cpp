#include "numerics/calibration.h"

#include <algorithm>
#include <cmath>

#include "numerics/float_run.h"
#include "numerics/image_input.h"

namespace qnnsim::numerics {

const char* range_method_name(RangeMethod m) {
  switch (m) {
    case RangeMethod::minmax: return "min-max";
    case RangeMethod::percentile: return "percentile";
    case RangeMethod::mse: return "mse";
  }
  return "?";
}

std::vector<TensorSamples> observe(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                   int64_t images) {
  images = std::min(images, data.count);
  std::vector<TensorSamples> out(tensors.size());
  std::vector<std::size_t> stride(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const std::size_t total = std::size_t(images) * net.shapes[tensors[i]].size();
    stride[i] = std::max<std::size_t>(1, (total + TensorSamples::kMaxSamples - 1) / TensorSamples::kMaxSamples);
    out[i].lo = INFINITY, out[i].hi = -INFINITY;
  }
  std::vector<std::size_t> seen(tensors.size(), 0);
  for (int64_t n = 0; n < images; ++n) {
    const auto t = run_float(net, image_values(data, n));
    for (std::size_t i = 0; i < tensors.size(); ++i)
      for (const float v : t[tensors[i]]) {
        out[i].lo = std::min(out[i].lo, double(v));
        out[i].hi = std::max(out[i].hi, double(v));
        if (seen[i]++ % stride[i] == 0) out[i].values.push_back(v);
      }
  }
  for (TensorSamples& s : out)
    if (s.values.empty()) s.lo = s.hi = 0;
  return out;
}

namespace {

double quantile(std::vector<float> v, double fraction) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, std::size_t(std::floor(fraction * double(v.size() - 1) + 0.5)));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

double error_of(const std::vector<float>& v, const ActQuant& q) {
  double e = 0;
  for (const float x : v) {
    const double d = q.real(q.quantize(x)) - x;
    e += d * d;
  }
  return e;
}

}  // namespace

ActQuant choose_quant(const TensorSamples& s, const CalibrationOptions& o, int bits, bool symmetric) {
  return choose_quant(s, o, [&](double lo, double hi) { return act_quant(lo, hi, bits, symmetric); });
}

ActQuant choose_quant(const TensorSamples& s, const CalibrationOptions& o,
                      const std::function<ActQuant(double, double)>& make) {
  switch (o.method) {
    case RangeMethod::minmax: return make(s.lo, s.hi);
    case RangeMethod::percentile: {
      const double p = o.percentile / 100;
      return make(quantile(s.values, 1 - p), quantile(s.values, p));
    }
    case RangeMethod::mse: {
      ActQuant best = make(s.lo, s.hi);
      double best_error = error_of(s.values, best);
      for (int pct = 99; pct >= 1; --pct) {
        const double f = pct / 100.0;
        const ActQuant q = make(s.lo * f, s.hi * f);
        const double e = error_of(s.values, q);
        if (e < best_error) best = q, best_error = e;  // strictly less: a tie keeps the wider range, tried first
      }
      return best;
    }
  }
  return make(s.lo, s.hi);
}

}  // namespace qnnsim::numerics
