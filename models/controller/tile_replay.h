#pragma once
// Tile replay: a buffer tile that runs alone, on components with nothing
// booked ahead, has an outcome that depends only on what it asks of them. The
// controller records the outcome of such a tile (how long it took from its
// load to the end of its store, every component's action counts, its share
// of the layer's stalls) and, when a tile asks for exactly the same work in
// the same quiet state, adds the recorded outcome instead of simulating it
// again. A design with one buffer slot runs every tile alone (its load waits
// for the previous store), so the tiles of a layer that repeat, such as the
// same rows of the next image of a batch, cost one simulation each. When the
// outcome leaves the array idle for as long as its key found it, the next
// tile that asks for the same work finds the same state, so a run of such
// tiles is replayed at once (Controller::replay_run). And when a tile finds
// the outcome a tile replayed p tiles before found, with only replays in
// between, the state has come back: those p outcomes repeat for as long as
// the tiles ahead do the same p tiles' work (Controller::replay_period).
//
// Exact by construction: a tile is replayed only under the conditions it was
// recorded in (every component idle from the tile's start on, none keeping
// state it cannot describe, the same work down to every pass and the
// payload's fields), and the recorded outcome is integers: ticks of time and
// action counts. tests/test_tile_replay.cpp holds a run with replay equal to
// one without, on every shipped design it applies to.
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <systemc>

#include "arch/component_module.h"
#include "arch/work.h"
#include "schedule/layer_plan.h"

namespace qnnsim {

// Whether runs replay tiles (on by default); `qnnsim run --no-tile-replay`
// simulates every tile, for debugging and for the equality test.
void set_tile_replay(bool on);
bool tile_replay_enabled();
// Tiles replayed in this process so far, the replays that took them (one
// replay may take a run of tiles), and those replays that repeated a period
// of more than one outcome (for tests and benchmarks).
uint64_t tiles_replayed();
uint64_t tile_replays();
uint64_t period_replays();
void count_replayed_tiles(uint64_t tiles, uint64_t period);

// What a tile changed, relative to its start.
struct TileOutcome {
  sc_core::sc_time duration;                      // start of its load to the end of its store
  std::vector<std::vector<uint64_t>> counts;      // per component: action counts added to the layer
  sc_core::sc_time compute, stall_dram, stall_buffer, stall_noc, load_stall;  // added to the layer's timing
  uint64_t dram_bits = 0;
  sc_core::sc_time loaded_at, compute_end;        // when its load ended and its compute ended
  std::optional<sc_core::sc_time> weights_ready;  // when its last weight tile was in the PEs, if it fetched one
  std::optional<sc_core::sc_time> last_pass_start;  // when its last pass started, if it ran a pass
};

// The work a tile asks for: its layer, DRAM traffic, vector operations and,
// for an array layer (`walker` given), its class in the walker, which decides
// every pass it runs (NestWalker::tile_class). Appended to `key`.
void tile_work_key(int layer, const GlbTile& tile, const NestWalker* walker, std::vector<uint64_t>& key);
// The payload's fields (some outlive a transaction). Appended to `key`.
void payload_key(const Work& payload, std::vector<uint64_t>& key);

// Everything a tile asks of the components, and the state it finds them in:
// the layer, the tile's DRAM traffic, its class in the walker (which decides
// every pass it runs, NestWalker::tile_class), the payload's fields (some
// outlive a transaction), and each component's state key.
std::vector<uint64_t> tile_key(int layer, const GlbTile& tile, const NestWalker& walker, const Work& payload,
                               const std::vector<ComponentModule*>& components);

// The outcomes recorded so far, by key.
class TileMemo {
 public:
  const TileOutcome* find(const std::vector<uint64_t>& key) const;
  void store(std::vector<uint64_t> key, TileOutcome outcome) { outcomes_.emplace(std::move(key), std::move(outcome)); }
  void clear() { outcomes_.clear(); }

 private:
  struct KeyHash {
    std::size_t operator()(const std::vector<uint64_t>& key) const;
  };
  std::unordered_map<std::vector<uint64_t>, TileOutcome, KeyHash> outcomes_;
};

}  // namespace qnnsim
