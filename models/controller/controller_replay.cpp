// Tile replay's side of the controller (tile_replay.h): recording a tile that
// ran alone, and replaying known outcomes, one tile, a run of one outcome, or
// a period of several repeated.
#include "controller/controller.h"

#include <algorithm>

#include "schedule/nest_walk.h"

namespace qnnsim {

using sc_core::sc_time;

namespace {
sc_time times(const sc_time& t, uint64_t n) { return sc_time::from_value(t.value() * n); }

// `into` plus `added` times m, element by element; `into` grows as needed.
void add_times(std::vector<uint64_t>& into, const std::vector<uint64_t>& added, uint64_t m) {
  if (into.size() < added.size()) into.resize(added.size(), 0);
  for (std::size_t i = 0; i < added.size(); ++i) into[i] += added[i] * m;
}
}  // namespace

Controller::Replay Controller::settle_recording(uint64_t k, std::size_t l) {
  const sc_time now = sc_core::sc_time_stamp();
  // The tile recorded ran alone if it is the only one since, and all is quiet again.
  if (recording_ && recording_->tile + 1 == k && quiet()) {
    const Recording& r = *recording_;
    const LayerTiming& t = timing_[l];
    TileOutcome o;
    o.duration = now - r.start;
    for (std::size_t c = 0; c < components_.size(); ++c) {
      const std::vector<uint64_t>& row = components_[c]->log().row(static_cast<int>(l));
      std::vector<uint64_t> added(row.size());
      for (std::size_t i = 0; i < row.size(); ++i) added[i] = row[i] - (i < r.counts[c].size() ? r.counts[c][i] : 0);
      o.counts.push_back(std::move(added));
    }
    o.compute = t.compute - r.timing.compute;
    o.stall_dram = t.stall_dram - r.timing.stall_dram;
    o.stall_buffer = t.stall_buffer - r.timing.stall_buffer;
    o.stall_noc = t.stall_noc - r.timing.stall_noc;
    o.load_stall = t.load_stall - r.timing.load_stall;
    o.dram_bits = t.dram_bits - r.timing.dram_bits;
    o.loaded_at = loaded_at_[r.tile] - r.start;
    o.compute_end = compute_end_[r.tile] - r.start;
    if (weights_ready_ != r.weights_ready) o.weights_ready = weights_ready_ - r.start;
    if (last_pass_start_ != r.last_pass_start) o.last_pass_start = last_pass_start_ - r.start;
    memo_.store(r.key, std::move(o));
  }
  recording_.reset();
  // Only a layer's inner tiles: its first and last also begin and end the
  // layer, which the other threads mark; vector tiles are one transaction.
  const uint64_t first = first_tile_[l], last = first + plans_[l].tiles.size() - 1;
  if (k == first) memo_.clear();  // keys name their layer; earlier layers' outcomes are of no more use
  if (k == first || k >= last || !plans_[l].uses_array || !quiet()) {
    replayed_.clear();
    return {};
  }
  Recording r;
  r.tile = k;
  r.key = tile_key(static_cast<int>(l), plans_[l].tiles[k - first], *plans_[l].walker, work_, components_);
  // The array's idle time before the tile counts as waiting for its load.
  r.key.push_back((now - last_compute_end_).value());
  // A known tile is replayed: nothing of its start need be kept.
  if (const TileOutcome* known = memo_.find(r.key)) {
    const uint64_t run = replay_run(k, l, *known, r.key.back());
    if (run == 1)
      if (Replay period = replay_period(k, l, known); period.repeats > 0) return period;
    return {{known}, run};
  }
  replayed_.clear();  // the tile runs: the tiles replayed before it are no period of the ones after
  r.start = now;
  for (const ComponentModule* c : components_) r.counts.push_back(c->log().row(static_cast<int>(l)));
  r.timing = timing_[l];
  r.weights_ready = weights_ready_;
  r.last_pass_start = last_pass_start_;
  recording_ = std::move(r);
  return {};
}

uint64_t Controller::replay_run(uint64_t k, std::size_t l, const TileOutcome& o, uint64_t idle) const {
  if ((o.duration - o.compute_end).value() != idle) return 1;
  const uint64_t first = first_tile_[l], last = first + plans_[l].tiles.size() - 1;
  const NestWalker& walker = *plans_[l].walker;
  std::vector<uint64_t> work, key;
  tile_work_key(static_cast<int>(l), plans_[l].tiles[k - first], &walker, work);
  uint64_t end = k + 1;  // tiles [k, end) do k's work
  while (end < last) {
    const uint64_t run = walker.same_class_run(end - first, 1, end - k).tiles;
    if (run > 0) {
      end = std::min(end + run, last);
      continue;
    }
    key.clear();
    tile_work_key(static_cast<int>(l), plans_[l].tiles[end - first], &walker, key);
    if (key != work) break;
    ++end;
  }
  return end - k;
}

Controller::Replay Controller::replay_period(uint64_t k, std::size_t l, const TileOutcome* known) const {
  // The latest replayed tile with k's outcome had k's key: the memo holds one
  // outcome a key. So the state at k is the one that tile found, and the
  // tiles replayed since, each a function of its key, follow again wherever
  // the tiles ahead do their work again.
  if (replayed_.empty() || replayed_.back().first + 1 != k) return {};
  const auto same = std::find_if(replayed_.rbegin(), replayed_.rend(), [&](const auto& e) { return e.second == known; });
  if (same == replayed_.rend()) return {};
  const uint64_t p = k - same->first;
  const uint64_t first = first_tile_[l], last = first + plans_[l].tiles.size() - 1;
  const NestWalker& walker = *plans_[l].walker;
  // The period's work, tile by tile, found as the tiles ahead are compared.
  std::vector<std::vector<uint64_t>> work(p);
  const auto work_of = [&](uint64_t tile, std::vector<uint64_t>& key) {
    tile_work_key(static_cast<int>(l), plans_[l].tiles[tile - first], &walker, key);
  };
  // Tiles [k, checked) repeat the period, as in Controller::settle_period;
  // the layer's last tile always runs.
  uint64_t checked = k;
  std::vector<uint64_t> key;
  while (checked < last) {
    const uint64_t run = walker.same_class_run(checked - first, p, checked - k).tiles;
    if (run > 0) {
      checked = std::min(checked + run, last);
      continue;
    }
    std::vector<uint64_t>& expected = work[(checked - k) % p];
    if (expected.empty()) work_of(k - p + (checked - k) % p, expected);
    key.clear();
    work_of(checked, key);
    if (key != expected) break;
    ++checked;
  }
  Replay r;
  r.repeats = (checked - k) / p;
  if (r.repeats == 0) return {};
  for (auto e = same.base() - 1; e != replayed_.end(); ++e) r.period.push_back(e->second);
  return r;
}

bool Controller::replay(uint64_t k, std::size_t l, const Replay& replay) {
  if (replay.period.empty()) return false;
  const uint64_t p = replay.period.size(), m = replay.repeats, n = p * m;
  count_replayed_tiles(n, p);
  const sc_time now = sc_core::sc_time_stamp();
  // What one period adds, and where in it each tile starts.
  std::vector<std::vector<uint64_t>> added(components_.size());
  LayerTiming& t = timing_[l];
  sc_time period_time;
  std::vector<sc_time> offset;
  for (const TileOutcome* o : replay.period) {
    for (std::size_t c = 0; c < components_.size(); ++c) add_times(added[c], o->counts[c], m);
    t.compute += times(o->compute, m);
    t.stall_dram += times(o->stall_dram, m);
    t.stall_buffer += times(o->stall_buffer, m);
    t.stall_noc += times(o->stall_noc, m);
    t.load_stall += times(o->load_stall, m);
    t.dram_bits += o->dram_bits * m;
    offset.push_back(period_time);
    period_time += o->duration;
  }
  for (std::size_t c = 0; c < components_.size(); ++c) components_[c]->replay_counts(static_cast<int>(l), added[c]);
  sc_time start = now;  // each tile's, one after another
  for (uint64_t x = 0; x < n; ++x) {
    const TileOutcome& o = *replay.period[x % p];
    loaded_at_[k + x] = start + o.loaded_at;
    compute_end_[k + x] = start + o.compute_end;
    start += o.duration;
  }
  const sc_time last_period = now + times(period_time, m - 1);
  for (uint64_t j = 0; j < p; ++j) {
    const TileOutcome& o = *replay.period[j];
    if (o.weights_ready) weights_ready_ = last_period + offset[j] + *o.weights_ready;
    if (o.last_pass_start) last_pass_start_ = last_period + offset[j] + *o.last_pass_start;
  }
  t.compute_end = compute_end_[k + n - 1];
  last_compute_end_ = compute_end_[k + n - 1];
  // The latest tiles replayed, for the periods ahead (replay_period).
  for (uint64_t x = n > kLongestReplayPeriod ? n - kLongestReplayPeriod : 0; x < n; ++x)
    replayed_.emplace_back(k + x, replay.period[x % p]);
  while (replayed_.size() > kLongestReplayPeriod) replayed_.pop_front();
  // The tiles are loaded, computed and stored; the compute and store threads,
  // waiting for a later tile, skip them when they wake. Every tile before k
  // was stored (quiet), and no period skip lies past the tiles issued, so
  // all three counts move on by n.
  issued_ += n;
  computed_ = issued_;
  stored_ = issued_;
  loader_waits_ = Waiting::Dma;
  loader_until_ = now + times(period_time, m);
  wait(times(period_time, m));
  return true;
}

}  // namespace qnnsim
