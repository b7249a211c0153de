// Periodic replay's side of the controller (periodic_replay.h): the state at a
// tile's start, and the skip of the periods the tiles ahead repeat.
#include "controller/controller.h"

#include <algorithm>

#include "core/trace_recorder.h"

namespace qnnsim {

using sc_core::sc_time;

namespace {
// How far a time lies ahead of now, 0 when it has passed. Every time the state
// holds is compared with or waited for from now on, and one already past acts
// as now does: a tile loaded earlier is ready now, a weight tile that arrived
// earlier is there now (controller.cpp's uses), so a long-past time, such as
// an array layer's last pass seen from the vector layer after it, does not
// keep two equal states apart.
uint64_t ahead(const sc_time& t, const sc_time& now) { return t > now ? (t - now).value() : 0; }
sc_time times(const sc_time& t, uint64_t m) { return sc_time::from_value(t.value() * m); }
}  // namespace

LayerProgress Controller::progress(std::size_t l, uint64_t index) const {
  LayerProgress p;
  p.tile = index;
  // The time the run has taken, the periods skipped included: a period that
  // spans a skip took their time too.
  p.at = sc_core::sc_time_stamp() + skipped_time_;
  for (const ComponentModule* c : components_) p.counts.push_back(c->log().row(static_cast<int>(l)));
  const LayerTiming& t = timing_[l];
  p.times = {t.compute, t.stall_dram, t.stall_buffer, t.stall_noc, t.load_stall};
  p.dram_bits = t.dram_bits;
  return p;
}

std::vector<uint64_t> Controller::period_state(std::size_t l, uint64_t index) const {
  const sc_time now = sc_core::sc_time_stamp();
  const LayerPlan& plan = plans_[l];
  const NestWalker* walker = plan.uses_array ? plan.walker.get() : nullptr;
  std::vector<uint64_t> s;
  s.reserve(256);
  // A thread's time to wait until counts only while it waits for a time.
  const bool loader_timed = loader_waits_ == Waiting::Dma;
  const bool storer_timed = storer_waits_ == Waiting::Ready || storer_waits_ == Waiting::Store;
  s.insert(s.end(), {static_cast<uint64_t>(l), static_cast<uint64_t>(slots_free_), issued_ - index, index - stored_,
                     ahead(last_compute_end_, now), ahead(weights_ready_, now), ahead(last_pass_start_, now),
                     static_cast<uint64_t>(loader_waits_), loader_timed ? ahead(loader_until_, now) : 0,
                     static_cast<uint64_t>(storer_waits_), storer_timed ? ahead(storer_until_, now) : 0});
  // The tiles in flight are contiguous (settle_period checks): being stored,
  // computed, and loaded ahead.
  for (uint64_t k = stored_; k < issued_; ++k) {
    tile_work_key(static_cast<int>(l), plan.tiles[k - first_tile_[l]], walker, s);
    s.push_back(ahead(k < index ? compute_end_[k] : loaded_at_[k], now));
  }
  payload_key(work_, s);
  for (const ComponentModule* c : components_) {
    c->state_key(s);
    c->calendars_key(now, s);
  }
  return s;
}

void Controller::settle_period(std::size_t l, uint64_t index) {
  if (!tile_replay_enabled() || trace_recorder() != nullptr || components_.empty()) return;
  if (l != periods_layer_) {
    periods_.clear();
    periods_layer_ = l;
  }
  // Only a layer's inner tiles: its first begins the layer, whose start the
  // first tile's wait is measured from. The tiles in flight must be
  // contiguous, none of them on either side of an earlier skip.
  const uint64_t first = first_tile_[l], last = first + plans_[l].tiles.size() - 1;
  if (index == first || stored_ < after_last_skip_ || stored_ < first) return;
  for (const ComponentModule* c : components_)
    if (!c->replayable()) return;
  const LayerPlan& plan = plans_[l];
  const NestWalker* walker = plan.uses_array ? plan.walker.get() : nullptr;
  const auto work_of = [&](uint64_t k, std::vector<uint64_t>& key) {
    tile_work_key(static_cast<int>(l), plan.tiles[k - first], walker, key);
  };
  // A period's tiles are the p loaded before now, by index: tiles an earlier
  // skip stepped over are among them, their work the same as the tiles
  // simulated in their place.
  const auto loaded = [&](uint64_t p) {
    std::vector<std::vector<uint64_t>> tiles(p);
    for (uint64_t x = 0; x < p; ++x) work_of(issued_ - p + x, tiles[x]);
    return tiles;
  };
  const PeriodFinder::Cycle* cycle = periods_.observe(period_state(l, index), progress(l, index), loaded);
  if (cycle == nullptr) return;

  // Tiles ahead are skipped in whole periods while each does the same work as
  // its counterpart in the period. The layer's last tile always runs: it ends
  // the layer, which the storer marks. Tiles [issued_, checked) are known to
  // repeat the period; so is a run of tiles that each repeat the tile a whole
  // number of periods before them (NestWalker::same_class_run; a vector
  // layer's tiles, one period before, TileRange::alike_run), as long as
  // those lie among the tiles checked: a long run of a layer's tiles is not
  // compared one by one.
  const Period& period = cycle->period;
  const uint64_t p = period.tiles;
  uint64_t checked = issued_;
  std::vector<uint64_t> key;
  while (checked < last) {
    const uint64_t run = walker != nullptr ? walker->same_class_run(checked - first, p, checked - issued_).tiles
                         : p <= checked - issued_ ? plan.tiles.alike_run(checked - first, p, last - first)
                                                  : 0;
    if (run > 0) {
      checked = std::min(checked + run, last);
      continue;
    }
    key.clear();
    work_of(checked, key);
    if (key != cycle->tiles[(checked - issued_) % p]) break;
    ++checked;
  }
  const uint64_t m = (checked - issued_) / p;
  if (m == 0) return;

  for (std::size_t c = 0; c < components_.size(); ++c) {
    std::vector<uint64_t> added = period.counts[c];
    for (uint64_t& v : added) v *= m;
    components_[c]->replay_counts(static_cast<int>(l), added);
  }
  LayerTiming& t = timing_[l];
  sc_time* fields[] = {&t.compute, &t.stall_dram, &t.stall_buffer, &t.stall_noc, &t.load_stall};
  for (std::size_t i = 0; i < period.times.size(); ++i) *fields[i] += times(period.times[i], m);
  t.dram_bits += period.dram_bits * m;
  skipped_time_ += times(period.duration, m);
  // The loader goes on with the tile after the skipped ones; the compute and
  // store threads step over them when they get there (next_tile).
  skipped_[issued_] = issued_ + m * p;
  issued_ += m * p;
  after_last_skip_ = issued_;
  count_tiles_skipped_by_periods(m * p);
}

}  // namespace qnnsim
