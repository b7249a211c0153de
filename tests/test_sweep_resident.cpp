// Sweeps over designs whose layers stay resident (a dataflow design, an
// in-memory chip): each point's row holds what `qnnsim run` reports for the
// same design, and the spec's `set:` can add the key a parameter sweeps.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sweep/results_db.h"
#include "sweep/sweep_plan.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// What `qnnsim run` reports for `arch` (a file) on `workload`.
nlohmann::json run_report(const std::filesystem::path& dir, const std::string& arch, const std::string& workload,
                          const std::string& args) {
  const std::string json = (dir / "run.json").string();
  REQUIRE(qnnsim_cli("run " + arch + " " + shipped(workload) + " --quiet --json " + json + " " + args, dir / "out.txt",
                     dir / "err.txt") == 0);
  return nlohmann::json::parse(read_file(json));
}

// The shipped FINN CNV with its folding replaced by a lane budget.
std::string finn_with_lanes(const std::filesystem::path& dir, int lanes) {
  YAML::Node arch = YAML::LoadFile(shipped("arch/finn_cnv.yaml"));
  arch["folding"] = YAML::Load("{lanes: " + std::to_string(lanes) + "}");
  const std::string path = (dir / ("finn_" + std::to_string(lanes) + ".yaml")).string();
  YAML::Emitter out;
  out << arch;
  std::ofstream(path) << out.c_str();
  return path;
}

void check_same(const PointRecord& p, const nlohmann::json& report) {
  const auto& s = report.at("summary");
  CHECK(p.status == "ok");
  CHECK(p.energy_pj == Approx(s.at("energy_pj").get<double>()).epsilon(1e-9));
  CHECK(p.latency_s == Approx(s.at("latency_s").get<double>()).epsilon(1e-9));
  CHECK(p.area_mm2 == Approx(s.at("area_mm2").get<double>()).epsilon(1e-9));
}

}  // namespace

TEST_CASE("a sweep over a dataflow design's lane budget and execution matches qnnsim run", "[sweep][dataflow][cli]") {
  const auto dir = scratch_dir("sweep_dataflow");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: t\narch: " << shipped("arch/finn_cnv.yaml") << "\nworkloads: ["
                      << shipped("workloads/finn_cnv.yaml") << "]\noptions: {batch: 10}\n"
                      << "set:\n  folding: {lanes: 2270}\n"
                      << "parameters:\n  - {path: folding.lanes, values: [1024, 4096]}\n"
                      << "  - {path: execution, values: [layer_pipelined, layer_sequential]}\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2 --no-progress", dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 4);
  for (const PointRecord& p : points) {
    INFO(p.params.at(0).value << " " << p.params.at(1).value);
    const std::string arch = finn_with_lanes(dir, std::stoi(p.params.at(0).value));
    check_same(p, run_report(dir, arch, "workloads/finn_cnv.yaml", "--batch 10 --execution " + p.params.at(1).value));
  }
  // More lanes are faster; the pipeline beats running the engines in turn.
  CHECK(points[2].latency_s < points[0].latency_s);
  CHECK(points[0].latency_s < points[1].latency_s);
}

TEST_CASE("a sweep's execution option reaches an in-memory chip", "[sweep][imc][cli]") {
  const auto dir = scratch_dir("sweep_imc_execution");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: t\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\noptions: {batch: 4, execution: layer_sequential}\n"
                      << "parameters:\n  - {path: adc.bits, values: [8, 9]}\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " --no-progress", dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 2);
  const auto report =
      run_report(dir, shipped("arch/isaac.yaml"), "workloads/lenet5.yaml", "--batch 4 --execution layer_sequential");
  check_same(points[0], report);  // adc.bits 8 is the shipped value
  CHECK(report.at("in_memory").at("execution") == "layer_sequential");
}

TEST_CASE("set: may add the key a parameter then sweeps, and area constraints see a dataflow design's engines",
          "[sweep][dataflow]") {
  auto plan = plan_sweep(shipped("configs/sweeps/finn_cnv_lanes.yaml"), {});
  REQUIRE(plan->points.size() == 40);
  const ResolvedPoint r = plan->resolver->resolve(plan->points.at(0));
  CHECK(r.arch["folding"]["lanes"].as<int>() == 768);
  CHECK_FALSE(r.arch["folding"]["layers"].IsDefined());
  CHECK(record_for(*plan, 0).params.size() == 3);  // lanes, execution, fifo_rows; the set: edit is no column

  // The chip grows with its lanes, until the budget exceeds what the
  // slowest engine's floor lets the balancer use (the last two budgets).
  std::vector<double> areas;
  for (std::size_t i = 0; i < plan->points.size(); i += 4)  // each budget, pipelined, one-row FIFOs
    areas.push_back(plan->resolver->area_mm2(plan->resolver->resolve(plan->points[i])));
  for (std::size_t i = 1; i + 1 < areas.size(); ++i) CHECK(areas[i] > areas[i - 1]);
  CHECK(areas.back() == areas[areas.size() - 2]);
}

TEST_CASE("a point whose run warned carries its warnings into the database, the front and the summary",
          "[sweep][imc][cli]") {
  // ISAAC with 4-bit ADCs: its run warns that they clip, and being cheaper it
  // is on the energy-latency front; 8 bits (the shipped value) does not warn.
  const auto dir = scratch_dir("sweep_imc_warnings");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: t\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\noptions: {batch: 2}\n"
                      << "parameters:\n  - {path: adc.bits, values: [4, 8]}\nobjectives: [energy, latency]\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db, dir / "out.txt", dir / "err.txt") == 0);  // with its summary
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 2);
  const PointRecord& four = points[0].params[0].value == "4" ? points[0] : points[1];
  const PointRecord& eight = points[0].params[0].value == "4" ? points[1] : points[0];
  REQUIRE_FALSE(four.warnings.empty());
  CHECK_THAT(four.warnings.front(), Catch::Contains("the ADCs have 4 bits"));
  CHECK(eight.warnings.empty());
  // The summary's best-energy line says so.
  CHECK_THAT(read_file((dir / "out.txt").string()), Catch::Contains("best energy") && Catch::Contains("! "));
  // The warnings are what `qnnsim run` prints for the same design.
  const std::string arch = (dir / "isaac4.yaml").string();
  std::ofstream(arch) << replace_all(read_file(shipped("arch/isaac.yaml")), "bits: 8", "bits: 4");
  const auto report = run_report(dir, arch, "workloads/lenet5.yaml", "--batch 2");
  CHECK(report.at("in_memory").at("warnings").size() == four.warnings.size());
  // So does the front's listing.
  REQUIRE(qnnsim_cli("results " + db + " --pareto energy,latency", dir / "front.txt", dir / "err.txt") == 0);
  const std::string front = read_file((dir / "front.txt").string());
  CHECK_THAT(front, Catch::Contains("! " + four.hash.substr(0, 12)) && Catch::Contains("carry warnings"));
  REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "all.csv", dir / "err.txt") == 0);
  const auto rows = csv_rows(read_file((dir / "all.csv").string()));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("warnings").empty() != rows[1].at("warnings").empty());
}
