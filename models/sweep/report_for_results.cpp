#include "sweep/report_for_results.h"

#include <nlohmann/json.hpp>

namespace qnnsim {

namespace {

using Json = nlohmann::ordered_json;

Json warnings_only(const std::vector<std::string>& warnings) { return Json{{"warnings", warnings}}; }

}  // namespace

std::string report_for_results(const RunResult& r, const Json* accuracy) {
  // In the order the whole report's keys would be picked from it.
  Json out = Json::object();
  out["arch"] = r.arch;
  out["workload"] = r.workload;
  out["batch"] = r.batch;
  const Summary& s = r.summary;
  Json breakdown = Json::object();
  for (const auto& [component, pj] : s.energy_breakdown_pj) breakdown[component] = pj;
  out["energy_breakdown_pj"] = std::move(breakdown);
  if (accuracy) out["accuracy"] = *accuracy;
  out["summary"] = {{"energy_pj", s.energy_pj},
                    {"latency_s", s.latency_s},
                    {"area_mm2", s.area_mm2},
                    {"throughput_gops", s.throughput_gops},
                    {"gops_per_w", s.gops_per_w},
                    {"pe_utilization_fraction", s.pe_utilization},
                    {"dram_bytes", s.dram_bytes},
                    {"macs", s.macs},
                    {"cycles", s.cycles}};
  // Design families report their warnings in their own sections (a dataflow
  // design's section has none).
  if (r.in_memory) out["in_memory"] = warnings_only(r.in_memory->warnings);
  if (r.levels) out["level_design"] = warnings_only(r.levels->warnings);
  if (r.dataflow) out["dataflow"] = Json::object();
  if (r.hybrid) out["hybrid"] = warnings_only(r.hybrid->warnings);
  Json& layers = out["layers"] = Json::array();
  for (const LayerResult& l : r.layers)
    layers.push_back({{"name", l.name},
                      {"type", l.type},
                      {"macs", l.macs},
                      {"cycles", l.cycles},
                      {"latency_s", l.latency_s},
                      {"energy_pj", l.energy_pj},
                      {"pe_utilization_fraction", l.pe_utilization},
                      {"dram_bytes", l.dram_bytes}});
  return out.dump();
}

}  // namespace qnnsim
