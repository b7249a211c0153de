// Dynamic processes: one thread per engine, spawned at elaboration.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "dataflow/dataflow_pipeline.h"

#include "core/trace_recorder.h"

#include <algorithm>
#include <cmath>

#include "dataflow/engine_costs.h"

namespace qnnsim {

DataflowPipeline::DataflowPipeline(sc_core::sc_module_name name, const DataflowArch& arch, const Workload& w,
                                   const std::vector<Engine>& engines)
    : sc_core::sc_module(name),
      arch_(arch),
      w_(w),
      engines_(engines),
      n_(w.layers.size()),
      graph_(w, arch.execution,
             [&](std::size_t i, std::size_t, int64_t producer_rows) {
               const Layer& l = w.layers[i];
               // A join waits for its slowest branch: it buffers a whole image of
               // each, so the faster branch never deadlocks a shared producer.
               // A fully connected engine takes a whole image into its input buffer.
               if (producers_of(w, i).size() > 1 || l.type == LayerType::FC) return producer_rows + arch.fifo_rows;
               // The sliding-window unit holds its window and the next row's
               // input; a kernel of one pixel, or a pool, at least that.
               const int64_t window = std::max(line_buffer_rows(l), (l.R - 1) * l.dilation + 1 + l.stride);
               return window + arch.fifo_rows;
             }),
      timing_(n_),
      image_done_(static_cast<std::size_t>(w.batch), 0.0) {
  // Each layer has an engine of its own: its rows and waits go on its track.
  for (std::size_t i = 0; i < n_; ++i) graph_.set_track(i, "engine " + w.layers[i].name);
  sc_core::sc_spawn(sc_bind(&DataflowPipeline::feed_input, this), "input");
  for (std::size_t i = 0; i < n_; ++i)
    sc_core::sc_spawn(sc_bind(&DataflowPipeline::run_engine, this, i), ("engine_" + w.layers[i].name).c_str());
}

double DataflowPipeline::port_s(double bits) const {
  return std::ceil(bits / arch_.io_bits_per_cycle) * arch_.tech.period_s();
}

void DataflowPipeline::feed_input() {
  const double row_bits = static_cast<double>(w_.input.C * w_.input.W * w_.layers.front().precision.inputs.bits);
  for (int64_t idx = 0; idx < graph_.rows(n_) * w_.batch; ++idx) {
    graph_.wait_room(n_);
    // The port's track shows the time each row held it, so its rows never overlap.
    const sc_core::sc_time busy = seconds(port_s(row_bits));
    const sc_core::sc_time done = port_in_.reserve(sc_core::SC_ZERO_TIME, busy, "stream port (in)");
    if (TraceRecorder* tr = trace_recorder())
      tr->slice("stream port in", "input row", 0, sc_core::sc_time_stamp() + done - busy, sc_core::sc_time_stamp() + done,
                static_cast<uint64_t>(row_bits));
    wait(done);
    graph_.publish(n_, idx, sc_core::sc_time_stamp().to_seconds());
  }
}

void DataflowPipeline::run_engine(std::size_t i) {
  const Layer& l = w_.layers[i];
  const Engine& e = engines_[i];
  StageTiming& t = timing_[i];
  const int64_t rows = graph_.rows(i);
  const double row_s = static_cast<double>(e.row_cycles()) * arch_.tech.period_s();
  const double out_row_bits = static_cast<double>(l.output_count() / rows * l.precision.outputs.bits);
  const bool network_output = graph_.network_output(i);
  for (int64_t n = 0; n < w_.batch; ++n) {
    for (int64_t r = 0; r < rows; ++r) {
      const double free_at = sc_core::sc_time_stamp().to_seconds();
      graph_.wait_to_start(i, n, r, free_at, t);
      // The window's first rows are done with; a fully connected engine has
      // copied the whole image into its input buffer.
      if (l.type == LayerType::FC) graph_.release_image(i, n);
      else graph_.release_window(i, n, r);
      t.busy_s += row_s;
      wait(seconds(row_s));
      if (TraceRecorder* tr = trace_recorder())
        tr->slice(graph_.track(i), "row", static_cast<int>(i), sc_core::sc_time_stamp() - seconds(row_s),
                  sc_core::sc_time_stamp(), static_cast<uint64_t>(out_row_bits));
      double available_at = sc_core::sc_time_stamp().to_seconds();
      t.computed_s = available_at;
      if (network_output) {
        const sc_core::sc_time busy = seconds(port_s(out_row_bits));
        const sc_core::sc_time done =
            sc_core::sc_time_stamp() + port_out_.reserve(sc_core::SC_ZERO_TIME, busy, "stream port (out)");
        if (TraceRecorder* tr = trace_recorder())
          tr->slice("stream port out", "output row", static_cast<int>(i), done - busy, done,
                    static_cast<uint64_t>(out_row_bits));
        available_at = done.to_seconds();
      }
      graph_.publish(i, n * rows + r, available_at);
      t.end_s = std::max(t.end_s, available_at);
      if (network_output && r == rows - 1) {
        double& done = image_done_[static_cast<std::size_t>(n)];
        done = std::max(done, available_at);
      }
    }
    if (l.type != LayerType::FC) graph_.release_image(i, n);
  }
}

}  // namespace qnnsim
