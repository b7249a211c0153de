// Dynamic processes: one thread per stage, spawned at elaboration.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "imc/pipeline.h"

#include "core/trace_recorder.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace qnnsim {

namespace {
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A booking on one of the chip's shared units (a tile's eDRAM, a router, the
// chip I/O), drawn on that unit's track for the `busy` time it held the unit,
// ending at its completion (`done`, an offset from now). Unlike a request-to-
// completion span, bookings of one unit then do not overlap (unless one was
// split over a gap), so each unit stays one track.
void trace_booking(const std::string& track, const char* what, std::size_t layer, const sc_core::sc_time& busy,
                   const sc_core::sc_time& done, double bits) {
  if (TraceRecorder* tr = trace_recorder()) {
    const sc_core::sc_time end = sc_core::sc_time_stamp() + done;
    tr->slice(track, what, static_cast<int>(layer), end - busy, end, static_cast<uint64_t>(bits));
  }
}

const std::string kChipIo = "chip I/O";
}  // namespace

ImcPipeline::ImcPipeline(sc_core::sc_module_name name, const ImcArch& arch, const Workload& w,
                         const ChipPlacement& placement, Execution execution)
    : sc_core::sc_module(name),
      arch_(arch),
      w_(w),
      place_(placement),
      n_(w.layers.size()),
      graph_(w, execution,
             [&](std::size_t i, std::size_t j, int64_t producer_rows) {
               const Layer& l = w.layers[i];
               // Outputs for a later segment wait off chip for the whole batch, as
               // does the network input for a layer in a later segment; a layer
               // in parts takes its producers' whole batch before it starts.
               const int producer_segment = j < w.layers.size() ? placement.layers[j].segment : 0;
               if (producer_segment != placement.layers[i].segment || placement.layers[i].parts > 1)
                 return producer_rows * w.batch;
               // A join (add, concat) waits for its slowest branch; its inputs are
               // held for a whole image so that the faster branch never deadlocks
               // the shared producer upstream.
               if (producers_of(w, i).size() > 1) return producer_rows;
               // Room for the window of one output row plus the rows of the next.
               const auto tiles = layer_tiles(arch, placement.layers[i]);
               const int64_t window = l.type == LayerType::FC ? producer_rows : (l.R - 1) * l.dilation + 1 + l.stride;
               const Shape out = j == w.layers.size() ? w.input : w.layers[j].output_shape();
               const int bits = l.precision.inputs.bits;
               const double row_bits = static_cast<double>(out.C * out.W * bits);
               const double held = arch.tile.edram.size_bits * static_cast<double>(tiles.second - tiles.first + 1);
               const int64_t fits = static_cast<int64_t>(held / row_bits);
               if (fits < window)
                 warnings_.push_back(fmt::format("layer {}: its input window of {} rows ({:.1f} KiB) exceeds the eDRAM of "
                                                 "its {} tile(s) ({:.1f} KiB); modelled as if it fitted",
                                                 l.name, window, window * row_bits / 8192.0,
                                                 tiles.second - tiles.first + 1, held / 8192.0));
               return std::max(window, fits);
             }),
      segment_ev_(static_cast<std::size_t>(placement.segments) + 1),
      segment_ready_(static_cast<std::size_t>(placement.segments), placement.rewrites_weights ? 0 : 1),
      edram_(static_cast<std::size_t>(arch.tiles)),
      routers_(static_cast<std::size_t>(arch.routers())),
      mesh_(arch),
      timing_(n_),
      image_done_(static_cast<std::size_t>(w.batch), 0.0),
      output_layer_(n_ - 1) {
  // Each stage runs on its layer's tile group (its IMAs, or a pool's digital
  // units), so that is the track its rows and waits are drawn on.
  for (std::size_t i = 0; i < n_; ++i) {
    const auto tiles = layer_tiles(arch, placement.layers[i]);
    graph_.set_track(i, tiles.first == tiles.second ? fmt::format("tile {}: {}", tiles.first, w.layers[i].name)
                                                    : fmt::format("tiles {}-{}: {}", tiles.first, tiles.second, w.layers[i].name));
  }
  for (int64_t t = 0; t < arch.tiles; ++t) edram_tracks_.push_back(fmt::format("tile {} eDRAM", t));
  for (int64_t r = 0; r < arch.routers(); ++r) router_tracks_.push_back(fmt::format("router {}", r));
  if (arch.router.xy_links) {
    links_.resize(static_cast<std::size_t>(mesh_.links()));
    link_busy_s_.assign(links_.size(), 0.0);
    link_busy_by_layer_.assign(n_, std::vector<double>(links_.size(), 0.0));
    for (int64_t l = 0; l < mesh_.links(); ++l) link_tracks_.push_back("link " + mesh_.link_name(l));
  }
  sc_core::sc_spawn(sc_bind(&ImcPipeline::feed_input, this), "input");
  for (std::size_t i = 0; i < n_; ++i)
    sc_core::sc_spawn(sc_bind(&ImcPipeline::run_stage, this, i), ("stage_" + w.layers[i].name).c_str());
  if (placement.rewrites_weights) sc_core::sc_spawn(sc_bind(&ImcPipeline::reprogram, this), "reprogram");
}

void ImcPipeline::feed_input() {
  const Layer& first = w_.layers.front();
  const double row_bits = static_cast<double>(w_.input.C * w_.input.W * first.precision.inputs.bits);
  for (int64_t idx = 0; idx < graph_.rows(n_) * w_.batch; ++idx) {
    graph_.wait_room(n_);
    const sc_core::sc_time busy = seconds(row_bits / arch_.io.bandwidth_bits_per_s);
    sc_core::sc_time done = io_.reserve(sc_core::SC_ZERO_TIME, busy, "io");
    trace_booking(kChipIo, "input row", 0, busy, done, row_bits);
    // routing: xy: from the I/O's router over the links to the readers' tiles.
    if (arch_.router.xy_links)
      done = book_trees(first_input_reader(w_), {input_row_tree(mesh_, arch_, w_, place_, row_bits)}, done);
    wait(done);
    graph_.publish(n_, idx, sc_core::sc_time_stamp().to_seconds());
  }
}

void ImcPipeline::run_stage(std::size_t i) {
  const Layer& l = w_.layers[i];
  const LayerPlacement& p = place_.layers[i];
  StageTiming& t = timing_[i];
  const int64_t rows = graph_.rows(i), batch = w_.batch;
  const double row_s = p.image_s() / static_cast<double>(rows);
  const double period = arch_.tech.period_s();
  // Per row: input bits read from the tiles' eDRAM (a window per position on
  // the crossbars, every input once for a pool or add), output flits.
  const double in_values = p.on_crossbars
                               ? static_cast<double>(p.positions) / static_cast<double>(rows) *
                                     static_cast<double>(l.reduction_size() * l.groups)
                               : static_cast<double>(l.input_count()) / static_cast<double>(rows);
  const auto tiles = layer_tiles(arch_, p);
  const int64_t tile_count = tiles.second - tiles.first + 1;
  const int64_t accesses = ceil_div(static_cast<int64_t>(std::ceil(in_values * l.precision.inputs.bits)),
                                    static_cast<int64_t>(arch_.tile.edram.width_bits));
  const int64_t per_tile = ceil_div(accesses, tile_count);
  const int64_t out_bits = l.output_count() / rows * l.precision.outputs.bits;
  const int64_t flits = ceil_div(out_bits, static_cast<int64_t>(arch_.router.link_width_bits));
  const std::size_t router_index = static_cast<std::size_t>(tiles.second / arch_.router.tiles_per_router);
  Calendar& router = routers_[router_index];
  const bool network_output = graph_.network_output(i);
  // Weight reloading: this layer's outputs go off chip for a later segment,
  // and inputs from earlier segments come back, a row's share per row.
  const bool spill_out = place_.spills_out[i];
  double spilled_in_bits = 0;
  for (std::size_t j : place_.spilled_inputs[i])
    spilled_in_bits += static_cast<double>(w_.layers[j].output_count() * w_.layers[j].precision.outputs.bits);
  spilled_in_bits /= static_cast<double>(rows);

  if (p.parts > 1) run_parts(i);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t r = 0; r < rows; ++r) {
      const double free_at = sc_core::sc_time_stamp().to_seconds();
      while (!segment_ready_[static_cast<std::size_t>(p.segment)]) wait(segment_ev_[static_cast<std::size_t>(p.segment)]);
      graph_.wait_to_start(i, n, r, free_at, t);
      // Rows above this row's window are no longer needed.
      graph_.release_window(i, n, r);
      sc_core::sc_time memory_done = sc_core::SC_ZERO_TIME;
      for (int64_t tile = tiles.first; tile <= tiles.second; ++tile) {
        const sc_core::sc_time busy = seconds(static_cast<double>(per_tile) * period);
        const sc_core::sc_time done = edram_[static_cast<std::size_t>(tile)].reserve(sc_core::SC_ZERO_TIME, busy, "edram");
        trace_booking(edram_tracks_[static_cast<std::size_t>(tile)], "read", i, busy, done,
                      static_cast<double>(per_tile * arch_.tile.edram.width_bits));
        memory_done = std::max(memory_done, done);
      }
      if (spilled_in_bits > 0) {
        const sc_core::sc_time busy = seconds(spilled_in_bits / arch_.io.bandwidth_bits_per_s);
        const sc_core::sc_time done = io_.reserve(sc_core::SC_ZERO_TIME, busy, "io");
        trace_booking(kChipIo, "spilled inputs", i, busy, done, spilled_in_bits);
        memory_done = std::max(memory_done, done);
      }
      const sc_core::sc_time compute_done = seconds(row_s);
      t.busy_s += row_s;
      if (memory_done > compute_done) t.wait_memory_s += (memory_done - compute_done).to_seconds();
      wait(std::max(compute_done, memory_done));
      if (TraceRecorder* tr = trace_recorder()) {
        const sc_core::sc_time end = sc_core::sc_time_stamp(), start = end - std::max(compute_done, memory_done);
        tr->slice(graph_.track(i), "row", static_cast<int>(i), start, start + compute_done, static_cast<uint64_t>(out_bits));
        if (memory_done > compute_done) tr->stall(graph_.track(i), "memory", static_cast<int>(i), start + compute_done, end);
      }
      sc_core::sc_time out_done;
      if (arch_.router.xy_links) {
        out_done = send_row(i, r, static_cast<double>(out_bits), network_output || spill_out);
      } else {
        const sc_core::sc_time flit_s = seconds(static_cast<double>(flits) * period);
        out_done = router.reserve(sc_core::SC_ZERO_TIME, flit_s, "router");
        trace_booking(router_tracks_[router_index], "output row", i, flit_s, out_done, static_cast<double>(out_bits));
      }
      if (network_output || spill_out) {
        const sc_core::sc_time io_s = seconds(static_cast<double>(out_bits) / arch_.io.bandwidth_bits_per_s);
        out_done = io_.reserve(out_done, io_s, "io");
        trace_booking(kChipIo, network_output ? "output row" : "spilled outputs", i, io_s, out_done,
                      static_cast<double>(out_bits));
      }
      t.computed_s = sc_core::sc_time_stamp().to_seconds();
      const double available_at = (sc_core::sc_time_stamp() + out_done).to_seconds();
      graph_.publish(i, n * rows + r, available_at);
      t.end_s = std::max(t.end_s, available_at);
      if (i == output_layer_ && r == rows - 1) image_done_[static_cast<std::size_t>(n)] = available_at;
    }
    graph_.release_image(i, n);
  }
  segment_ev_.back().notify(sc_core::SC_ZERO_TIME);  // a layer finished its batch
}

sc_core::sc_time ImcPipeline::send_row(std::size_t i, int64_t r, double out_bits, bool to_io) {
  return book_trees(i, row_trees(mesh_, arch_, w_, place_, i, r, out_bits, to_io), sc_core::SC_ZERO_TIME);
}

sc_core::sc_time ImcPipeline::book_trees(std::size_t i, const std::vector<RowTree>& trees, const sc_core::sc_time& start) {
  const double period = arch_.tech.period_s();
  const sc_core::sc_time hop = seconds(static_cast<double>(arch_.router.router_cycles) * period);
  sc_core::sc_time done = start;
  for (const RowTree& t : trees) {
    const double flits = std::ceil(t.bits / arch_.router.link_width_bits);
    const sc_core::sc_time busy = seconds(flits * period);
    // Through the source's router at one flit a cycle; a link starts a hop
    // after the link feeding it started (wormhole: flits follow the head),
    // and the last router adds a hop before the destination has them.
    done = std::max(done, start + hop + busy);
    std::vector<sc_core::sc_time> started(t.links.size());
    for (std::size_t k = 0; k < t.links.size(); ++k) {
      const sc_core::sc_time ready = (t.parent[k] < 0 ? start : started[static_cast<std::size_t>(t.parent[k])]) + hop;
      const std::size_t link = static_cast<std::size_t>(t.links[k]);
      const sc_core::sc_time link_done = links_[link].reserve(ready, busy, link_tracks_[link].c_str());
      started[k] = link_done - busy;
      link_busy_s_[link] += busy.to_seconds();
      link_busy_by_layer_[i][link] += busy.to_seconds();
      trace_booking(link_tracks_[link], "row", i, busy, link_done, t.bits);
      done = std::max(done, link_done + hop);
    }
  }
  return done;
}

double ImcPipeline::hottest_link_busy_s(std::size_t i) const {
  if (link_busy_by_layer_.empty()) return 0.0;
  const std::vector<double>& b = link_busy_by_layer_[i];
  return *std::max_element(b.begin(), b.end());
}

double ImcPipeline::rewrite_s(double weight_bits, int64_t rows, std::size_t layer) {
  // Weights arrive through the chip I/O while the crossbars are written row by
  // row, all crossbars at once.
  const sc_core::sc_time busy = seconds(weight_bits / arch_.io.bandwidth_bits_per_s);
  const sc_core::sc_time io_done = io_.reserve(sc_core::SC_ZERO_TIME, busy, "io");
  trace_booking(kChipIo, "weights", layer, busy, io_done, weight_bits);
  return std::max(io_done.to_seconds(), static_cast<double>(rows) * *arch_.ima.crossbar.write_time_per_row_s);
}

double ImcPipeline::weight_bits(std::size_t i) const {
  return static_cast<double>(place_.layers[i].copies * w_.layers[i].weight_count() * w_.layers[i].precision.weights.bits);
}

void ImcPipeline::run_parts(std::size_t i) {
  // All but the last part: the whole batch through each, then the next part
  // written. Partial sums wait in the eDRAM, so rows leave only after the last.
  const LayerPlacement& p = place_.layers[i];
  StageTiming& t = timing_[i];
  // The layer starts once its part is written and its inputs are in: the
  // wait before is not a stall of its own.
  while (!segment_ready_[static_cast<std::size_t>(p.segment)]) wait(segment_ev_[static_cast<std::size_t>(p.segment)]);
  graph_.wait_batches(i);
  t.start_s = sc_core::sc_time_stamp().to_seconds();
  for (int64_t part = 1; part < p.parts; ++part) {
    const double compute = p.image_s() * static_cast<double>(w_.batch);
    t.busy_s += compute;
    wait(seconds(compute));
    const double rewrite =
        rewrite_s(weight_bits(i) / static_cast<double>(p.parts), std::min(p.fullest_rows, arch_.ima.crossbar.rows), i);
    reprogram_s_ += rewrite;
    t.rewrite_s += rewrite;
    wait(seconds(rewrite));
  }
}

void ImcPipeline::reprogram() {
  for (int s = 0; s < place_.segments; ++s) {
    // The chip is rewritten only when every layer of the previous segment is done.
    for (std::size_t i = 0; i < n_; ++i)
      while (place_.layers[i].segment == s - 1 && graph_.produced(i) < graph_.rows(i) * w_.batch) wait(segment_ev_.back());
    double bits = 0;
    int64_t rows = 0;
    std::size_t first = n_;  // the segment's first layer, whose weights the timeline says are loading
    for (std::size_t i = 0; i < n_; ++i) {
      const LayerPlacement& p = place_.layers[i];
      if (p.segment != s || !p.on_crossbars) continue;
      first = std::min(first, i);
      bits += weight_bits(i) / static_cast<double>(p.parts);
      rows = std::max(rows, std::min(p.fullest_rows, arch_.ima.crossbar.rows));
    }
    const double done = rewrite_s(bits, rows, first == n_ ? 0 : first);
    reprogram_s_ += done;
    wait(seconds(done));
    segment_ready_[static_cast<std::size_t>(s)] = 1;
    segment_ev_[static_cast<std::size_t>(s)].notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qnnsim
