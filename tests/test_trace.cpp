// The timeline (--trace) against the run's own counts: the slices of a run
// add up to the figures its report states.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "report/trace_writer.h"
#include "design/design_family.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Runs a shipped design with a recorder installed; returns the result and the parsed timeline.
std::pair<RunResult, nlohmann::json> traced_run(const std::string& arch_file, const std::string& workload_file,
                                                TraceLimits limits = {}) {
  const auto arch = load_arch(shipped(arch_file));
  const Workload w = load_workload(shipped(workload_file));
  TraceFile trace(std::move(limits));
  set_trace_recorder(&trace);
  const RunResult r = run_simulation(*arch, w);
  set_trace_recorder(nullptr);
  std::vector<std::string> names;
  for (const Layer& l : w.layers) names.push_back(l.name);
  std::ostringstream out;
  trace.write(out, r.arch, names, r.clock_hz);
  return {r, nlohmann::json::parse(out.str())};
}

double cycles_of(const nlohmann::json& e, double clock_hz) { return e["dur"].get<double>() * 1e-6 * clock_hz; }

}  // namespace

TEST_CASE("the timeline's slices add up to the run's compute, stall and DRAM counts", "[trace]") {
  const auto [r, trace] = traced_run("arch/systolic_ws.yaml", "workloads/lenet5.yaml");
  std::map<int, double> compute, dram_bytes, layer_span;
  std::map<int, std::map<std::string, double>> stalls;
  std::map<int, std::string> thread_names;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name") thread_names[e["tid"].get<int>()] = e["args"]["name"];
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const int layer = e["args"]["layer"];
    const std::string track = thread_names.at(e["tid"].get<int>());
    if (e["cat"] == "layer") layer_span[layer] += cycles_of(e, r.clock_hz);
    if (e["cat"] == "stall") stalls[layer][e["args"]["cause"]] += cycles_of(e, r.clock_hz);
    if (e["cat"] != "transaction") continue;
    if (e["name"] == "pass" || e["name"] == "vector op") compute[layer] += cycles_of(e, r.clock_hz);
    if (track.rfind("dram", 0) == 0) dram_bytes[layer] += e["args"]["bytes"].get<double>();
  }
  REQUIRE(layer_span.size() == r.layers.size());
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& l = r.layers[i];
    const int key = static_cast<int>(i);
    INFO(l.name);
    // Each within a cycle: the report splits the layer's whole cycles between
    // compute and the stalls so that they add up (core/whole_cycles.h).
    CHECK(compute[key] == Approx(static_cast<double>(l.compute_cycles)).margin(1));
    for (const char* cause : {"dram", "buffer", "noc"})
      CHECK(stalls[key][cause] == Approx(static_cast<double>(l.stall_cycles.at(cause))).margin(1));
    CHECK(dram_bytes[key] == Approx(l.dram_bytes));
    // A layer spans from its first DMA to its last store.
    CHECK(layer_span[key] == Approx(static_cast<double>(l.cycles)).margin(1));
  }
  // The buffer's tile slots are counted, and never more than it has.
  bool slots = false;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "C" && e["name"] == "glb tile slots in use") {
      slots = true;
      CHECK(e["args"]["value"].get<double>() <= 2);
    }
  CHECK(slots);
}

TEST_CASE("a timeline limited to a layer holds only that layer, and recording changes no figure", "[trace]") {
  const auto [r, trace] = traced_run("arch/systolic_ws.yaml", "workloads/lenet5.yaml", TraceLimits{{2}, {}, {}});
  double compute = 0;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") {
      CHECK(e["args"]["layer"] == 2);
      if (e["name"] == "pass") compute += cycles_of(e, r.clock_hz);
    }
  CHECK(compute == Approx(static_cast<double>(r.layers[2].compute_cycles)).margin(1));
  // The golden figures of this run (tests/golden_figures.yaml) were taken without a recorder.
  CHECK(r.summary.cycles == 13698);
}

TEST_CASE("run writes a timeline limited by --trace-layers and --trace-window", "[trace][cli]") {
  const auto dir = scratch_dir("trace_cli");
  const std::string run = "run systolic_ws lenet5 --quiet --trace ";
  const auto size = [&](const char* name) { return std::filesystem::file_size(dir / name); };
  REQUIRE(qnnsim_cli(run + (dir / "full.json").string(), dir / "out", dir / "err") == 0);
  REQUIRE(qnnsim_cli(run + (dir / "conv2.json").string() + " --trace-layers conv2", dir / "out", dir / "err") == 0);
  REQUIRE(qnnsim_cli(run + (dir / "window.json").string() + " --trace-window 2us:4us", dir / "out", dir / "err") == 0);
  CHECK(size("conv2.json") * 3 < size("full.json"));
  const auto window = nlohmann::json::parse(read_file((dir / "window.json").string()));
  std::size_t slices = 0;
  for (const auto& e : window["traceEvents"])
    if (e["ph"] == "X" && e["cat"] == "transaction") {
      ++slices;
      CHECK(e["ts"].get<double>() <= 4.0);
      CHECK(e["ts"].get<double>() + e["dur"].get<double>() >= 2.0);
    }
  CHECK(slices > 0);
  CHECK(qnnsim_cli(run + (dir / "x.json").string() + " --trace-layers conv9", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("no layer 'conv9'"));
  CHECK(qnnsim_cli(run + (dir / "x.json").string() + " --trace-window 4us:2us", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--trace-window '4us:2us'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a dataflow design's timeline has a stage per layer, its rows and waits adding up to the counts", "[trace]") {
  const ConfigNode root = ConfigNode::load_file(shipped("arch/finn_cnv.yaml"));
  const auto design = design_family_of(root).load(root, "");
  Workload w = load_workload(shipped("workloads/finn_cnv.yaml"));
  w.batch = 2;
  TraceFile trace;
  set_trace_recorder(&trace);
  const RunResult r = design->run(w, {});
  set_trace_recorder(nullptr);
  std::vector<std::string> names;
  for (const Layer& l : w.layers) names.push_back(l.name);
  std::ostringstream out;
  trace.write(out, r.arch, names, r.clock_hz);
  const nlohmann::json t = nlohmann::json::parse(out.str());
  std::map<int, double> busy;
  std::map<int, std::map<std::string, double>> stalls;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const int layer = e["args"]["layer"];
    if (e["cat"] == "transaction" && e["name"] == "row") busy[layer] += cycles_of(e, r.clock_hz);
    if (e["cat"] == "stall") stalls[layer][e["args"]["cause"]] += cycles_of(e, r.clock_hz);
  }
  REQUIRE(busy.size() == r.layers.size());
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& l = r.layers[i];
    const int key = static_cast<int>(i);
    INFO(l.name);
    CHECK(busy[key] == Approx(static_cast<double>(l.compute_cycles)).margin(1));
    for (const char* cause : {"input", "output"})
      CHECK(stalls[key][cause] == Approx(static_cast<double>(l.stall_cycles.at(cause))).margin(1));
  }
}
