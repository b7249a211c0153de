#include "schedule/level_packing.h"

#include <algorithm>

namespace qnnsim {

LevelValueWidths layer_value_widths(const LevelDesign& d, int weight_bits, int input_bits, int output_bits, int psum_bits) {
  LevelValueWidths w(d.nest.levels.size());
  for (std::size_t l = 0; l < w.size(); ++l) {
    const int outputs = d.final_outputs_only[l] ? output_bits : psum_bits;
    w[l] = {weight_bits, input_bits, outputs};
    for (int t = 0; t < kOperands; ++t)
      if (d.word_bits[l][t] > 0) w[l][t] = std::min(w[l][t], d.word_bits[l][t]);
  }
  return w;
}

LevelDesign pack_level_design(const LevelDesign& d, const LevelValueWidths& w) {
  LevelDesign p = d;
  for (std::size_t l = 0; l < d.nest.levels.size(); ++l) {
    if (!d.packs[l]) continue;
    for (int t = 0; t < kOperands; ++t) {
      const int bits = w[l][t];
      if (bits <= 0 || bits >= d.word_bits[l][t]) continue;  // as wide as the level's width: nothing to pack
      if (const int64_t word = d.access_bits[l][t]; word > 0) {  // a storage level keeping the tensor
        const int64_t per_word = word / bits;
        p.prices[l].block_words[t] = per_word;  // one access's energy over the values it moves
        p.limits[l].units[t] = word;
        p.limits[l].per_unit[t] = per_word;
        p.value_bits[l][t] = static_cast<double>(word) / static_cast<double>(per_word);
      }
      if (const LevelNetwork& net = d.networks[l]; net.present) {
        const int64_t width = net.width_bits[static_cast<std::size_t>(net.network[t])];
        const int64_t per_word = width / bits;
        // A value wider than the network's width takes several of its cycles, bit for bit.
        p.networks[l].value_bits[t] =
            per_word > 0 ? static_cast<double>(width) / static_cast<double>(per_word) : static_cast<double>(bits);
      }
    }
  }
  return p;
}

}  // namespace qnnsim
