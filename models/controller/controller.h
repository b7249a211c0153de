#pragma once
// Executes layer plans as tile-level TLM transactions with three SC_THREADs:
//   loader  - DRAM -> buffer DMA of each tile into a free buffer slot,
//   compute - array passes (or vector operations) of each loaded tile,
//   storer  - buffer -> DRAM write-back, which frees the slot.
// With two slots the next tile's load overlaps the current compute, so DRAM
// time hides behind compute when bandwidth allows and stalls it when not;
// with one, every load waits for the previous tile's store.
// Layers run in sequence: a layer's loads wait until the previous layer's
// outputs are stored. The compute thread runs ahead in local time under a
// quantum keeper (loosely timed, temporal decoupling). The loader publishes
// each DMA's end time as soon as it books it, so the compute thread
// synchronises only when a DMA is not booked yet, or at quantum boundaries;
// it hands each finished tile to the storer with the time it finished.
// A tile that runs alone on idle components, and repeats one that did
// before, is replayed from its recorded outcome (tile_replay.h): the three
// threads count tiles in members, not in local loops, so a replay moves them
// all on at once. Where tiles overlap, a steady state that repeats is skipped
// in whole periods (periodic_replay.h), and the threads step over the tiles
// skipped (next_tile).
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "arch/arch_spec.h"
#include "arch/component_module.h"
#include "arch/work.h"
#include "controller/periodic_replay.h"
#include "controller/tile_replay.h"
#include "schedule/layer_plan.h"
#include "workload/workload.h"

namespace qnnsim {

// Where a layer's time went. compute + the stalls = end - start: every
// moment of the layer is either the array (or vector unit) working, or the
// array waiting on one cause.
struct LayerTiming {
  sc_core::sc_time start, end;
  sc_core::sc_time compute;       // the array or vector unit busy
  sc_core::sc_time stall_dram;    // waiting for a tile's DRAM load, and the final store drain
  sc_core::sc_time stall_buffer;  // a step held up by the global buffer's bandwidth
  sc_core::sc_time stall_noc;     // a step or a weight load held up by the network
  sc_core::sc_time load_stall;    // the part of stall_dram spent waiting for loads
  sc_core::sc_time compute_end;   // when the layer's last tile finished computing
  uint64_t dram_bits = 0;
};

class Controller : public sc_core::sc_module {
 public:
  using Socket = tlm_utils::simple_initiator_socket<Controller>;
  Socket dram, glb, noc, array, vector;

  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, const ArchSpec& arch, const Workload& workload,
             const std::vector<LayerPlan>& plans);
  ~Controller() override;

  const std::vector<LayerTiming>& timing() const { return timing_; }
  // The components the sockets reach, for tile replay (tile_replay.h).
  void set_components(std::vector<ComponentModule*> components) { components_ = std::move(components); }

 private:
  void loader();
  void compute();
  void storer();

  // Issues one transaction starting at absolute time `at` (not before now);
  // returns its absolute completion time. A zero-size request completes at `at`.
  sc_core::sc_time issue(Socket& socket, Work::Kind kind, int layer, uint64_t bits, const sc_core::sc_time& at);

  // The latest of several completions and which resource it was, for stall causes.
  enum class Cause { Array, Buffer, Noc, Dram };
  struct Finish {
    sc_core::sc_time at;
    Cause cause;
    void merge(const sc_core::sc_time& t, Cause c) {
      if (t > at) {
        at = t;
        cause = c;
      }
    }
  };
  void charge_stall(int layer, Cause cause, const sc_core::sc_time& from, const sc_core::sc_time& to);
  // `index` is the tile's global index.
  sc_core::sc_time run_array_tile(int layer, const LayerPlan& plan, const GlbTile& tile, sc_core::sc_time t,
                                  uint64_t index);
  sc_core::sc_time run_vector_tile(int layer, const GlbTile& tile, sc_core::sc_time t);

  // Tile replay (tile_replay.h). Quiet: every tile before has been stored,
  // every slot is free, nothing else is pending, and every component is
  // replayable and has nothing booked after now.
  bool quiet() const;
  // At the loader's turn for tile `k`: store the outcome of the tile being
  // recorded if it ran alone, then, if tile `k` may be replayed or recorded,
  // return the outcome recorded under its key, or start recording it.
  // Known outcomes, one a tile, that the tiles from `k` on replay: a period
  // of them, repeated. A run of one outcome is a period of one tile.
  struct Replay {
    std::vector<const TileOutcome*> period;
    uint64_t repeats = 0;
  };
  Replay settle_recording(uint64_t k, std::size_t l);
  // How many tiles from `k` on (k's key ending in the array's idle time
  // `idle`) replay `o` in a row: when `o` leaves the array idle for as long
  // at the next tile's start, a tile that does k's work finds the state k
  // found, so its key is k's. Tiles of k's class are found a loop step at a
  // time (NestWalker::same_class_run); the layer's last tile always runs.
  // A replay books nothing, so every component stays idle and nothing is
  // pending: the quiet state holds at each tile of the run unchecked.
  uint64_t replay_run(uint64_t k, std::size_t l, const TileOutcome& o, uint64_t idle) const;
  // When tile `k` finds the outcome `known` that a tile replayed p tiles
  // before it found, and every tile since was replayed: the state at k is
  // the one at that tile, so those p outcomes repeat for as long as the tiles
  // ahead do the p tiles' work again (found as replay_run finds a run, with
  // period p). No repeats when they do not, or when there is no such tile.
  // On `eyeriss_v1` a layer's innermost DRAM loop of a few channel blocks
  // makes neighbouring tiles differ, so runs of one outcome are short.
  Replay replay_period(uint64_t k, std::size_t l, const TileOutcome* known) const;
  // Replays the tiles from `k` on that `replay` names (settle_recording's, in
  // the same loader step, so the memo is untouched in between); false when
  // there is no outcome.
  bool replay(uint64_t k, std::size_t l, const Replay& replay);

  // Periodic replay (periodic_replay.h). At the start of tile `index`, with
  // every thread up to the present: record the state, and when it has come
  // back as a period, skip the periods the tiles ahead repeat.
  void settle_period(std::size_t l, uint64_t index);
  std::vector<uint64_t> period_state(std::size_t l, uint64_t index) const;
  LayerProgress progress(std::size_t l, uint64_t index) const;
  // The tile after `k`, across the tiles a period skipped.
  uint64_t next_tile(uint64_t k) const {
    const auto it = skipped_.find(k + 1);
    return it == skipped_.end() ? k + 1 : it->second;
  }

  const ArchSpec& arch_;
  const Workload& workload_;
  const std::vector<LayerPlan>& plans_;
  std::vector<LayerTiming> timing_;
  std::vector<uint64_t> first_tile_;    // global index of each layer's first tile
  // Per layer: whether finished outputs are requantized, and whether they need
  // zero-point sums (decided once, so the storer issues only work that exists).
  std::vector<char> requantizes_, sums_zero_points_;
  std::vector<sc_core::sc_time> loaded_at_;    // when each tile's DMA finishes (known once booked)
  std::vector<sc_core::sc_time> compute_end_;  // when each tile finished computing (may be ahead of now)
  sc_core::sc_time last_pass_start_;           // start of the most recent tile's last pass

  tlm::tlm_generic_payload payload_;
  Work work_;

  // Hand-offs between the threads, counted in global tile indices.
  uint64_t issued_ = 0, computed_ = 0, stored_ = 0;  // DMAs booked, tiles computed, tiles stored
  int slots_free_ = 2;  // the buffer's tile slots
  sc_core::sc_event issued_ev_, computed_ev_, stored_ev_, slot_ev_;

  sc_core::sc_time weights_ready_;  // when the weight tile in the PEs finished loading
  sc_core::sc_time last_compute_end_;  // when the array (or vector unit) finished its last tile

  // What the loader and the storer wait for, and until when, kept for periodic
  // replay's state: a thread's wait is otherwise known only to the kernel.
  enum class Waiting : uint64_t { Nothing, Layer, Slot, Dma, Computed, Ready, Store };
  Waiting loader_waits_ = Waiting::Nothing, storer_waits_ = Waiting::Nothing;
  sc_core::sc_time loader_until_, storer_until_;

  PeriodFinder periods_;
  std::size_t periods_layer_ = 0;
  std::map<uint64_t, uint64_t> skipped_;  // the first tile a period skipped -> the tile after the skip
  uint64_t after_last_skip_ = 0;          // the tile after the latest skip (tiles before it are not contiguous)
  // Simulated time runs on from a skip's state at once: the time the skipped
  // periods took is added to the layer's end and every later time.
  sc_core::sc_time skipped_time_;
  std::vector<sc_core::sc_time> skipped_before_layer_;

  std::vector<ComponentModule*> components_;
  TileMemo memo_;
  struct Recording {
    uint64_t tile = 0;
    std::vector<uint64_t> key;
    sc_core::sc_time start;
    std::vector<std::vector<uint64_t>> counts;  // per component, the layer's counts at the start
    LayerTiming timing;                         // the layer's timing at the start
    sc_core::sc_time weights_ready, last_pass_start;
  };
  std::optional<Recording> recording_;
  // The latest tiles replayed one after another (tile, outcome), oldest
  // first; emptied when a tile runs. Periods longer than this are not found.
  static constexpr std::size_t kLongestReplayPeriod = 256;
  std::deque<std::pair<uint64_t, const TileOutcome*>> replayed_;
};

}  // namespace qnnsim
