#include "numerics/overflow_warning.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace qnnsim::numerics {

std::vector<std::string> overflow_warnings(const EvalResult& r) {
  std::vector<std::string> out;
  // Where the width came from, so the user knows what to change.
  const auto source = [&](const LayerResult& l) {
    return r.arch_mac              ? fmt::format(" of {}'s MAC class {}", r.arch_file, l.mac_class)
           : !l.mac_class.empty()  ? fmt::format(" of {}'s part '{}', MAC class {}", r.arch_file, l.part, l.mac_class)
           : !r.trace_file.empty() ? fmt::format(" the trace {} gives", r.trace_file)
                                   : std::string(" (eval's --accumulator)");
  };
  // The width is exact for the inputs this run gave the layer. A layer after
  // one that overflowed read outputs made of wrong sums: once that one is
  // widened, its inputs, and so its sums, change.
  bool earlier_overflowed = false;
  for (const LayerResult& l : r.layers) {
    if (l.overflowed == 0) continue;
    const char* inputs_note = earlier_overflowed ? " (for the inputs this run gave it: an earlier layer overflowed, "
                                                   "and widening that one changes them)"
                                                 : "";
    earlier_overflowed = true;
    if (!l.float_format.empty()) {  // a float MAC: past its largest finite value the sum is infinite (float_mac.h)
      out.push_back(fmt::format("layer '{}': {} of {} sums ({:.4f}%) overflowed the {} accumulator ({}) and ended "
                                "infinite or NaN{}",
                                l.name, l.overflowed, l.outputs,
                                l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0,
                                r.float_accumulator, r.float_accumulator_source, inputs_note));
      continue;
    }
    const bool wrap = l.overflow == Overflow::wrap;
    // |min| may exceed max, or the other way round: name the larger magnitude.
    const uint64_t largest = std::max(uint64_t(l.exact_max), l.exact_min < 0 ? uint64_t(-(l.exact_min + 1)) + 1 : 0);
    out.push_back(fmt::format(
        "layer '{}': {} of {} sums ({:.4f}%) overflowed the {}-bit accumulator{} and {} (overflow: {}); the largest "
        "|{}| seen, {}, needs {} bits{}",
        l.name, l.overflowed, l.outputs, l.outputs ? 100.0 * double(l.overflowed) / double(l.outputs) : 0.0,
        l.accumulator_bits, source(l), wrap ? "wrapped" : "saturated", overflow_name(l.overflow),
        wrap ? "sum" : "partial sum", largest, signed_bits_needed(l.exact_min, l.exact_max), inputs_note));
  }
  return out;
}

}  // namespace qnnsim::numerics
