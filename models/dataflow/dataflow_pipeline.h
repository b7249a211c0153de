#pragma once
// A dataflow design's execution as SystemC processes: one thread per engine,
// one feeding the network input through the stream port. Engines hand each
// other output rows through the stage graph (design/stage_graph.h): an engine
// starts an output row once its producers have written the rows its window
// needs and, layer-pipelined, only while each consumer's line buffer and FIFO
// have room; layer-sequential, an engine starts once its producers have
// finished the whole batch. The port to DRAM is a calendar each way, shared by
// every stage that reads the input or writes the output.
#include <cstdint>
#include <vector>

#include <systemc>

#include "core/calendar.h"
#include "dataflow/dataflow_arch.h"
#include "dataflow/engines.h"
#include "design/stage_graph.h"
#include "workload/workload.h"

namespace qnnsim {

class DataflowPipeline : public sc_core::sc_module {
 public:
  DataflowPipeline(sc_core::sc_module_name name, const DataflowArch& arch, const Workload& w,
                   const std::vector<Engine>& engines);

  const std::vector<StageTiming>& stages() const { return timing_; }
  void check_finished() const { graph_.check_finished(); }  // after sc_start
  const std::vector<double>& image_done_s() const { return image_done_; }  // network output per image

 private:
  void feed_input();
  void run_engine(std::size_t i);
  // Cycles to move `bits` through the stream port (whole beats).
  double port_s(double bits) const;
  sc_core::sc_time seconds(double s) const { return sc_core::sc_time(s, sc_core::SC_SEC); }

  const DataflowArch& arch_;
  const Workload& w_;
  const std::vector<Engine>& engines_;
  const std::size_t n_;
  StageGraph graph_;
  Calendar port_in_, port_out_;
  std::vector<StageTiming> timing_;
  std::vector<double> image_done_;
};

}  // namespace qnnsim
