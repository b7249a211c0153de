// Report invariants on a shipped network, and the command line as a user runs it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include "core/content_hash.h"
#include "core/version.h"
#include "report/report.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

}  // namespace

TEST_CASE("energy breakdowns sum to totals and layers sum to the network", "[report]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const RunResult r = run_simulation(*arch, load_workload(shipped("workloads/resnet18_cifar.yaml")));
  const Summary& s = r.summary;

  double layer_energy = 0, layer_latency = 0, layer_dram = 0;
  uint64_t layer_cycles = 0;
  int64_t layer_macs = 0;
  for (const auto& l : r.layers) {
    double parts = 0;
    for (const auto& [k, v] : l.energy_breakdown_pj) parts += v;
    CHECK(parts == Approx(l.energy_pj).epsilon(1e-12));
    uint64_t mac_actions = 0;
    for (const auto& a : l.actions)
      if (a.action.rfind("mac.", 0) == 0) mac_actions += a.count;
    CHECK(static_cast<int64_t>(mac_actions) == l.macs);  // every MAC the workload needs is executed once
    // Every cycle of the layer is computing or a stall with a cause (each rounded to whole cycles).
    uint64_t accounted = l.compute_cycles;
    for (const auto& [cause, cycles] : l.stall_cycles) accounted += cycles;
    CHECK(static_cast<double>(accounted) == Approx(static_cast<double>(l.cycles)).margin(4));
    layer_energy += l.energy_pj;
    layer_latency += l.latency_s;
    layer_cycles += l.cycles;
    layer_macs += l.macs;
    layer_dram += l.dram_bytes;
  }
  double parts = 0;
  for (const auto& [k, v] : s.energy_breakdown_pj) parts += v;
  double by_action = s.energy_breakdown_pj.at("leakage");
  for (const auto& [k, v] : s.energy_by_action_pj) by_action += v;
  CHECK(parts == Approx(s.energy_pj).epsilon(1e-12));
  CHECK(by_action == Approx(s.energy_pj).epsilon(1e-12));
  CHECK(layer_energy == Approx(s.energy_pj).epsilon(1e-12));
  CHECK(layer_latency == Approx(s.latency_s).epsilon(1e-12));
  CHECK(layer_cycles == s.cycles);
  CHECK(layer_macs == s.macs);
  CHECK(layer_dram == Approx(s.dram_bytes));
  CHECK(s.macs == 555422720);
  CHECK(s.ops == 2 * s.macs);
  CHECK(s.pe_utilization > 0);
  CHECK(s.pe_utilization <= 1);
  CHECK(s.throughput_gops == Approx(s.ops / s.latency_s / 1e9));
}

TEST_CASE("the same run twice gives identical JSON", "[report][cli]") {
  const auto dir = scratch_dir("determinism");
  const std::string args = "run " + shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/vgg_small.yaml") +
                           " --quiet --json ";
  REQUIRE(qnnsim_cli(args + (dir / "a.json").string(), dir / "out", dir / "err") == 0);
  REQUIRE(qnnsim_cli(args + (dir / "b.json").string(), dir / "out", dir / "err") == 0);
  // The command lines differ in the output's name, and only there.
  const auto without_command_line = [](std::string text) {
    const std::size_t at = text.find("\"command_line\"");
    REQUIRE(at != std::string::npos);
    return text.erase(at, text.find('\n', at) - at);
  };
  const std::string a = without_command_line(read_file((dir / "a.json").string()));
  CHECK(a.size() > 1000);
  CHECK(a == without_command_line(read_file((dir / "b.json").string())));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the JSON report carries the documented keys", "[report][cli]") {
  const auto dir = scratch_dir("keys");
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/lenet5.yaml") +
                         " --batch 2 --json " + (dir / "r.json").string() + " --csv " + (dir / "r.csv").string(),
                     dir / "out", dir / "err") == 0);
  const auto j = nlohmann::json::parse(read_file((dir / "r.json").string()));
  CHECK(j["batch"] == 2);
  for (const char* key : {"cycles", "latency_s", "macs", "ops", "throughput_gops", "energy_pj", "energy_per_mac_pj",
                          "tops_per_w", "pe_utilization_fraction", "dram_bytes"})
    CHECK(j["summary"].contains(key));
  CHECK(j["summary"]["macs"] == 2 * 416520);
  // Where the figures came from: this binary, the command line, and each input's content hash.
  CHECK(j["provenance"]["qnnsim_version"] == qnnsim_version());
  CHECK(j["provenance"]["commit"] == qnnsim_commit());
  CHECK_THAT(j["provenance"]["command_line"].get<std::string>(), Catch::StartsWith("qnnsim run ") && Catch::Contains("--batch 2"));
  for (const char* input : {"arch", "workload", "energy_table"})
    CHECK(j["provenance"]["inputs"][input]["sha1"].get<std::string>().size() == 40);
  CHECK(j["provenance"]["inputs"]["workload"]["sha1"] == file_sha1(shipped("workloads/lenet5.yaml")));
  for (const char* key : {"dram", "glb", "noc", "spad", "mac", "leakage"}) CHECK(j["energy_breakdown_pj"].contains(key));
  REQUIRE(j["layers"].size() == 7);
  CHECK(j["layers"][0]["name"] == "conv1");
  CHECK(j["layers"][1]["type"] == "maxpool");
  for (const char* key : {"name", "type", "macs", "cycles", "latency_s", "energy_pj", "pe_utilization_fraction", "dram_bytes",
                          "energy_breakdown_pj", "stall_cycles", "utilization_fraction", "tiling", "active_pes"})
    CHECK(j["layers"][0].contains(key));
  // A full pass of the conv layer uses at most the 16 x 16 array; the pooling layer none of it.
  CHECK(j["layers"][0]["active_pes"] > 0);
  CHECK(j["layers"][0]["active_pes"] <= 256);
  CHECK(j["layers"][1]["active_pes"] == 0);
  const std::string csv = read_file((dir / "r.csv").string());
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 8);  // header + 7 layers
  const std::string header = csv.substr(0, csv.find('\n'));
  for (const char* column : {"stall_dram_cycles", "stall_buffer_cycles", "stall_noc_cycles", "active_pes",
                             "dram_bandwidth", "glb_bandwidth", "noc_bandwidth", "glb_capacity", "tiling"})
    CHECK_THAT(header, Catch::Contains(column));
  const std::string table = read_file((dir / "out").string());
  CHECK_THAT(table, Catch::Contains("fc3") && Catch::Contains("pJ/MAC") && Catch::Contains("GOPS"));
  CHECK_THAT(table, !Catch::Contains("SystemC"));  // no kernel banner in the tool's output
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad input exits 2 with the file, line and key", "[cli]") {
  const auto dir = scratch_dir("badinput");
  const auto bad = dir / "bad_arch.yaml";
  std::ofstream(bad) << replace_all(tiny_arch_yaml(), "rows: 4", "rows: -4");
  CHECK(qnnsim_cli("run " + bad.string() + " " + shipped("workloads/lenet5.yaml"), dir / "out", dir / "err") == 2);
  const std::string err = read_file((dir / "err").string());
  CHECK_THAT(err, Catch::Contains(bad.string() + ":13:") && Catch::Contains("components.pe_array.rows"));
  CHECK(qnnsim_cli("validate " + bad.string(), dir / "out", dir / "err") == 2);
  CHECK(qnnsim_cli("run " + (dir / "missing.yaml").string() + " " + shipped("workloads/lenet5.yaml"), dir / "out",
                   dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("missing.yaml") && Catch::Contains("cannot open"));
  CHECK(qnnsim_cli("validate " + shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/resnet18_cifar.yaml"),
                   dir / "out", dir / "err") == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("results do not depend on the simulation quantum", "[report][cli]") {
  // The buffer, bus and DRAM keep calendars of busy intervals, so a thread that
  // runs ahead in local time books the future instead of blocking the present.
  const auto dir = scratch_dir("quantum");
  std::ifstream in(shipped("arch/systolic_ws.yaml"));
  std::stringstream arch;
  arch << in.rdbuf();
  REQUIRE(arch.str().find("quantum: 1 us ") != std::string::npos);
  double cycles[2] = {0, 0};
  const char* quanta[2] = {"1 ns", "1 ms"};
  for (int i = 0; i < 2; ++i) {
    const auto path = dir / ("arch" + std::to_string(i) + ".yaml");
    std::ofstream(path) << replace_all(arch.str(), "quantum: 1 us ", std::string("quantum: ") + quanta[i] + " ");
    const auto json = dir / ("r" + std::to_string(i) + ".json");
    REQUIRE(qnnsim_cli("run " + path.string() + " " + shipped("workloads/resnet18_cifar.yaml") + " --quiet --json " +
                           json.string(),
                       dir / "out", dir / "err") == 0);
    cycles[i] = nlohmann::json::parse(read_file(json.string()))["summary"]["cycles"].get<double>();
  }
  CHECK(cycles[0] > 0);
  CHECK(cycles[1] == Approx(cycles[0]).epsilon(0.01));
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim map writes mappings that qnnsim run replays to the same result", "[mappings][cli]") {
  const auto dir = scratch_dir("map_cli");
  const std::string inputs = shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/mnist_cnn.yaml");
  REQUIRE(qnnsim_cli("map " + inputs + " --objective energy --mappings-out " + (dir / "m.yaml").string(), dir / "out",
                     dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("search time") && Catch::Contains("conv2"));
  REQUIRE(qnnsim_cli("run " + inputs + " --objective energy --quiet --json " + (dir / "a.json").string(), dir / "out",
                     dir / "err") == 0);
  REQUIRE(qnnsim_cli("run " + inputs + " --quiet --mappings " + (dir / "m.yaml").string() + " --json " +
                         (dir / "b.json").string(),
                     dir / "out", dir / "err") == 0);
  // Every figure the same; only the provenance differs (the command line, and the mappings file read).
  auto a = nlohmann::json::parse(read_file((dir / "a.json").string()));
  auto b = nlohmann::json::parse(read_file((dir / "b.json").string()));
  CHECK(b["provenance"]["inputs"]["mappings"]["sha1"] == file_sha1((dir / "m.yaml").string()));
  a.erase("provenance");
  b.erase("provenance");
  CHECK(a.dump() == b.dump());
  std::filesystem::remove_all(dir);
}
