#include "controller/periodic_replay.h"

#include <boost/container_hash/hash.hpp>

namespace qnnsim {

namespace {
uint64_t skipped = 0;
}  // namespace

uint64_t tiles_skipped_by_periods() { return skipped; }
void count_tiles_skipped_by_periods(uint64_t tiles) { skipped += tiles; }

std::size_t PeriodFinder::KeyHash::operator()(const std::vector<uint64_t>& key) const {
  return boost::hash_range(key.begin(), key.end());
}

Period PeriodFinder::between(const LayerProgress& before, const LayerProgress& now) {
  Period p;
  p.tiles = now.tile - before.tile;
  p.duration = now.at - before.at;
  for (std::size_t c = 0; c < now.counts.size(); ++c) {
    const std::vector<uint64_t>& after = now.counts[c];
    const std::vector<uint64_t>& then = before.counts[c];
    std::vector<uint64_t> added(after.size());
    for (std::size_t i = 0; i < after.size(); ++i) added[i] = after[i] - (i < then.size() ? then[i] : 0);
    p.counts.push_back(std::move(added));
  }
  for (std::size_t i = 0; i < p.times.size(); ++i) p.times[i] = now.times[i] - before.times[i];
  p.dram_bits = now.dram_bits - before.dram_bits;
  return p;
}

}  // namespace qnnsim
