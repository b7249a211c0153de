// A sweep point sends the sweep only the part of its report the results file
// reads (sweep/report_for_results.h): the row filled from it must be the row
// the whole report fills.
#include <catch2/catch.hpp>

#include <cstring>

#include <nlohmann/json.hpp>

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

}  // namespace

TEST_CASE("a sweep point's report trimmed for the results file fills the same row", "[sweep]") {
  const auto dir = scratch_dir("report_for_results");
  const std::string out = (dir / "report.json").string();
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/lenet5.yaml") +
                         " --quiet --json " + out,
                     dir / "out.txt", dir / "err.txt") == 0);
  auto report = nlohmann::ordered_json::parse(read_file(out));
  REQUIRE(report.at("layers").size() > 1);
  // The sections other design families add, which this design's report has none of.
  report["in_memory"] = {{"warnings", {"an ADC clips"}}, {"adc_bits", 6}};
  report["hybrid"] = {{"parts", 2}, {"warnings", {"part a: x", "part b: y"}}};
  report["accuracy"] = {{"accuracy_fraction", 0.875}, {"float_accuracy_fraction", 0.9}, {"images", 8},
                        {"adc_clip_fraction", 0.01}};

  PointRecord whole, trimmed;
  fill_from_report(whole, report.dump());
  const std::string sent = report_for_results(report);
  fill_from_report(trimmed, sent);
  CHECK(sent.size() < report.dump().size() / 2);
  CHECK(whole.warnings.size() == 3);
  CHECK(whole.layers.size() == report.at("layers").size());
  check_same_row(whole, trimmed);
}
