// The DRAM device in a whole run: LeNet-5 on the systolic design with DDR4
// (arch/systolic_ws_ddr4.yaml). Its reads and writes are the bits the plan
// moves (the counts the closed-form plan predicts), activations, refreshes
// and standby are actions of their own, and the JSON report carries the
// per-bank row-hit rates, refresh time and achieved against peak bandwidth.
// The same holds for Eyeriss with LPDDR4 (arch/eyeriss_v1_lpddr4.yaml): two
// channels of eight banks and no bank groups.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "report/report.h"
#include "sim/simulation.h"
#include "support.h"

namespace qnnsim {
namespace {

TEST_CASE("a run on DDR4 reports row hits per bank, refresh time and bandwidth", "[dram]") {
  const auto arch = load_arch(test::shipped("arch/systolic_ws_ddr4.yaml"));
  const RunResult r = run_simulation(*arch, load_workload(test::shipped("workloads/lenet5.yaml")));
  const nlohmann::ordered_json j = to_json(r);
  REQUIRE(j.contains("components"));
  const auto& dram = j["components"]["dram"];
  const auto& hits = dram["bank_row_hit_fraction"];
  REQUIRE(hits.size() == 16);  // one channel, one rank, 4 bank groups x 4 banks
  for (const auto& h : hits) {
    CHECK(h.get<double>() >= 0.0);
    CHECK(h.get<double>() <= 1.0);
  }
  CHECK(dram["peak_bandwidth_bytes_per_s"].get<double>() == Approx(25.6e9));
  CHECK(dram["transfer_bandwidth_bytes_per_s"].get<double>() > 0);
  CHECK(dram["transfer_bandwidth_bytes_per_s"].get<double>() < dram["peak_bandwidth_bytes_per_s"].get<double>());
  // Refresh costs tRFC / (tREFI - tRFC) = 560 / 11920 of the busy time.
  CHECK(dram["refresh_s"].get<double>() == Approx(dram["busy_s"].get<double>() * 560.0 / 12480.0).epsilon(1e-9));

  // The DRAM's bytes are the plan's; every refresh interval of the run is counted, and
  // standby covers the whole run, picosecond by picosecond.
  uint64_t read_bits = 0, write_bits = 0, refreshes = 0, standby_ps = 0;
  for (const LayerResult& l : r.layers) {
    read_bits += test::action_count(l, "dram", "dram.read_bits");
    write_bits += test::action_count(l, "dram", "dram.write_bits");
    refreshes += test::action_count(l, "dram", "dram.refresh");
    standby_ps += test::action_count(l, "dram", "dram.standby_active_ps") +
                  test::action_count(l, "dram", "dram.standby_precharged_ps");
  }
  CHECK(static_cast<double>(read_bits + write_bits) == Approx(r.summary.dram_bytes * 8));
  CHECK(static_cast<double>(refreshes) == Approx(r.summary.latency_s / 7.8e-6).margin(static_cast<double>(r.layers.size())));
  CHECK(static_cast<double>(standby_ps) == Approx(r.summary.latency_s * 1e12).margin(static_cast<double>(r.layers.size())));
  CHECK(r.summary.energy_breakdown_pj.at("dram") > 0);

  // Each layer's row-hit rate is its own bursts', and the run's lies between
  // the layers' extremes; the CSV carries it in one column of its schema.
  double lo = 1, hi = 0;
  for (const LayerResult& l : r.layers) {
    const auto it = l.figures.find("dram_row_hit_fraction");
    if (it == l.figures.end()) continue;  // a layer that moved nothing
    lo = std::min(lo, it->second);
    hi = std::max(hi, it->second);
  }
  const double run_hits = dram["row_hit_fraction"].get<double>();
  CHECK(run_hits >= lo - 1e-12);
  CHECK(run_hits <= hi + 1e-12);
  std::ostringstream csv;
  write_csv(r, csv);
  const auto rows = test::csv_rows(csv.str());
  REQUIRE(rows.size() == r.layers.size());
  CHECK(std::stod(rows[0].at("dram_row_hit_fraction")) == Approx(r.layers[0].figures.at("dram_row_hit_fraction")));
  CHECK(rows[0].at("hottest_link_utilization_fraction").empty());
}

TEST_CASE("Eyeriss on an LPDDR4 device: two channels of eight banks, refresh at tRFC / tREFI, each rank in standby throughout",
          "[dram]") {
  const auto arch = load_arch(test::shipped("arch/eyeriss_v1_lpddr4.yaml"));
  Workload w = load_workload(test::shipped("workloads/lenet5.yaml"));
  for (Layer& l : w.layers)  // Eyeriss' datapath is 16 bits wide throughout
    for (Tensor t : {Tensor::Weights, Tensor::Inputs, Tensor::Outputs, Tensor::Accumulator}) l.precision[t].bits = 16;
  const RunResult r = run_simulation(*arch, w);
  const nlohmann::ordered_json j = to_json(r);
  const auto& dram = j["components"]["dram"];
  CHECK(dram["bank_row_hit_fraction"].size() == 16);
  // JESD209-4: a x32 device is two 16-bit channels at 3200 MT/s.
  CHECK(dram["peak_bandwidth_bytes_per_s"].get<double>() == Approx(2 * 2 * 3200e6));
  // configs/dram/lpddr4_3200.yaml: tRFC 448 and tREFI 6246 cycles.
  CHECK(dram["refresh_s"].get<double>() == Approx(dram["busy_s"].get<double>() * 448.0 / 6246.0).epsilon(1e-9));
  uint64_t bits = 0, standby_ps = 0;
  for (const LayerResult& l : r.layers) {
    bits += test::action_count(l, "dram", "dram.read_bits") + test::action_count(l, "dram", "dram.write_bits");
    standby_ps += test::action_count(l, "dram", "dram.standby_active_ps") +
                  test::action_count(l, "dram", "dram.standby_precharged_ps");
  }
  CHECK(static_cast<double>(bits) == Approx(r.summary.dram_bytes * 8));
  // Each channel is a rank of its own, in standby for the whole run.
  CHECK(static_cast<double>(standby_ps) ==
        Approx(2 * r.summary.latency_s * 1e12).margin(2.0 * static_cast<double>(r.layers.size())));
}

}  // namespace
}  // namespace qnnsim
