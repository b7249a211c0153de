#include "controller/tile_replay.h"

#include <boost/container_hash/hash.hpp>

#include "schedule/nest_walk.h"

namespace qnnsim {

namespace {
bool replay_on = true;
uint64_t replayed = 0, replays = 0, periods = 0;
uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
}  // namespace

void set_tile_replay(bool on) { replay_on = on; }
bool tile_replay_enabled() { return replay_on; }
uint64_t tiles_replayed() { return replayed; }
uint64_t tile_replays() { return replays; }
uint64_t period_replays() { return periods; }
void count_replayed_tiles(uint64_t tiles, uint64_t period) {
  replayed += tiles;
  ++replays;
  if (period > 1) ++periods;
}

void tile_work_key(int layer, const GlbTile& tile, const NestWalker* walker, std::vector<uint64_t>& key) {
  key.insert(key.end(), {static_cast<uint64_t>(layer), tile.weight_load_bits, tile.input_load_bits,
                         tile.input_dram_bits, tile.output_read_bits, tile.output_store_bits, tile.output_values,
                         tile.output_positions, tile.passes, tile.vector.add, tile.vector.mult, tile.vector.exp,
                         tile.vector.divide, tile.vector.sqrt, tile.vector_in_bits, tile.vector_out_bits});
  if (walker != nullptr) walker->tile_class(tile.index, key);
}

void payload_key(const Work& w, std::vector<uint64_t>& key) {
  key.insert(key.end(), {static_cast<uint64_t>(w.kind), static_cast<uint64_t>(w.layer), w.bits, w.delivered_bits,
                         static_cast<uint64_t>(w.to_buffer), static_cast<uint64_t>(w.from_dram),
                         static_cast<uint64_t>(w.tensor), w.values, w.hop_bits, w.macs, w.iterations, u(w.rows_used),
                         u(w.cols_used), w.vector.add, w.vector.mult, w.vector.exp, w.vector.divide, w.vector.sqrt});
}

std::vector<uint64_t> tile_key(int layer, const GlbTile& tile, const NestWalker& walker, const Work& w,
                               const std::vector<ComponentModule*>& components) {
  // Room for every field below (about 60) from the start: a key is built for
  // every quiet tile, and growing it field by field reallocated several times.
  std::vector<uint64_t> key;
  key.reserve(64);
  tile_work_key(layer, tile, &walker, key);
  payload_key(w, key);
  for (const ComponentModule* c : components) c->state_key(key);
  return key;
}

std::size_t TileMemo::KeyHash::operator()(const std::vector<uint64_t>& key) const {
  return boost::hash_range(key.begin(), key.end());
}

const TileOutcome* TileMemo::find(const std::vector<uint64_t>& key) const {
  const auto it = outcomes_.find(key);
  return it == outcomes_.end() ? nullptr : &it->second;
}

}  // namespace qnnsim
