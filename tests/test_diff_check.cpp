// Regression checks on figures from the command line: `qnnsim diff` and its
// tolerance, `qnnsim check` and `--bless`, and one CSV schema for every design.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("diff names the figures that changed and exits 1 only past the tolerance", "[diff][cli]") {
  const auto dir = scratch_dir("diff");
  const std::string a = (dir / "a.json").string(), b = (dir / "b.json").string();
  REQUIRE(qnnsim_cli("run systolic_ws lenet5 --quiet --json " + a, dir / "out", dir / "err") == 0);
  // B: conv2's DRAM energy 2% higher, as if the DRAM table had changed for one layer.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(read_file(a));
  double& e = j["layers"][2]["energy_breakdown_pj"]["dram"].get_ref<double&>();
  e *= 1.02;
  std::ofstream(b) << j.dump(2);

  CHECK(qnnsim_cli("diff " + a + " " + b + " --tolerance 1%", dir / "out", dir / "err") == 1);
  const std::string out = read_file((dir / "out").string());
  CHECK_THAT(out, Catch::Contains("+2%") && Catch::Contains("layers.conv2.energy_breakdown_pj.dram"));
  CHECK_THAT(out, Catch::Contains("1 changed, 1 past the tolerance"));
  CHECK(qnnsim_cli("diff " + a + " " + b + " --tolerance 0.03", dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("(within tolerance)"));
  CHECK(qnnsim_cli("diff " + a + " " + a, dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("0 changed"));
  // A figure present on one side only is a change whatever the tolerance.
  j["layers"][2].erase("dram_bytes");
  std::ofstream(b) << j.dump(2);
  CHECK(qnnsim_cli("diff " + a + " " + b + " --tolerance 50%", dir / "out", dir / "err") == 1);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("gone") && Catch::Contains("layers.conv2.dram_bytes"));
  // Bad input: exit 2 with the reason.
  CHECK(qnnsim_cli("diff " + a + " " + (dir / "none.json").string(), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("none.json"));
  std::ofstream(b) << "{\"x\": 1}";
  CHECK(qnnsim_cli("diff " + a + " " + b, dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("not a qnnsim report"));
  CHECK(qnnsim_cli("diff " + a + " " + a + " --tolerance lots", dir / "out", dir / "err") == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("check fails on new or changed figures, bless writes them, and check then passes", "[check][cli]") {
  const auto dir = scratch_dir("check");
  const auto golden = dir / "golden.yaml";
  std::ofstream(golden) << "tolerance: 1e-6\nruns:\n  - {arch: systolic_ws, workload: lenet5}\n"
                           "  - {arch: finn_cnv, workload: finn_cnv, options: [--batch, '2']}\n";
  CHECK(qnnsim_cli("check " + golden.string(), dir / "out", dir / "err") == 1);  // no figures yet
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("2 changed"));
  REQUIRE(qnnsim_cli("check --bless " + golden.string(), dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("wrote") && Catch::Contains("2 with new figures"));
  REQUIRE(qnnsim_cli("check " + golden.string(), dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("2 ok, 0 changed"));

  // The blessed file holds the run's own figures: the summary's energy equals the JSON report's.
  REQUIRE(qnnsim_cli("run systolic_ws lenet5 --quiet --json " + (dir / "r.json").string(), dir / "out", dir / "err") == 0);
  const auto report = nlohmann::json::parse(read_file((dir / "r.json").string()));
  const YAML::Node blessed = YAML::LoadFile(golden.string());
  CHECK(blessed["runs"][0]["figures"]["summary.energy_pj"].as<double>() == report["summary"]["energy_pj"].get<double>());
  CHECK(blessed["runs"][0]["figures"]["layers.fc3.cycles"].as<double>() == report["layers"][6]["cycles"].get<double>());

  // An unintended change of one published figure fails with a readable line naming it.
  YAML::Node edited = YAML::Clone(blessed);
  edited["runs"][0]["figures"]["layers.conv1.energy_pj"] =
      blessed["runs"][0]["figures"]["layers.conv1.energy_pj"].as<double>() * 0.9;
  std::ofstream(golden) << edited;
  CHECK(qnnsim_cli("check " + golden.string(), dir / "out", dir / "err") == 1);
  const std::string out = read_file((dir / "out").string());
  CHECK_THAT(out, Catch::Contains("CHANGED  systolic_ws lenet5: 1 of") && Catch::Contains("layers.conv1.energy_pj") &&
                      Catch::Contains("+11.1%"));
  CHECK_THAT(out, Catch::Contains("ok       finn_cnv finn_cnv --batch 2"));

  // A malformed file: exit 2 with its file, line and key.
  std::ofstream(golden) << "tolerance: 1e-6\nruns:\n  - {arch: systolic_ws, workload: lenet5, option: [--batch, '2']}\n";
  CHECK(qnnsim_cli("check " + golden.string(), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("golden.yaml:3:") && Catch::Contains("option"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the CSVs of a PE array, an in-memory chip, a dataflow design and a hybrid load into one table", "[report][cli]") {
  const auto dir = scratch_dir("csv_schema");
  std::vector<std::map<std::string, std::string>> table;
  std::set<std::string> headers;
  for (const char* run :
       {"systolic_ws lenet5", "isaac lenet5", "finn_cnv finn_cnv", "isaac_hybrid lenet5 --bits accumulator=16"}) {
    const std::string csv = (dir / "r.csv").string();
    REQUIRE(qnnsim_cli(std::string("run ") + run + " --quiet --csv " + csv, dir / "out", dir / "err") == 0);
    const std::string text = read_file(csv);
    const std::string header = text.substr(0, text.find('\n'));
    // The columns before the energy by component are the same for every design.
    headers.insert(header.substr(0, header.find(",energy_")));
    for (auto& row : csv_rows(text)) table.push_back(row);
  }
  CHECK(headers.size() == 1);
  REQUIRE(table.size() == 7 + 7 + 11 + 7);
  std::set<std::string> designs;
  for (const auto& row : table) {
    designs.insert(row.at("design"));
    // The shared figures are numbers on every row, whatever the design.
    for (const char* column : {"macs", "cycles", "latency_s", "energy_pj", "offchip_bytes", "compute_cycles"}) {
      INFO(row.at("design") << " " << row.at("layer") << " " << column);
      CHECK(std::stod(row.at(column)) >= 0);
    }
  }
  CHECK(designs == std::set<std::string>{"systolic_ws", "isaac", "finn_cnv", "isaac_hybrid"});
  // Design-specific columns are filled by their design and empty elsewhere.
  CHECK(!table.front().at("pe_utilization_fraction").empty());
  CHECK(table.front().at("crossbars").empty());
  CHECK(!table[7].at("crossbars").empty());
  CHECK(!table[24].at("lanes").empty());
  CHECK(table[24].at("active_pes").empty());
  // Only a hybrid's rows name the part they ran on: lenet5's convolutions and
  // fcs on ISAAC's crossbars, its pools on the digital array.
  for (std::size_t i = 0; i < 25; ++i) CHECK(table[i].at("placement").empty());
  for (std::size_t i = 25; i < table.size(); ++i) {
    INFO(table[i].at("layer"));
    CHECK(table[i].at("placement") == (table[i].at("type") == "maxpool" ? "digital" : "crossbars"));
    CHECK(table[i].at("crossbars").empty() == (table[i].at("placement") == "digital"));
  }
  std::filesystem::remove_all(dir);
}
