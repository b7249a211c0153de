#pragma once
// The row hand-off between the stages of a design whose layers all stay
// resident (in-memory chips, layer-per-engine dataflow designs). Each layer is
// a stage that writes its output rows in order, image after image; index
// `layers()` stands for the network input. A consumer may start an output row
// once its producers have written the input rows its window needs, and a
// producer may write a row only while each consumer's input buffer (an edge's
// capacity, in the producer's rows) has room. Layer-sequential, edges are
// unbounded and a consumer waits for its producers' whole batch.
//
// The calls block the calling SystemC thread (they wait on events), so stalls
// between stages come out of the simulation. The owner keeps the timing.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

#include "design/execution.h"
#include "workload/workload.h"

namespace qnnsim {

// What a stage did with its time, in seconds.
struct StageTiming {
  double start_s = -1, end_s = 0;
  double busy_s = 0;         // computing
  double wait_input_s = 0;   // waiting for producers' rows
  double wait_output_s = 0;  // waiting for room in a consumer's input buffer
  double wait_memory_s = 0;  // a row held up by a shared memory's bandwidth
  double rewrite_s = 0;      // between parts of a layer too large for its crossbars: their weights rewritten
  double computed_s = 0;     // when the stage finished its last row (its outputs may still be in flight)
};

// One producer -> consumer hand-off: what the consumer may hold, in rows.
struct StageEdge {
  std::size_t producer = 0, consumer = 0;  // producer == layers(): the network input
  int64_t capacity_rows = 0;
  int64_t freed = 0;  // producer rows (counted over images) the consumer no longer needs
};

// How a batch left a pipeline, from the time each image's result was out and
// the end of the run: the first image's latency (the pipeline's depth), images
// per second over the run, and the mean interval between images (batch > 1).
struct PipelinePace {
  double first_image_latency_s = 0, images_per_s = 0, interval_s = 0;
};
PipelinePace pipeline_pace(const std::vector<double>& image_done_s, double end_s);

class StageGraph {
 public:
  // Called once per edge, consumers in workload order and each consumer's
  // producers in order, for its capacity in the producer's rows (pipelined only).
  using Capacity = std::function<int64_t(std::size_t consumer, std::size_t producer, int64_t producer_rows)>;
  StageGraph(const Workload& w, Execution execution, const Capacity& capacity);

  std::size_t layers() const { return n_; }
  bool sequential() const { return sequential_; }
  int64_t rows(std::size_t i) const { return rows_[i]; }  // output rows per image (the input's: H)
  bool network_output(std::size_t i) const { return out_edges_[i].empty(); }
  int64_t produced(std::size_t i) const { return produced_[i]; }
  // The timeline track of layer i's unit (its tiles, its engine), where its
  // rows and its waits are drawn; "stage <layer>" until the pipeline names it.
  const std::string& track(std::size_t i) const { return tracks_[i]; }
  void set_track(std::size_t i, std::string name) { tracks_[i] = std::move(name); }

  // Waits until every producer of layer i has written the rows output row r
  // of image n needs, and those rows are readable.
  void wait_inputs(std::size_t i, int64_t n, int64_t r);
  // Waits until every producer of layer i has written its whole batch.
  void wait_batches(std::size_t i);
  // Waits until every consumer of layer i (or of the input) has room for one more row.
  void wait_room(std::size_t i);
  // Both waits before layer i computes output row r of image n, booked in t
  // (input wait counted from `free_at`, when the stage was last free).
  void wait_to_start(std::size_t i, int64_t n, int64_t r, double free_at, StageTiming& t);
  // Pipelined only: the rows above output row r's window, and then the whole
  // image n, are no longer needed by layer i.
  void release_window(std::size_t i, int64_t n, int64_t r);
  void release_image(std::size_t i, int64_t n);
  // Layer i's row `index` (counted over images) is readable from `available_s`.
  void publish(std::size_t i, int64_t index, double available_s);

  // After the simulation: throws std::logic_error naming the first layer that
  // did not write its whole batch. A stage left waiting for a row that never
  // comes is a deadlock in the model, and its figures would be silently short.
  void check_finished() const;

  // Rows of `producer` that consumer row r needs, first and last (within one image).
  int64_t first_row_needed(std::size_t consumer, std::size_t producer, int64_t row) const;
  int64_t last_row_needed(std::size_t consumer, std::size_t producer, int64_t row) const;

 private:
  double& available(std::size_t layer, int64_t row) {
    auto& ring = available_s_[layer];
    return ring[static_cast<std::size_t>(row) % ring.size()];
  }

  const Workload& w_;
  const std::size_t n_;
  const bool sequential_;
  std::vector<int64_t> rows_;
  std::vector<std::string> tracks_;
  std::vector<std::vector<std::size_t>> in_edges_, out_edges_;
  std::vector<StageEdge> edges_;
  std::vector<int64_t> produced_;                 // rows written so far (over images)
  std::vector<std::vector<double>> available_s_;  // when each row became readable, a ring per layer
  std::vector<sc_core::sc_event> produced_ev_, freed_ev_;
};

}  // namespace qnnsim
