#include "sim/simulation.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "controller/controller.h"
#include "core/whole_cycles.h"
#include "sim/energy_model.h"
#include "schedule/host_im2col.h"
#include "schedule/plan_counts.h"
#include "schedule/mapper.h"

namespace qnnsim {

namespace {

uint64_t count_of(const LayerResult& l, const std::string& component, const std::string& action) {
  uint64_t n = 0;
  for (const auto& a : l.actions)
    if (a.component == component && a.action == action) n += a.count;
  return n;
}

// Fraction of each level's bandwidth (and the buffer's capacity) a layer used.
std::map<std::string, double> level_utilization(const ArchSpec& arch, const LayerPlan& plan, const LayerResult& l) {
  std::map<std::string, double> u;
  if (l.latency_s <= 0) return u;
  const double cycles = l.latency_s * arch.tech.clock_hz;
  const auto& glb = arch.glb->instance();
  const double glb_accesses =
      static_cast<double>(count_of(l, glb, std::string(kBufferGroup) + ".read") +
                          count_of(l, glb, std::string(kBufferGroup) + ".write"));
  u["dram_bandwidth"] = l.dram_bytes * 8 / (arch.dram->bandwidth_bits_per_s() * l.latency_s);
  u["glb_bandwidth"] = glb_accesses / (static_cast<double>(arch.glb->banks()) * cycles);
  u["noc_bandwidth"] = static_cast<double>(count_of(l, arch.noc->instance(), "noc.sent_bits")) /
                       (static_cast<double>(arch.noc->total_width_bits()) * cycles);
  u["glb_capacity"] = static_cast<double>(plan.footprint_bits) / arch.glb->capacity_bits();
  return u;
}

// Layer and network figures from the controller's timing and the logs.
RunResult collect(const ArchSpec& arch, const Workload& w, const std::vector<LayerPlan>& plans,
                  const Controller& ctrl, const std::vector<const ComponentModule*>& modules) {
  RunResult r;
  r.arch = arch.name;
  r.workload = w.name;
  r.batch = w.batch;
  r.clock_hz = arch.tech.clock_hz;
  r.pes = arch.pe_array->rows() * arch.pe_array->cols();
  Summary& s = r.summary;
  PeArraySummary array;
  double timed_total = 0, slots_total = 0;  // MACs the array spent time on, and those it had time for
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const LayerTiming& t = ctrl.timing()[i];
    LayerResult lr;
    lr.name = l.name;
    lr.type = layer_type_name(l.type);
    lr.tiling = plans[i].tiling;
    if (plans[i].uses_array) {
      // The peak is the array's rate at the slowest precision the run uses.
      const double peak = 2.0 * arch.pe_array->peak_macs_per_cycle(l.precision) * arch.tech.clock_hz / 1e9;
      array.peak_gops = array.peak_gops == 0 ? peak : std::min(array.peak_gops, peak);
      // Rows of fused lanes count the PEs that hold them (ArraySpec::unit_rows).
      int64_t rows = 1, cols = 1;
      for (int d = 0; d < kDims; ++d) {
        rows *= plans[i].mapping.rows[static_cast<std::size_t>(d)];
        cols *= plans[i].mapping.cols[static_cast<std::size_t>(d)];
      }
      lr.active_pes = arch.pe_array->unit_rows(rows, l.precision) * cols;
    }
    lr.macs = l.macs() * w.batch;
    lr.latency_s = (t.end - t.start).to_seconds();
    // Whole cycles of the core clock; the tiny epsilon absorbs time-resolution rounding.
    lr.cycles = static_cast<uint64_t>(std::ceil(lr.latency_s * arch.tech.clock_hz - 1e-6));
    lr.load_stall_s = t.load_stall.to_seconds();
    // The controller charges every cycle the array does not compute to a
    // stall: the layer's whole cycles are split between them.
    const auto exact = [&](const sc_core::sc_time& x) { return x.to_seconds() * arch.tech.clock_hz; };
    const std::vector<uint64_t> split = split_whole_cycles(
        lr.cycles, {exact(t.compute), exact(t.stall_dram), exact(t.stall_buffer), exact(t.stall_noc)});
    lr.compute_cycles = split[0];
    lr.stall_cycles = {{"dram", split[1]}, {"buffer", split[2]}, {"noc", split[3]}};
    lr.dram_bytes = static_cast<double>(t.dram_bits) / 8.0;
    // The MACs that took the array's time over those it could have done in
    // the layer's cycles: at the layer's widths where the array runs it (a
    // PE may do several MACs a cycle, or one in several), its PEs idle one
    // MAC a cycle where it does not.
    const double per_cycle =
        plans[i].uses_array ? arch.pe_array->peak_macs_per_cycle(l.precision) : static_cast<double>(r.pes);
    const double slots = per_cycle * static_cast<double>(lr.cycles);
    const double timed = plans[i].uses_array ? static_cast<double>(arch.pe_array->timed_macs(lr.macs, l.precision)) : 0.0;
    lr.pe_utilization = slots > 0 ? timed / slots : 0.0;
    timed_total += timed;
    slots_total += slots;
    attribute_energy(modules, static_cast<int>(i), lr);
    lr.utilization = level_utilization(arch, plans[i], lr);
    const LatencyBound bound = plan_latency_bound(arch, l, plans[i]);
    lr.bound_cycles = static_cast<uint64_t>(std::ceil(bound.seconds * arch.tech.clock_hz - 1e-6));
    lr.bound_resource = bound.bottleneck;

    // Layers run one after another: their times add up.
    s.cycles += lr.cycles;
    s.latency_s += lr.latency_s;
    add_layer_totals(s, lr);
    r.layers.push_back(std::move(lr));
  }
  s.pe_utilization = slots_total > 0 ? timed_total / slots_total : 0.0;
  for (const ComponentSpec* c : arch.components()) {
    s.area_breakdown_mm2[c->instance()] = c->area_mm2();
    s.area_mm2 += c->area_mm2();
  }
  finish_summary(s);
  r.pe_array = array;
  return r;
}

}  // namespace

RunResult run_simulation(const ArchSpec& arch, const Workload& w, const GivenMappings* given) {
  const Workload received = as_array_receives(arch, w);
  return run_plans(arch, received, plan_workload(arch, received, given));
}

RunResult run_plans(const ArchSpec& arch, const Workload& w, const std::vector<LayerPlan>& plans) {
  // Femtosecond resolution keeps clocks such as 1.2 GHz exact enough in cycles.
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  std::unique_ptr<ComponentModule> dram = arch.dram->build("dram");
  std::unique_ptr<ComponentModule> glb = arch.glb->build("glb");
  std::unique_ptr<ComponentModule> noc = arch.noc->build("noc");
  std::unique_ptr<ComponentModule> array = arch.pe_array->build("pe_array");
  std::unique_ptr<ComponentModule> vector = arch.vector_unit->build("vector_unit");
  const std::vector<const ComponentModule*> modules = {dram.get(), glb.get(), noc.get(), array.get(), vector.get()};
  for (ComponentModule* m : {dram.get(), glb.get(), noc.get(), array.get(), vector.get()}) m->prepare(w.layers);

  Controller ctrl("controller", arch, w, plans);
  ctrl.dram.bind(dram->socket);
  ctrl.glb.bind(glb->socket);
  ctrl.noc.bind(noc->socket);
  ctrl.array.bind(array->socket);
  ctrl.vector.bind(vector->socket);
  ctrl.set_components({dram.get(), glb.get(), noc.get(), array.get(), vector.get()});

  sc_core::sc_start();
  // What components spend by time (DRAM refresh and standby) is counted once
  // the layers' spans are known, before the energy model prices the counts.
  for (ComponentModule* m : {dram.get(), glb.get(), noc.get(), array.get(), vector.get()})
    for (std::size_t l = 0; l < plans.size(); ++l)
      m->account_time(static_cast<int>(l), ctrl.timing()[l].start.to_seconds(), ctrl.timing()[l].end.to_seconds());
  RunResult r = collect(arch, w, plans, ctrl, modules);
  for (const ComponentModule* m : modules) {
    if (auto s = m->stats(r.summary.latency_s)) r.component_stats.push_back(std::move(*s));
    for (std::size_t l = 0; l < r.layers.size(); ++l)
      m->layer_figures(static_cast<int>(l), (ctrl.timing()[l].end - ctrl.timing()[l].start).to_seconds(), r.layers[l].figures);
  }
  return r;
}

}  // namespace qnnsim
