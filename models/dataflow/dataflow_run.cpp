#include "dataflow/dataflow_run.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/whole_cycles.h"
#include "dataflow/dataflow_pipeline.h"
#include "dataflow/engine_costs.h"
#include "dataflow/engines.h"

namespace qnnsim {

namespace {

const char* engine_name(EngineKind k) {
  return k == EngineKind::MatrixVector ? "matrix_vector" : k == EngineKind::Pool ? "pool" : "add";
}

}  // namespace

RunResult run_dataflow(const DataflowArch& arch, const Workload& w) {
  const std::vector<Engine> engines = build_engines(arch, w);
  const auto actions = count_engine_actions(arch, w, engines);

  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  DataflowPipeline pipeline("dataflow", arch, w, engines);
  sc_core::sc_start();
  pipeline.check_finished();

  const double hz = arch.tech.clock_hz;
  RunResult r;
  r.arch = arch.name;
  r.workload = w.name;
  r.batch = w.batch;
  r.clock_hz = hz;
  Summary& s = r.summary;
  DataflowSummary d;
  d.execution = execution_name(arch.execution);
  d.lane_budget = arch.lane_budget;
  d.resource_budget = arch.resource_budget;
  d.resources_used = engines_resources(arch, engines);
  d.target_images_per_s = arch.target_images_per_s;
  d.weight_memory_bits = arch.weight_memory_bits;

  double end_s = 0, lane_busy_s = 0;
  for (const StageTiming& t : pipeline.stages()) end_s = std::max(end_s, t.end_s);
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const Engine& e = engines[i];
    const StageTiming& t = pipeline.stages()[i];
    LayerResult lr;
    lr.name = l.name;
    lr.type = layer_type_name(l.type);
    lr.macs = l.macs() * w.batch;
    lr.latency_s = t.end_s - std::max(t.start_s, 0.0);
    lr.cycles = static_cast<uint64_t>(std::ceil(lr.latency_s * hz - 1e-6));
    // After its last row the network's last layer still streams its outputs
    // out of the port: that drain ends the layer's time too.
    const double drain_s = std::max(0.0, t.end_s - std::max(t.computed_s, t.start_s));
    const std::vector<uint64_t> split =
        split_whole_cycles(lr.cycles, {t.busy_s * hz, t.wait_input_s * hz, t.wait_output_s * hz, drain_s * hz});
    lr.compute_cycles = split[0];
    lr.stall_cycles = {{"input", split[1]}, {"output", split[2]}, {"drain", split[3]}};
    lr.bound_cycles = static_cast<uint64_t>(e.image_cycles() * w.batch);
    lr.bound_resource = e.kind == EngineKind::MatrixVector ? "lanes" : "channels";
    lr.tiling = e.kind == EngineKind::MatrixVector ? fmt::format("PE {} x SIMD {}{}", e.pe, e.simd, e.chosen ? " (chosen)" : "")
                                                   : fmt::format("PE {}", e.pe);
    lr.active_pes = e.lanes();
    lr.pe_utilization = end_s > 0 ? t.busy_s / end_s : 0.0;
    DataflowLayer dl;
    dl.engine = engine_name(e.kind);
    dl.mac_class = e.mac_class;
    dl.pe = e.pe;
    dl.simd = e.kind == EngineKind::MatrixVector ? e.simd : 0;
    dl.folding_chosen = e.chosen;
    dl.lanes = e.lanes();
    dl.cycles_per_image = e.image_cycles();
    dl.weight_bits = e.kind == EngineKind::MatrixVector ? static_cast<double>(l.weight_count() * l.precision.weights.bits) : 0.0;
    dl.line_buffer_bits = line_buffer_bits(l);
    dl.fifo_bits = fifo_bits(arch, l);
    dl.occupancy = lr.pe_utilization;
    dl.wait_input_s = t.wait_input_s;
    dl.wait_output_s = t.wait_output_s;
    for (const ActionResult& a : actions[i]) {
      lr.actions.push_back(a);
      lr.energy_pj += a.energy_pj;
      lr.energy_breakdown_pj[a.component] += a.energy_pj;
      if (a.component == "io") lr.dram_bytes += static_cast<double>(a.count) / 8.0;
    }
    if (e.kind == EngineKind::MatrixVector) {
      lane_busy_s += t.busy_s * static_cast<double>(e.lanes());
      d.lanes += e.lanes();
      d.weight_bits += dl.weight_bits;
      d.peak_gops += 2.0 * static_cast<double>(e.lanes()) / static_cast<double>(e.step_cycles) * hz / 1e9;
    }
    if (e.image_cycles() > d.slowest_cycles_per_image) {
      d.slowest_cycles_per_image = e.image_cycles();
      d.slowest_layer = l.name;
    }
    lr.dataflow = dl;
    add_layer_totals(s, lr);
    r.layers.push_back(std::move(lr));
  }
  r.pes = d.lanes;
  s.latency_s = end_s;
  s.cycles = static_cast<uint64_t>(std::ceil(end_s * hz - 1e-6));
  s.pe_utilization = end_s > 0 && d.lanes > 0 ? lane_busy_s / (static_cast<double>(d.lanes) * end_s) : 0.0;
  s.area_breakdown_mm2 = dataflow_area_mm2(arch, w, engines);
  for (const auto& [k, v] : s.area_breakdown_mm2) s.area_mm2 += v;
  finish_summary(s);

  const PipelinePace pace = pipeline_pace(pipeline.image_done_s(), end_s);
  d.first_image_latency_s = pace.first_image_latency_s;
  d.images_per_s = pace.images_per_s;
  d.pipeline_interval_s = pace.interval_s;
  r.dataflow = d;
  return r;
}

}  // namespace qnnsim
