// Dataflow folding under an FPGA resource budget: each MAC unit says what one
// lane takes in DSP slices and LUTs, the balancer folds so that no resource is
// overdrawn. Lanes derived by hand on a three-engine chain; the scarcest
// resource binding whichever it is; an fp32 unit getting fewer lanes than an
// 8-bit one under the same budget; the errors a bad budget or lane cost
// raises, from the library and from the command line; and the shipped
// DNN2FPGA designs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dataflow/dataflow_arch.h"
#include "dataflow/dataflow_run.h"
#include "dataflow/engines.h"
#include "workload/workload.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// 1 GHz; an 8-bit integer unit at 1 DSP and 10 LUTs a lane and an fp32 unit at
// 5 DSPs and 50; no folding given, so the budget chooses it. The units are on
// lines 8 and 9, the budget on line 11 (12 after one line of `extra`).
std::string budget_yaml(const std::string& budget, const std::string& extra = "") {
  return R"(name: tiny_fpga
kind: dataflow
technology: {node: 45 nm, clock: 1 GHz, voltage: 0.9 V}
energy_table: horowitz_45nm
io: {width: 1024 bit, dram: LPDDR4}
weight_memory: {size: 64 Kib}
macs:
  - {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32, lane_cost: {dsp: 1, lut: 10}}
  - {class: FloatMAC, formats: [fp32], accumulator: fp32, lane_cost: {dsp: 5, lut: 50}}
folding:
)" + extra + "  budget: " + budget + "\n";
}

DataflowArch arch_of(const std::string& yaml) { return load_dataflow_arch(ConfigNode::load_string(yaml, "tiny_fpga.yaml")); }

// Three fc layers, 8 -> 4 -> 8 -> 2, at 8 bits or fp32. Cycles per image are
// (M / PE)(C / SIMD): 32, 32 and 16 products.
Workload chain(const std::string& precision) {
  return workload_from_text(R"(network: chain
batch: 4
precision:
  weights: )" + precision + R"(
  inputs: )" + precision + R"(
  outputs: )" + precision + R"(
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
  - {name: b, type: fc, C: 4, M: 8}
  - {name: c, type: fc, C: 8, M: 2}
)");
}
const char* kInt8 = "{bits: 8, scheme: uniform_symmetric}";
const char* kFp32 = "{bits: 32, scheme: float}";

ConfigError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

std::vector<std::pair<int64_t, int64_t>> folds(const std::vector<Engine>& engines) {
  std::vector<std::pair<int64_t, int64_t>> v;
  for (const Engine& e : engines) v.emplace_back(e.pe, e.simd);
  return v;
}

int64_t lanes_of(const std::vector<Engine>& engines) {
  int64_t n = 0;
  for (const Engine& e : engines) n += e.lanes();
  return n;
}

}  // namespace

// 20 DSPs at 1 a lane afford 20 lanes (200 of the 1000 LUTs). A target of T
// cycles needs 32/T + 32/T + 16/T lanes: T = 4 takes 20 (a 1 x 8, b 2 x 4 as
// SIMD stops at b's 4 inputs, c 1 x 4); T = 2 would take 40.
TEST_CASE("a resource budget folds the engines to the lanes its DSPs afford", "[dataflow][fpga]") {
  const DataflowArch a = arch_of(budget_yaml("{dsp: 20, lut: 1000}"));
  const std::vector<Engine> e = build_engines(a, chain(kInt8));
  CHECK(folds(e) == std::vector<std::pair<int64_t, int64_t>>{{1, 8}, {2, 4}, {1, 4}});
  for (const Engine& x : e) CHECK(x.image_cycles() == 4);
  CHECK(lanes_of(e) == 20);
  const FpgaResources used = engines_resources(a, e);
  CHECK(used.at("dsp") == 20);
  CHECK(used.at("lut") == 200);
  // The run reports the budget and what the lanes take of it.
  const RunResult r = run_dataflow(a, chain(kInt8));
  REQUIRE(r.dataflow);
  CHECK(r.dataflow->lanes == 20);
  CHECK(r.dataflow->resource_budget.at("dsp") == 20);
  CHECK(r.dataflow->resources_used.at("lut") == 200);
  CHECK(r.dataflow->slowest_cycles_per_image == 4);
}

// 160 LUTs at 10 a lane afford 16 lanes, so T = 4 (20 lanes) is out of reach
// and T = 8 takes 4 + 4 + 2 = 10 lanes: a 1 x 4, b 1 x 4, c 1 x 2. Plenty of
// DSPs do not help; 16 DSPs with plenty of LUTs fold the same way; and a lane
// budget of 12 beside ample resources binds alike.
TEST_CASE("the scarcest resource binds the folding", "[dataflow][fpga]") {
  const std::vector<std::pair<int64_t, int64_t>> t8{{1, 4}, {1, 4}, {1, 2}};
  const DataflowArch lut_bound = arch_of(budget_yaml("{dsp: 100, lut: 160}"));
  const std::vector<Engine> by_lut = build_engines(lut_bound, chain(kInt8));
  CHECK(folds(by_lut) == t8);
  CHECK(engines_resources(lut_bound, by_lut).at("lut") == 100);
  CHECK(folds(build_engines(arch_of(budget_yaml("{dsp: 16, lut: 100000}")), chain(kInt8))) == t8);
  CHECK(folds(build_engines(arch_of(budget_yaml("{dsp: 100, lut: 100000}", "  lanes: 12\n")), chain(kInt8))) == t8);
  // One more LUT's worth of lanes: 200 LUTs afford the 20 lanes of T = 4.
  CHECK(folds(build_engines(arch_of(budget_yaml("{dsp: 100, lut: 200}")), chain(kInt8))) ==
        std::vector<std::pair<int64_t, int64_t>>{{1, 8}, {2, 4}, {1, 4}});
}

// The same 20 DSPs give fp32 lanes (5 each) 4 lanes at most. T = 16 needs
// 2 + 2 + 1 = 5 lanes (25 DSPs), so T = 32: one lane per engine, 15 DSPs; the
// int8 design reaches T = 4 with 20 lanes, 8 times faster per image.
TEST_CASE("fp32 lanes cost more than int8 ones and fold slower under one budget", "[dataflow][fpga]") {
  const DataflowArch a = arch_of(budget_yaml("{dsp: 20, lut: 1000}"));
  const std::vector<Engine> fp = build_engines(a, chain(kFp32));
  for (const Engine& e : fp) CHECK(e.mac_class == "FloatMAC");
  CHECK(folds(fp) == std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {1, 1}, {1, 1}});
  CHECK(engines_resources(a, fp).at("dsp") == 15);
  CHECK(engines_resources(a, fp).at("lut") == 150);
  const std::vector<Engine> in = build_engines(a, chain(kInt8));
  CHECK(lanes_of(fp) == 3);
  CHECK(lanes_of(in) == 20);
  int64_t fslow = 0, islow = 0;
  for (const Engine& e : fp) fslow = std::max(fslow, e.image_cycles());
  for (const Engine& e : in) islow = std::max(islow, e.image_cycles());
  CHECK(fslow == 32);
  CHECK(islow == 4);
  // The simulated interval is the fp32 engines' 32 cycles (SystemC runs once a process: one run here).
  const RunResult rf = run_dataflow(a, chain(kFp32));
  REQUIRE(rf.dataflow);
  CHECK(rf.dataflow->slowest_cycles_per_image == 32);
  CHECK(rf.dataflow->pipeline_interval_s == Approx(32e-9).epsilon(1e-9));
}

TEST_CASE("a bad resource budget or lane cost is refused naming file line and key", "[dataflow][fpga]") {
  // A resource the model does not know.
  const ConfigError unknown = error_of([&] { arch_of(budget_yaml("{dsp: 20, bram: 4}")); });
  CHECK(unknown.key_path() == "folding.budget.bram");
  CHECK(unknown.where().file == "tiny_fpga.yaml");
  CHECK(unknown.where().line == 11);
  CHECK(unknown.message().find("unknown FPGA resource 'bram'") != std::string::npos);
  // Amounts that are not positive whole numbers.
  CHECK(error_of([&] { arch_of(budget_yaml("{dsp: 0, lut: 100}")); }).key_path() == "folding.budget.dsp");
  CHECK(error_of([&] { arch_of(budget_yaml("{dsp: 20, lut: 2.5}")); }).key_path() == "folding.budget.lut");
  CHECK(error_of([&] { arch_of(budget_yaml("{}")); }).key_path() == "folding.budget");
  // A unit without a lane cost, or one that leaves out a budgeted resource.
  const ConfigError no_cost = error_of(
      [&] { arch_of(replace_all(budget_yaml("{dsp: 20}"), ", lane_cost: {dsp: 5, lut: 50}", "")); });
  CHECK(no_cost.key_path().find("lane_cost") != std::string::npos);
  CHECK(no_cost.where().line == 9);
  const ConfigError partial = error_of([&] { arch_of(budget_yaml("{dsp: 20, lut: 100, ff: 100}")); });
  CHECK(partial.key_path().find("lane_cost") != std::string::npos);
  CHECK(partial.where().line == 8);
  CHECK(partial.message().find("names ff") != std::string::npos);
  // A lane that costs nothing.
  CHECK(error_of([&] { arch_of(replace_all(budget_yaml("{dsp: 20}"), "{dsp: 1, lut: 10}", "{dsp: 0, lut: 0}")); })
            .message()
            .find("costs nothing") != std::string::npos);
  // A budget that cannot give each engine one lane: 3 int8 engines need 3 DSPs.
  const ConfigError small = error_of([&] { build_engines(arch_of(budget_yaml("{dsp: 2, lut: 1000}")), chain(kInt8)); });
  CHECK(small.key_path() == "folding.budget.dsp");
  CHECK(small.where().line == 11);
  CHECK(small.message().find("take 3") != std::string::npos);
  // In block style the error names the amount's own line.
  const ConfigError block =
      error_of([&] { build_engines(arch_of(budget_yaml("\n    lut: 1000\n    dsp: 2")), chain(kInt8)); });
  CHECK(block.key_path() == "folding.budget.dsp");
  CHECK(block.where().line == 13);
  // A budget beside a target rate.
  CHECK(error_of([&] { arch_of(budget_yaml("{dsp: 20}", "  target_images_per_s: 1.0e6\n")); }).key_path() ==
        "folding.target_images_per_s");
}

TEST_CASE("the command line exits 2 on a bad budget naming file line and key", "[dataflow][fpga][cli]") {
  const auto dir = scratch_dir("fpga_budget_cli");
  const std::string design = (dir / "bad_budget.yaml").string();
  std::ofstream(design) << budget_yaml("{dsp: 20, luts: 1000}");
  const std::string trace = (dir / "chain.yaml").string();
  std::ofstream(trace) << R"(network: chain
batch: 1
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
)";
  CHECK(qnnsim_cli("run " + design + " " + trace + " --quiet", dir / "out", dir / "err") == 2);
  const std::string err = read_file((dir / "err").string());
  CHECK_THAT(err, Catch::Contains("bad_budget.yaml:11"));
  CHECK_THAT(err, Catch::Contains("folding.budget.luts"));
}

// The shipped DNN2FPGA designs fold under the xc7z020's 220 DSPs and 53,200
// LUTs: the int8 lanes (1 DSP) are limited by conv1's single input channel,
// not the budget, and the fp32 lanes (5 DSPs) by the DSPs.
TEST_CASE("the shipped DNN2FPGA designs fold under the xc7z020's resources", "[dataflow][fpga]") {
  const auto load = [](const std::string& name) {
    return load_dataflow_arch(ConfigNode::load_file(shipped("arch/" + name + ".yaml")));
  };
  const auto trace = [](const std::string& name) { return load_workload(shipped("workloads/" + name + ".yaml")); };
  const DataflowArch fa = load("dnn2fpga_float"), ia = load("dnn2fpga_int8");
  const std::vector<Engine> fe = build_engines(fa, trace("dnn2fpga_float"));
  const std::vector<Engine> ie = build_engines(ia, trace("dnn2fpga_int8"));
  const FpgaResources fu = engines_resources(fa, fe), iu = engines_resources(ia, ie);
  CHECK(fu.at("dsp") <= 220);
  CHECK(fu.at("dsp") > 220 - 5 * 12);  // within one conv1-sized step of the budget
  CHECK(fu.at("lut") <= 53200);
  CHECK(iu.at("dsp") == lanes_of(ie));
  CHECK(lanes_of(fe) * 2 < lanes_of(ie));
  int64_t fslow = 0, islow = 0;
  for (const Engine& e : fe) fslow = std::max(fslow, e.image_cycles());
  for (const Engine& e : ie) islow = std::max(islow, e.image_cycles());
  CHECK(islow == 6084);  // conv1: 26 x 26 positions x 9 taps on its 12 lanes
  CHECK(fslow > 2 * islow);
}

}  // namespace qnnsim::test
