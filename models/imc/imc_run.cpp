#include "imc/imc_run.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/whole_cycles.h"
#include "imc/imc_costs.h"
#include "imc/layer_actions.h"
#include "imc/pipeline.h"
#include "imc/placement.h"

namespace qnnsim {

namespace {

void add_warnings(const ImcArch& arch, const Workload& w, const ChipPlacement& place, InMemorySummary& m) {
  if (arch.ima.crossbar.is_xnor_sram()) {
    if (arch.ima.adc.resolution_bits() < place.adc_bits_needed)
      m.warnings.push_back(fmt::format("the ADCs have {} levels ({:.3g} bits, {} column-sum units apart); {}-row "
                                       "XNOR-SRAM columns sum to one of {} values ({} bits): sums beyond the ADC's "
                                       "reach are clipped (see each layer's adc_clip_fraction)",
                                       arch.ima.adc.levels, arch.ima.adc.resolution_bits(), arch.ima.adc.step,
                                       arch.ima.crossbar.rows, arch.ima.crossbar.rows + 1, place.adc_bits_needed));
  } else if (arch.ima.adc.bits < place.adc_bits_needed)
    m.warnings.push_back(fmt::format("the ADCs have {} bits; {}-row crossbars with {}-bit DACs and {}-bit cells need "
                                     "{}: column sums above the ADC's range are clipped (see each layer's "
                                     "adc_clip_fraction)",
                                     arch.ima.adc.bits, arch.ima.crossbar.rows, arch.ima.dac.bits,
                                     arch.ima.crossbar.bits_per_cell, place.adc_bits_needed));
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    if (place.layers[i].clip_fraction > 1e-6)
      m.warnings.push_back(fmt::format("layer {}: {:.3g}% of ADC conversions are expected to clip", w.layers[i].name,
                                       100.0 * place.layers[i].clip_fraction));
}

// Each directed link's busy share of the run, and the busiest (routing: xy).
ComponentStats link_stats(const ImcPipeline& pipeline, double end_s) {
  ComponentStats s;
  s.component = "router";
  std::vector<double> used;
  double hottest = 0;
  std::size_t hottest_link = 0;
  for (std::size_t l = 0; l < pipeline.link_busy_s().size(); ++l) {
    used.push_back(end_s > 0 ? pipeline.link_busy_s()[l] / end_s : 0.0);
    if (used.back() > hottest) hottest = used.back(), hottest_link = l;
  }
  s.values.push_back({"hottest_link_utilization_fraction", hottest});
  s.values.push_back({"hottest_link", static_cast<double>(hottest_link)});
  s.values.push_back({"mesh_side_routers", static_cast<double>(pipeline.mesh().side())});
  s.series.push_back({"link_utilization_fraction", std::move(used)});
  return s;
}

}  // namespace

RunResult run_in_memory(const ImcArch& arch, const Workload& w, bool weights_in_place) {
  require_resident_weight_layers(w, "the in-memory design '" + arch.file + "'");
  ChipPlacement place = place_network(arch, w);
  if (!weights_in_place) {
    if (!arch.weight_reload)
      throw ConfigError(arch.weight_reload_where, "weight_reload",
                        "the weights of '" + w.name + "' on '" + arch.name +
                            "' must be written before each run, as they do not all fit at once; set weight_reload: "
                            "true (with the cost of writing) in the architecture");
    place.rewrites_weights = true;
  }
  const auto actions = count_layer_actions(arch, w, place);

  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  ImcPipeline pipeline("chip", arch, w, place, arch.execution);
  sc_core::sc_start();
  pipeline.check_finished();

  RunResult r;
  r.arch = arch.name;
  r.workload = w.name;
  r.batch = w.batch;
  r.clock_hz = arch.tech.clock_hz;
  r.pes = arch.total_crossbars();
  Summary& s = r.summary;
  InMemorySummary m;
  m.execution = execution_name(arch.execution);
  m.segments = place.segments;
  m.reprogram_s = pipeline.reprogram_s();
  m.adc_bits = arch.ima.adc.bits;
  m.adc_bits_needed = place.adc_bits_needed;
  m.warnings = pipeline.warnings();
  add_warnings(arch, w, place, m);

  double end_s = 0, crossbar_busy = 0;
  int weight_bits = 1, input_bits = 1;
  for (std::size_t i = 0; i < w.layers.size(); ++i) end_s = std::max(end_s, pipeline.stages()[i].end_s);
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const LayerPlacement& p = place.layers[i];
    const StageTiming& t = pipeline.stages()[i];
    LayerResult lr;
    lr.name = l.name;
    lr.type = layer_type_name(l.type);
    lr.macs = l.macs() * w.batch;
    lr.latency_s = t.end_s - std::max(t.start_s, 0.0);
    lr.cycles = static_cast<uint64_t>(std::ceil(lr.latency_s * arch.tech.clock_hz - 1e-6));
    // After its last row the layer's outputs may still be crossing the
    // routers or the chip I/O: that drain ends the layer's time too.
    const double drain_s = std::max(0.0, t.end_s - std::max(t.computed_s, t.start_s));
    const double hz = arch.tech.clock_hz;
    const std::vector<uint64_t> split =
        split_whole_cycles(lr.cycles, {t.busy_s * hz, t.wait_input_s * hz, t.wait_output_s * hz, t.wait_memory_s * hz,
                                       t.rewrite_s * hz, drain_s * hz});
    lr.compute_cycles = split[0];
    lr.stall_cycles = {{"input", split[1]},   {"output", split[2]}, {"memory", split[3]},
                       {"rewrite", split[4]}, {"drain", split[5]}};
    lr.bound_cycles = static_cast<uint64_t>(std::ceil(p.image_s() * static_cast<double>(w.batch) * arch.tech.clock_hz - 1e-6));
    lr.bound_resource = p.on_crossbars ? "crossbars" : "tile digital units";
    lr.tiling = p.on_crossbars ? fmt::format("{} crossbars x {} copies", p.crossbars, p.copies) : "tile";
    lr.active_pes = p.on_crossbars ? p.crossbars * p.copies : 0;
    lr.pe_utilization = end_s > 0 ? t.busy_s / end_s : 0.0;
    InMemoryLayer im;
    im.crossbars = p.crossbars;
    im.copies = p.copies;
    im.imas = p.imas;
    im.segment = p.segment;
    im.adc_bits_needed = p.adc_bits_needed;
    im.adc_clip_fraction = p.clip_fraction;
    im.occupancy = lr.pe_utilization;
    im.wait_input_s = t.wait_input_s;
    im.wait_output_s = t.wait_output_s;
    im.wait_memory_s = t.wait_memory_s;
    for (const ActionResult& a : actions[i]) {
      lr.actions.push_back(a);
      lr.energy_pj += a.energy_pj;
      lr.energy_breakdown_pj[a.component] += a.energy_pj;
      if (a.component == "adc") im.adc_conversions += a.count;
      if (a.component == "io") lr.dram_bytes += static_cast<double>(a.count) / 8.0;
    }
    lr.in_memory = im;
    if (arch.router.xy_links && lr.latency_s > 0)
      lr.figures["hottest_link_utilization_fraction"] = pipeline.hottest_link_busy_s(i) / lr.latency_s;
    if (p.on_crossbars) {
      crossbar_busy += t.busy_s * static_cast<double>(p.crossbars * p.copies);
      m.crossbar_utilization += static_cast<double>(p.cells_used * p.copies);
      weight_bits = std::max(weight_bits, l.precision.weights.bits);
      input_bits = std::max(input_bits, l.precision.inputs.bits);
    }
    m.adc_conversions += im.adc_conversions;
    add_layer_totals(s, lr);
    r.layers.push_back(std::move(lr));
  }
  s.latency_s = end_s;
  s.cycles = static_cast<uint64_t>(std::ceil(end_s * arch.tech.clock_hz - 1e-6));
  s.pe_utilization = end_s > 0 ? crossbar_busy / (static_cast<double>(arch.total_crossbars()) * end_s) : 0.0;
  s.area_breakdown_mm2 = area_breakdown_mm2(arch);
  for (const auto& [k, v] : s.area_breakdown_mm2) s.area_mm2 += v;
  finish_summary(s);

  // Cells holding weights, over the chips' worth of cells the network occupies
  // in turn: one per segment, and one more per extra part of a split layer.
  int64_t loads = place.segments;
  for (const LayerPlacement& p : place.layers) loads += p.parts - 1;
  m.crossbar_utilization /= static_cast<double>(arch.total_crossbars() * arch.ima.crossbar.cells() * loads);
  m.adc_energy_share = s.energy_pj > 0 ? s.energy_breakdown_pj["adc"] / s.energy_pj : 0.0;
  m.adc_area_share = s.area_mm2 > 0 ? s.area_breakdown_mm2["adc"] / s.area_mm2 : 0.0;
  m.peak_gops = 2.0 * peak_macs_per_s(arch, weight_bits, input_bits) / 1e9;
  m.peak_power_breakdown_w = peak_power_breakdown_w(arch, true);
  for (const auto& [k, v] : m.peak_power_breakdown_w) m.peak_power_w += v;
  if (has_published_powers(arch)) {
    m.published_peak_power_w = 0.0;
    for (const auto& [k, v] : peak_power_breakdown_w(arch, false)) *m.published_peak_power_w += v;
  }
  const MacroPeak macro = macro_peak(arch);
  m.macro_peak_tops_per_w = macro.ops_per_j * 1e-12;
  m.macro_peak_energy_fj = macro.energy_j;
  for (auto& [k, v] : m.macro_peak_energy_fj) v *= 1e15;
  const PipelinePace pace = pipeline_pace(pipeline.image_done_s(), end_s);
  m.first_image_latency_s = pace.first_image_latency_s;
  m.images_per_s = pace.images_per_s;
  m.pipeline_interval_s = pace.interval_s;
  r.in_memory = m;
  if (arch.router.xy_links) r.component_stats.push_back(link_stats(pipeline, end_s));
  return r;
}

}  // namespace qnnsim
