#include "numerics/codebook_activations.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "numerics/weight_schemes.h"

namespace qnnsim::numerics {

std::string codebook_activation_problem(int bits, int entry_bits) {
  if (bits < 1 || bits > kMaxCodebookActivationBits)
    return fmt::format("codebook activations take 1 to {} index bits (2 to 256 entries), not {}",
                       kMaxCodebookActivationBits, bits);
  if (entry_bits < 1 || entry_bits > kMaxCodebookEntryBits)
    return fmt::format("codebook entries are 1 to {} bits wide, not {}", kMaxCodebookEntryBits, entry_bits);
  if (entry_bits < bits)
    return fmt::format("{} index bits name 2^{} entries, which {}-bit entries (the multiplier's input width) cannot "
                       "all tell apart; expected at most {} index bits",
                       bits, bits, entry_bits, entry_bits);
  return "";
}

ActQuant codebook_act(const std::vector<double>& centroids, int bits, int entry_bits) {
  ActQuant a;
  a.bits = bits;
  a.symmetric = false;
  a.zero = 0;
  const int top = (1 << entry_bits) - 1;
  double largest = 0;
  for (const double c : centroids) largest = std::max(largest, c);
  a.scale = largest > 0 ? largest / top : 1.0;  // an all-zero tensor: any scale represents it
  for (const double c : centroids)
    a.entries.push_back(int32_t(std::clamp(std::nearbyint(c / a.scale), 0.0, double(top))));
  std::sort(a.entries.begin(), a.entries.end());
  a.qmin = a.entries.front();
  a.qmax = a.entries.back();
  return a;
}

ActQuant codebook_act_given(double scale, std::vector<int32_t> entries, int bits) {
  ActQuant a;
  a.bits = bits;
  a.symmetric = false;
  a.zero = 0;
  a.scale = scale;
  a.entries = std::move(entries);
  a.qmin = a.entries.front();
  a.qmax = a.entries.back();
  return a;
}

ActQuant calibrate_codebook(const TensorSamples& s, const CalibrationOptions& o, int bits, int entry_bits) {
  // The samples clustered, clipped to [lo, hi] and to 0 from below (the ReLU).
  const auto make = [&](double lo, double hi) {
    lo = std::max(lo, 0.0);
    hi = std::max(hi, lo);
    std::vector<double> v;
    v.reserve(s.values.size());
    for (const float x : s.values)
      if (!std::isnan(x)) v.push_back(std::clamp(double(x), lo, hi));
    return codebook_act(codebook_centroids(v, bits, true), bits, entry_bits);
  };
  if (o.method == RangeMethod::mse) return make(s.lo, s.hi);
  return choose_quant(s, o, make);
}

int32_t codebook_code(const ActQuant& a, double v) {
  const double x = v / a.scale;
  const std::vector<int32_t>& e = a.entries;
  if (!(x > e.front())) return e.front();  // a NaN too
  if (x >= e.back()) return e.back();
  const auto above = std::lower_bound(e.begin(), e.end(), x, [](int32_t entry, double y) { return entry < y; });
  const int32_t hi = *above, lo = *(above - 1);
  return x - lo <= hi - x ? lo : hi;
}

}  // namespace qnnsim::numerics
