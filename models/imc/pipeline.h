#pragma once
// The in-memory chip's execution as SystemC processes: one thread per layer
// (a pipeline stage on its own IMAs, or a pool/add on its tiles' digital
// units), one feeding the network input through the chip I/O, and one
// reprogramming the crossbars between segments when weights are reloaded.
// Stages hand each other output rows: a stage starts a row once its producers
// have written the input rows its window needs, and, layer-pipelined, only
// while the consumers' input buffers have room; layer-sequential, a layer
// starts once its producers have finished the whole batch. Each tile's eDRAM,
// each router and the chip I/O are calendars shared by the stages that use
// them, so contention and stalls between stages come out of the simulation.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "core/calendar.h"
#include "imc/chip_mesh.h"
#include "imc/imc_arch.h"
#include "imc/placement.h"
#include "design/stage_graph.h"
#include "workload/workload.h"

namespace qnnsim {

class ImcPipeline : public sc_core::sc_module {
 public:
  ImcPipeline(sc_core::sc_module_name name, const ImcArch& arch, const Workload& w, const ChipPlacement& placement,
              Execution execution);

  const std::vector<StageTiming>& stages() const { return timing_; }
  void check_finished() const { graph_.check_finished(); }  // after sc_start
  const std::vector<double>& image_done_s() const { return image_done_; }  // network outputs per image
  double reprogram_s() const { return reprogram_s_; }                       // time spent reprogramming
  // routing: xy: seconds each directed link carried flits (imc/chip_mesh.h's link ids).
  const std::vector<double>& link_busy_s() const { return link_busy_s_; }
  // The busiest link's seconds carrying layer i's rows.
  double hottest_link_busy_s(std::size_t i) const;
  const ChipMesh& mesh() const { return mesh_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void feed_input();
  void run_stage(std::size_t i);
  void reprogram();
  void run_parts(std::size_t i);  // a layer larger than the chip: its parts before the last
  // Time to write `weight_bits` into crossbars whose fullest has `rows` rows
  // (booking the bits on the chip I/O); a layer's weight bits, copies included.
  double rewrite_s(double weight_bits, int64_t rows, std::size_t layer);
  double weight_bits(std::size_t i) const;
  // routing: xy: books output row r of layer i on the links of its trees;
  // returns when its last bits arrive, as an offset from now.
  sc_core::sc_time send_row(std::size_t i, int64_t r, double out_bits, bool to_io);
  // Books the trees' links, the first no earlier than `start` from now, their
  // time counted to layer i; returns when the last bits arrive.
  sc_core::sc_time book_trees(std::size_t i, const std::vector<RowTree>& trees, const sc_core::sc_time& start);

  sc_core::sc_time seconds(double s) const { return sc_core::sc_time(s, sc_core::SC_SEC); }

  const ImcArch& arch_;
  const Workload& w_;
  const ChipPlacement& place_;
  const std::size_t n_;  // layers; index n_ is the network input
  std::vector<std::string> warnings_;  // before graph_: its constructor adds to them
  StageGraph graph_;
  std::vector<sc_core::sc_event> segment_ev_;
  std::vector<int> segment_ready_;
  std::vector<Calendar> edram_, routers_;
  Calendar io_;
  std::vector<std::string> edram_tracks_, router_tracks_;  // timeline tracks, named once
  ChipMesh mesh_;
  std::vector<Calendar> links_;  // routing: xy only
  std::vector<double> link_busy_s_;
  std::vector<std::vector<double>> link_busy_by_layer_;  // [layer][link]
  std::vector<std::string> link_tracks_;
  std::vector<StageTiming> timing_;
  std::vector<double> image_done_;
  std::size_t output_layer_ = 0;
  double reprogram_s_ = 0;
};

}  // namespace qnnsim
