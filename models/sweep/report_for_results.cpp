#include "sweep/report_for_results.h"

#include <nlohmann/json.hpp>

namespace qnnsim {

namespace {

using Json = nlohmann::ordered_json;

// `from`'s values under `keys`, in `keys`' order, those it has.
Json only(const Json& from, std::initializer_list<const char*> keys) {
  Json out = Json::object();
  for (const char* key : keys)
    if (const auto it = from.find(key); it != from.end()) out[key] = *it;
  return out;
}

}  // namespace

std::string report_for_results(const Json& report) {
  Json out = only(report, {"arch", "workload", "batch", "energy_breakdown_pj", "accuracy"});
  if (const auto s = report.find("summary"); s != report.end())
    out["summary"] = only(*s, {"energy_pj", "latency_s", "area_mm2", "throughput_gops", "gops_per_w",
                               "pe_utilization_fraction", "dram_bytes", "macs", "cycles"});
  // Design families report their warnings in their own sections.
  for (const char* section : {"in_memory", "level_design", "dataflow", "hybrid"})
    if (const auto it = report.find(section); it != report.end() && it->is_object())
      out[section] = only(*it, {"warnings"});
  if (const auto layers = report.find("layers"); layers != report.end()) {
    Json& kept = out["layers"] = Json::array();
    for (const Json& l : *layers)
      kept.push_back(only(l, {"name", "type", "macs", "cycles", "latency_s", "energy_pj", "pe_utilization_fraction",
                              "dram_bytes"}));
  }
  return out.dump();
}

}  // namespace qnnsim
