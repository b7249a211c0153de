#include "report/report.h"

namespace qnnsim {

namespace {
nlohmann::ordered_json sorted_map(const std::map<std::string, double>& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}
}  // namespace

nlohmann::ordered_json to_json(const RunResult& r) {
  nlohmann::ordered_json j;
  j["arch"] = r.arch;
  j["workload"] = r.workload;
  j["batch"] = r.batch;
  const Summary& s = r.summary;
  j["summary"] = {{"cycles", s.cycles},
                  {"latency_s", s.latency_s},
                  {"macs", s.macs},
                  {"ops", s.ops},
                  {"throughput_gops", s.throughput_gops},
                  {"energy_pj", s.energy_pj},
                  {"energy_per_mac_pj", s.energy_per_mac_pj},
                  {"tops_per_w", s.tops_per_w},
                  {"gops_per_w", s.gops_per_w},
                  {"gops_per_mm2", s.gops_per_mm2},
                  {"pe_utilization_fraction", s.pe_utilization},
                  {"dram_bytes", s.dram_bytes},
                  {"compute_cycles", s.compute_cycles},
                  {"stall_cycles", s.stall_cycles},
                  {"area_mm2", s.area_mm2},
                  {"area_breakdown_mm2", sorted_map(s.area_breakdown_mm2)}};
  j["energy_breakdown_pj"] = sorted_map(s.energy_breakdown_pj);
  j["energy_by_action_pj"] = sorted_map(s.energy_by_action_pj);
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& l : r.layers) {
    nlohmann::ordered_json actions = nlohmann::ordered_json::array();
    for (const auto& a : l.actions)
      actions.push_back({{"component", a.component}, {"action", a.action}, {"count", a.count}, {"energy_pj", a.energy_pj}});
    nlohmann::ordered_json layer = {{"name", l.name},
                      {"type", l.type},
                      {"macs", l.macs},
                      {"cycles", l.cycles},
                      {"latency_s", l.latency_s},
                      {"energy_pj", l.energy_pj},
                      {"pe_utilization_fraction", l.pe_utilization},
                      {"dram_bytes", l.dram_bytes},
                      {"bound_cycles", l.bound_cycles},
                      {"bound_resource", l.bound_resource},
                      {"compute_cycles", l.compute_cycles},
                      {"load_stall_s", l.load_stall_s},
                      {"stall_cycles", l.stall_cycles},
                      {"utilization_fraction", sorted_map(l.utilization)},
                      {"tiling", l.tiling},
                      {"active_pes", l.active_pes},
                      {"energy_breakdown_pj", sorted_map(l.energy_breakdown_pj)},
                      {"actions", actions}};
    if (!l.figures.empty()) layer["figures"] = sorted_map(l.figures);
    if (!l.placement.empty()) layer["placement"] = l.placement;  // hybrid designs: the part it ran on
    if (l.in_memory) {
      const InMemoryLayer& m = *l.in_memory;
      layer["in_memory"] = {{"crossbars", m.crossbars},           {"copies", m.copies},
                            {"imas", m.imas},                     {"segment", m.segment},
                            {"adc_bits_needed", m.adc_bits_needed}, {"adc_clip_fraction", m.adc_clip_fraction},
                            {"adc_conversions", m.adc_conversions}, {"occupancy_fraction", m.occupancy},
                            {"wait_input_s", m.wait_input_s},     {"wait_output_s", m.wait_output_s},
                            {"wait_memory_s", m.wait_memory_s}};
    }
    if (l.dataflow) layer["dataflow"] = dataflow_layer_json(*l.dataflow);
    layers.push_back(layer);
  }
  j["layers"] = layers;
  if (r.in_memory) {
    const InMemorySummary& m = *r.in_memory;
    j["in_memory"] = {{"execution", m.execution},
                      {"segments", m.segments},
                      {"reprogram_s", m.reprogram_s},
                      {"crossbar_utilization_fraction", m.crossbar_utilization},
                      {"adc_conversions", m.adc_conversions},
                      {"adc_energy_fraction", m.adc_energy_share},
                      {"adc_area_fraction", m.adc_area_share},
                      {"adc_bits", m.adc_bits},
                      {"adc_bits_needed", m.adc_bits_needed},
                      {"peak_gops", m.peak_gops},
                      {"peak_power_w", m.peak_power_w},
                      {"published_peak_power_w", m.published_peak_power_w ? nlohmann::ordered_json(*m.published_peak_power_w)
                                                                          : nlohmann::ordered_json(nullptr)},
                      {"peak_power_breakdown_w", sorted_map(m.peak_power_breakdown_w)},
                      {"macro_peak_tops_per_w", m.macro_peak_tops_per_w},
                      {"macro_peak_energy_fj", sorted_map(m.macro_peak_energy_fj)},
                      {"images_per_s", m.images_per_s},
                      {"first_image_latency_s", m.first_image_latency_s},
                      {"pipeline_interval_s", m.pipeline_interval_s},
                      {"warnings", m.warnings}};
  }
  if (r.dataflow) j["dataflow"] = dataflow_json(*r.dataflow);
  if (r.hybrid) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const HybridPart& p : r.hybrid->parts) {
      nlohmann::ordered_json time = nlohmann::ordered_json::array();
      for (const TimeCause& c : p.time) time.push_back({{"cause", c.what}, {"bound", time_bound_name(c.bound)}, {"s", c.seconds}});
      parts.push_back({{"name", p.name},           {"family", p.family},         {"design", p.design},
                       {"clock_hz", p.clock_hz},   {"layers", p.layers},         {"runs", p.runs},
                       {"macs", p.macs},           {"latency_s", p.latency_s},   {"energy_pj", p.energy_pj},
                       {"dram_bytes", p.dram_bytes}, {"area_mm2", p.area_mm2}, {"time", time}});
    }
    j["hybrid"] = {{"runs", r.hybrid->runs},
                   {"parts", parts},
                   {"bound", {{"resource", time_bound_name(r.hybrid->bound)}, {"s", r.hybrid->bound_s}}},
                   {"warnings", r.hybrid->warnings}};
    if (const auto& ps = r.hybrid->placement_search)
      j["hybrid"]["placement_search"] = {{"objective", ps->objective},
                                         {"automatic_value", ps->automatic_value},
                                         {"chosen_value", ps->chosen_value},
                                         {"layers_moved", ps->layers_moved},
                                         {"placements_scored", ps->placements_scored},
                                         {"runs_simulated", ps->runs_simulated},
                                         {"starts", ps->starts},
                                         {"passes", ps->passes},
                                         {"passed_over_for_warnings", ps->passed_over_for_warnings},
                                         {"passed_over_cannot_run", ps->passed_over_cannot_run}};
  }
  if (r.pe_array) j["pe_array"] = {{"peak_gops", r.pe_array->peak_gops}};
  if (r.levels)
    j["level_design"] = {{"objective", r.levels->objective},
                         {"search_s", r.levels->search_s},
                         {"mappings_evaluated", r.levels->mappings_evaluated},
                         {"layers_mapped", r.levels->layers_mapped},
                         {"shapes_searched", r.levels->shapes_searched},
                         {"not_costed", r.levels->not_costed},
                         {"warnings", r.levels->warnings}};
  // Only components with figures beyond their counts appear, so designs
  // without them keep the same keys as before.
  if (!r.component_stats.empty()) {
    nlohmann::ordered_json components = nlohmann::ordered_json::object();
    for (const ComponentStats& c : r.component_stats) {
      nlohmann::ordered_json one = nlohmann::ordered_json::object();
      for (const auto& [name, v] : c.values) one[name] = v;
      for (const auto& [name, v] : c.series) one[name] = v;
      components[c.component] = one;
    }
    j["components"] = components;
  }
  return j;
}

void write_json(const RunResult& r, std::ostream& out) { out << to_json(r).dump(2) << "\n"; }

}  // namespace qnnsim
