#include "numerics/log_activations.h"

#include <algorithm>
#include <cmath>

namespace qnnsim::numerics {

std::string log_width_problem(int bits) {
  if (bits < 2)
    return "power_of_two activations of " + std::to_string(bits) +
           " bits: expected 2 to 5 (a code for 0 and at least 3 exponents)";
  if (bits > kMaxLogActivationBits)
    return "power_of_two activations of " + std::to_string(bits) + " bits: " + std::to_string((1 << bits) - 1) +
           " exponents make the largest code 2^" + std::to_string(log_top_shift(std::min(bits, 8))) +
           ", and two such products pass 64 bits, the widest accumulator eval runs; expected 2 to 5 bits";
  return "";
}

int log_top_shift(int bits) { return (1 << bits) - 2; }

ActQuant log_act(int e_min, int bits) {
  ActQuant a;
  a.bits = bits;
  a.symmetric = false;
  a.log = true;
  a.scale = std::ldexp(1.0, e_min);
  a.zero = 0;
  a.qmin = 0;
  a.qmax = int32_t{1} << log_top_shift(bits);
  return a;
}

ActQuant log_act_for_range(double hi, int bits) {
  const int e_max = hi > 0 && std::isfinite(hi) ? int(std::floor(std::log2(hi) + 0.5)) : 0;
  return log_act(e_max - log_top_shift(bits), bits);
}

int32_t log_code(const ActQuant& a, double v) {
  if (!(v > 0)) return 0;
  // e - e_min, rounded half up in the log domain (scale is 2^e_min, so the
  // division is exact); an infinite v clips to the top.
  const double k = std::floor(std::log2(v / a.scale) + 0.5);
  if (k < 0) return 0;
  return int32_t{1} << int(std::min(k, double(log_top_shift(a.bits))));
}

}  // namespace qnnsim::numerics
