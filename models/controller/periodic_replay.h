#pragma once
// Periodic replay: the steady state of overlapping tiles, extrapolated exactly.
//
// With two buffer slots the next tile loads while one computes and the one
// before is stored, so no tile ever runs alone and tile replay
// (tile_replay.h) never applies. But a layer's tiles repeat (the next
// image's rows, the next block of output channels), and the pipeline of
// loads, passes and stores settles into a cycle: every p tiles it comes back
// to the same state, shifted by a time T. From then on the run is a function
// of that state and of the tiles still to come, so when the tiles ahead
// repeat the last p, the next m periods add m times what one period added
// (every component's action counts, the layer's compute and stall time) and
// take m x T, and the run can go on from the state after them at once.
//
// The state is taken where the compute thread starts a tile, after it has
// synchronised with the kernel and every other thread has run up to the
// present (controller.cpp), and holds everything that decides what follows
// relative to that moment:
//   - the tiles in flight (being stored, being computed, loaded ahead): their
//     work, when their loads end and when their computing ended;
//   - what each of the other two threads waits for, and until when;
//   - when the array last finished, its weights' readiness, its last pass;
//   - the payload's fields that outlive a transaction;
//   - every component's bookings ahead, relative to now, and its own state key.
// Times are offsets from now, so two moments compare equal at any absolute
// time; the compute thread's quantum counts from the tile's start
// (relative_quantum_keeper.h), so nothing it does depends on absolute time.
//
// A period is taken only once it has been seen twice running: the same state
// three times, p tiles apart, adding the same counts and time each time. The
// tiles skipped are exactly those whose work repeats the period's, and the
// layer's last tile always runs, so the state after the skip is the one the
// full simulation reaches there. A confirmed state is used again wherever it
// comes back in the layer, and a period may span earlier skips.
// tests/test_tile_replay.cpp holds every report equal with and without replay
// on every shipped PE-array design at batches 1, 7 and 64; `--no-tile-replay`
// (tile_replay.h's switch) turns both kinds of replay off.
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <systemc>

namespace qnnsim {

// What a layer has counted up to a moment: the components' action counts
// and the layer's compute and stall times (in LayerTiming's order: compute,
// stall_dram, stall_buffer, stall_noc, load_stall) and DRAM bits.
struct LayerProgress {
  uint64_t tile = 0;  // the tile starting at this moment
  sc_core::sc_time at;
  std::vector<std::vector<uint64_t>> counts;  // per component
  std::array<sc_core::sc_time, 5> times;
  uint64_t dram_bits = 0;
};

// What one period of the steady state adds.
struct Period {
  uint64_t tiles = 0;
  sc_core::sc_time duration;
  std::vector<std::vector<uint64_t>> counts;
  std::array<sc_core::sc_time, 5> times;
  uint64_t dram_bits = 0;

  bool operator==(const Period& o) const {
    return tiles == o.tiles && duration == o.duration && counts == o.counts && times == o.times &&
           dram_bits == o.dram_bits;
  }
};

// Tiles this process has skipped by periods so far (for tests and benchmarks).
uint64_t tiles_skipped_by_periods();
void count_tiles_skipped_by_periods(uint64_t tiles);

// The states seen at tile starts of one layer, and the periods they repeat with.
class PeriodFinder {
 public:
  // A period, and the work of the tiles it loads (tile_work_key, in order).
  struct Cycle {
    Period period;
    std::vector<std::vector<uint64_t>> tiles;
  };
  // Records `progress` under `state`. Returns the state's cycle once it is
  // confirmed: the state came back twice, p tiles apart each time, adding the
  // same each time, and `loaded(p)` gave the p tiles loaded in the last of
  // them. From then on the state's cycle is returned whenever it comes back.
  template <typename Loaded>
  const Cycle* observe(std::vector<uint64_t> state, LayerProgress progress, Loaded loaded);
  void clear() { seen_.clear(); }

 private:
  struct Seen {
    LayerProgress last;
    std::optional<Period> since_before;  // between the two latest times it was seen
    std::optional<Cycle> confirmed;
  };
  struct KeyHash {
    std::size_t operator()(const std::vector<uint64_t>& key) const;
  };
  // The period from `before` to `now`.
  static Period between(const LayerProgress& before, const LayerProgress& now);
  std::unordered_map<std::vector<uint64_t>, Seen, KeyHash> seen_;
};

// States kept per layer before all are forgotten: a period longer than this
// many tile starts is not found, and memory stays bounded at any batch (a
// state is a few hundred words).
constexpr std::size_t kMaxPeriodStates = 4096;

template <typename Loaded>
const PeriodFinder::Cycle* PeriodFinder::observe(std::vector<uint64_t> state, LayerProgress progress, Loaded loaded) {
  const auto it = seen_.find(state);
  if (it == seen_.end()) {
    if (seen_.size() >= kMaxPeriodStates) seen_.clear();
    seen_.emplace(std::move(state), Seen{std::move(progress), std::nullopt, std::nullopt});
    return nullptr;
  }
  Seen& s = it->second;
  if (s.confirmed) return &*s.confirmed;
  Period p = between(s.last, progress);
  const bool confirmed = s.since_before && *s.since_before == p;
  s.last = std::move(progress);
  if (!confirmed) {
    s.since_before = std::move(p);
    return nullptr;
  }
  std::vector<std::vector<uint64_t>> tiles = loaded(p.tiles);
  s.confirmed = Cycle{std::move(p), std::move(tiles)};
  return &*s.confirmed;
}

}  // namespace qnnsim
