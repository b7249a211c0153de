// A sweep point sends the sweep only the figures of its report the results
// file reads, built from the run's result (sweep/report_for_results.h): the
// row filled from them must be the row the whole report fills.
#include <catch2/catch.hpp>

#include <cstring>

#include <nlohmann/json.hpp>

#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "report/report.h"
#include "sweep/report_for_results.h"
#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

void check_same_row(const PointRecord& a, const PointRecord& b) {
  CHECK(a.arch == b.arch);
  CHECK(a.workload == b.workload);
  CHECK(a.batch == b.batch);
  // Compared as bits: a value written out and read back must be the same double.
  for (auto [x, y] : {std::pair{a.energy_pj, b.energy_pj}, std::pair{a.latency_s, b.latency_s},
                      std::pair{a.edp_pj_s, b.edp_pj_s}, std::pair{a.area_mm2, b.area_mm2},
                      std::pair{a.throughput_gops, b.throughput_gops}, std::pair{a.gops_per_w, b.gops_per_w},
                      std::pair{a.pe_utilization, b.pe_utilization}, std::pair{a.dram_bytes, b.dram_bytes}})
    CHECK(std::memcmp(&x, &y, sizeof x) == 0);
  CHECK(a.macs == b.macs);
  CHECK(a.cycles == b.cycles);
  CHECK(a.energy_by_component_pj == b.energy_by_component_pj);
  CHECK(a.warnings == b.warnings);
  CHECK(a.accuracy == b.accuracy);
  CHECK(a.adc_clip_fraction == b.adc_clip_fraction);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerRow &x = a.layers[i], &y = b.layers[i];
    CHECK(x.name == y.name);
    CHECK(x.type == y.type);
    CHECK(x.macs == y.macs);
    CHECK(x.cycles == y.cycles);
    CHECK(std::memcmp(&x.latency_s, &y.latency_s, sizeof x.latency_s) == 0);
    CHECK(std::memcmp(&x.energy_pj, &y.energy_pj, sizeof x.energy_pj) == 0);
    CHECK(std::memcmp(&x.pe_utilization, &y.pe_utilization, sizeof x.pe_utilization) == 0);
    CHECK(std::memcmp(&x.dram_bytes, &y.dram_bytes, sizeof x.dram_bytes) == 0);
  }
}

// The row both fill, for `r` as it is and with the sections other families add.
void check_both_ways(RunResult r) {
  PointRecord whole, trimmed;
  fill_from_report(whole, to_json(r).dump());
  fill_from_report(trimmed, report_for_results(r, nullptr));
  CHECK(whole.layers.size() == r.layers.size());
  check_same_row(whole, trimmed);
}

RunResult run_shipped(const std::string& arch, const std::string& workload, const std::vector<std::string>& bits) {
  Workload w = load_workload(shipped(workload));
  for (const std::string& b : bits) REQUIRE(apply_bits_override(w, b).empty());
  const ConfigNode root = ConfigNode::load_file(shipped(arch));
  install_fresh_systemc_kernel();
  return design_family_of(root).load(root, "")->run(w, RunRequest{});
}

}  // namespace

TEST_CASE("a sweep point's figures sent to the sweep fill the row its whole report fills, on every kind of design",
          "[sweep]") {
  const std::vector<std::string> sixteen = {"weights=16", "inputs=16", "outputs=16", "accumulator=16"};
  SECTION("a PE array, and the sections of the other families") {
    RunResult r = run_shipped("arch/systolic_ws.yaml", "workloads/lenet5.yaml", {});
    REQUIRE(r.layers.size() > 1);
    check_both_ways(r);
    InMemorySummary m;
    m.warnings = {"an ADC clips"};
    r.in_memory = m;
    HybridSummary h;
    h.warnings = {"part a: x", "part b: y"};
    r.hybrid = h;
    LevelRunSummary lv;
    lv.warnings = {"not costed"};
    r.levels = lv;
    r.dataflow = DataflowSummary{};
    check_both_ways(r);
    PointRecord whole;
    fill_from_report(whole, to_json(r).dump());
    CHECK(whole.warnings.size() == 4);
  }
  SECTION("an in-memory chip") { check_both_ways(run_shipped("arch/isaac.yaml", "workloads/lenet5.yaml", sixteen)); }
  SECTION("a dataflow design") { check_both_ways(run_shipped("arch/finn_cnv.yaml", "workloads/finn_cnv.yaml", {})); }
  SECTION("a hybrid") { check_both_ways(run_shipped("arch/isaac_hybrid.yaml", "workloads/lenet5.yaml", sixteen)); }
  SECTION("a level design") {
    check_both_ways(run_shipped("arch/levels/eyeriss_v1.yaml", "workloads/lenet5.yaml", sixteen));
  }
  SECTION("with an accuracy section") {
    const RunResult r = run_shipped("arch/systolic_ws.yaml", "workloads/lenet5.yaml", {});
    const nlohmann::ordered_json accuracy = {{"accuracy_fraction", 0.875}, {"float_accuracy_fraction", 0.9},
                                             {"images", 8}, {"adc_clip_fraction", 0.01}};
    nlohmann::ordered_json report = to_json(r);
    report["accuracy"] = accuracy;
    PointRecord whole, trimmed;
    fill_from_report(whole, report.dump());
    const std::string sent = report_for_results(r, &accuracy);
    fill_from_report(trimmed, sent);
    CHECK(sent.size() < report.dump().size() / 2);
    REQUIRE(trimmed.accuracy);
    CHECK(*trimmed.accuracy == 0.875);
    check_same_row(whole, trimmed);
  }
}
