#include "design/stage_graph.h"

#include "core/trace_recorder.h"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>

namespace qnnsim {

namespace {
int64_t clamp_row(int64_t r, int64_t rows) { return std::min(std::max<int64_t>(r, 0), rows - 1); }
double now_s() { return sc_core::sc_time_stamp().to_seconds(); }
}  // namespace

PipelinePace pipeline_pace(const std::vector<double>& done, double end_s) {
  PipelinePace p;
  p.first_image_latency_s = done.front();
  p.images_per_s = end_s > 0 ? static_cast<double>(done.size()) / end_s : 0.0;
  if (done.size() > 1) p.interval_s = (done.back() - done.front()) / static_cast<double>(done.size() - 1);
  return p;
}

StageGraph::StageGraph(const Workload& w, Execution execution, const Capacity& capacity)
    : w_(w),
      n_(w.layers.size()),
      sequential_(execution == Execution::LayerSequential),
      rows_(n_ + 1),
      tracks_(n_),
      in_edges_(n_ + 1),
      out_edges_(n_ + 1),
      produced_(n_ + 1, 0),
      available_s_(n_ + 1),
      produced_ev_(n_ + 1),
      freed_ev_(n_ + 1) {
  std::map<std::string, std::size_t> index{{"input", n_}};
  for (std::size_t i = 0; i < n_; ++i) {
    index[w.layers[i].name] = i;
    tracks_[i] = "stage " + w.layers[i].name;
    rows_[i] = w.layers[i].type == LayerType::FC ? 1 : w.layers[i].P;
  }
  rows_[n_] = w.input.H;
  for (std::size_t i = 0; i < n_; ++i)
    for (const auto& name : producers_of(w, i)) {
      StageEdge e;
      e.producer = index.at(name);
      e.consumer = i;
      e.capacity_rows = sequential_ ? std::numeric_limits<int64_t>::max() / 4 : capacity(i, e.producer, rows_[e.producer]);
      in_edges_[i].push_back(edges_.size());
      out_edges_[e.producer].push_back(edges_.size());
      edges_.push_back(e);
    }
  // A consumer never reads a row more than its edge's capacity behind the
  // producer (which blocks), so a ring of that many rows plus one suffices;
  // in sequence a consumer reads only the last row of the batch.
  for (std::size_t i = 0; i <= n_; ++i) {
    int64_t ring = 1;
    if (!sequential_)
      for (std::size_t e : out_edges_[i]) ring = std::max(ring, edges_[e].capacity_rows + 1);
    available_s_[i].assign(static_cast<std::size_t>(std::min(ring, rows_[i] * w.batch)), 0.0);
  }
}

int64_t StageGraph::last_row_needed(std::size_t consumer, std::size_t producer, int64_t row) const {
  const Layer& l = w_.layers[consumer];
  if (l.type == LayerType::FC) return rows_[producer] - 1;
  return clamp_row(row * l.stride - l.padding + (l.R - 1) * l.dilation, rows_[producer]);
}

int64_t StageGraph::first_row_needed(std::size_t consumer, std::size_t producer, int64_t row) const {
  const Layer& l = w_.layers[consumer];
  if (l.type == LayerType::FC) return 0;
  return clamp_row(row * l.stride - l.padding, rows_[producer]);
}

void StageGraph::wait_inputs(std::size_t i, int64_t n, int64_t r) {
  double ready = now_s();
  for (std::size_t e : in_edges_[i]) {
    const std::size_t j = edges_[e].producer;
    const int64_t need = sequential_ ? rows_[j] * w_.batch - 1 : n * rows_[j] + last_row_needed(i, j, r);
    while (produced_[j] <= need) sc_core::wait(produced_ev_[j]);
    ready = std::max(ready, available(j, need));
  }
  const double now = now_s();
  if (ready > now) sc_core::wait(sc_core::sc_time(ready - now, sc_core::SC_SEC));
}

void StageGraph::wait_batches(std::size_t i) {
  for (std::size_t e : in_edges_[i]) {
    const std::size_t j = edges_[e].producer;
    while (produced_[j] < rows_[j] * w_.batch) sc_core::wait(produced_ev_[j]);
  }
}

void StageGraph::wait_room(std::size_t i) {
  for (std::size_t e : out_edges_[i])
    while (produced_[i] - edges_[e].freed >= edges_[e].capacity_rows) sc_core::wait(freed_ev_[i]);
}

void StageGraph::wait_to_start(std::size_t i, int64_t n, int64_t r, double free_at, StageTiming& t) {
  // A stage's time runs from its first row on: what it waits for before
  // that is not a stall of its own (it had not started).
  const bool started = t.start_s >= 0;
  const sc_core::sc_time waited_from = sc_core::sc_time_stamp();
  wait_inputs(i, n, r);
  if (started) t.wait_input_s += now_s() - free_at;
  const double blocked_at = now_s();
  const sc_core::sc_time blocked_from = sc_core::sc_time_stamp();
  wait_room(i);
  if (started) t.wait_output_s += now_s() - blocked_at;
  if (TraceRecorder* tr = trace_recorder(); tr != nullptr && started) {
    const std::string& track = tracks_[i];
    tr->stall(track, "input", static_cast<int>(i), waited_from, blocked_from);
    tr->stall(track, "output", static_cast<int>(i), blocked_from, sc_core::sc_time_stamp());
  }
  if (t.start_s < 0) t.start_s = now_s();
}

void StageGraph::release_window(std::size_t i, int64_t n, int64_t r) {
  if (sequential_) return;
  for (std::size_t e : in_edges_[i]) {
    const std::size_t j = edges_[e].producer;
    edges_[e].freed = std::max(edges_[e].freed, n * rows_[j] + first_row_needed(i, j, r));
    freed_ev_[j].notify(sc_core::SC_ZERO_TIME);
  }
}

void StageGraph::release_image(std::size_t i, int64_t n) {
  if (sequential_) return;
  for (std::size_t e : in_edges_[i]) {
    const std::size_t j = edges_[e].producer;
    edges_[e].freed = std::max(edges_[e].freed, (n + 1) * rows_[j]);
    freed_ev_[j].notify(sc_core::SC_ZERO_TIME);
  }
}

void StageGraph::check_finished() const {
  for (std::size_t i = 0; i < n_; ++i)
    if (produced_[i] < rows_[i] * w_.batch)
      throw std::logic_error("internal error: the simulation stopped with layer " + w_.layers[i].name + " at " +
                             std::to_string(produced_[i]) + " of its " + std::to_string(rows_[i] * w_.batch) +
                             " output rows: a stage waited for a row that never came. Please report it with the "
                             "architecture and workload files");
}

void StageGraph::publish(std::size_t i, int64_t index, double available_s) {
  available(i, index) = available_s;
  ++produced_[i];
  produced_ev_[i].notify(sc_core::SC_ZERO_TIME);
}

}  // namespace qnnsim
