// Dataflow folding chosen from a target rate (FINN's design entry): each engine
// takes the fewest lanes that reach clock / rate cycles per image, derived by
// hand on a three-layer chain; the errors for a rate no engine can reach, a
// rate beside a lane budget, and a rate that is not positive; and the shipped
// ZC706 designs folded this way.
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "dataflow/dataflow_arch.h"
#include "dataflow/dataflow_run.h"
#include "dataflow/engines.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// 1 GHz, 8-bit integer MACs, no folding given: the target chooses it.
std::string target_yaml(const std::string& target, const std::string& extra = "") {
  return R"(name: tiny_target
kind: dataflow
technology: {node: 45 nm, clock: 1 GHz, voltage: 0.9 V}
energy_table: horowitz_45nm
io: {width: 1024 bit, dram: LPDDR4}
weight_memory: {size: 64 Kib}
macs:
  - {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}
folding:
  target_images_per_s: )" + target + "\n" + extra;
}

DataflowArch arch_of(const std::string& yaml) { return load_dataflow_arch(ConfigNode::load_string(yaml, "tiny_target.yaml")); }

// Three fc layers, 8 -> 4 -> 8 -> 2, 8-bit.
Workload chain() {
  return workload_from_text(R"(network: chain
batch: 1
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
  - {name: b, type: fc, C: 4, M: 8}
  - {name: c, type: fc, C: 8, M: 2}
)");
}

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

}  // namespace

// 1e8 images/s at 1 GHz allows 10 cycles per image. Cycles are (M/PE) x (C/SIMD):
// a (4/PE)(8/SIMD) <= 10 first at 4 lanes (8 cycles), b (8/PE)(4/SIMD) at 4,
// c (2/PE)(8/SIMD) at 2; SIMD before PE on a tie: a 1 x 4, b 1 x 4, c 1 x 2.
// 1e9 allows one cycle: every engine takes all its products at once.
TEST_CASE("a target rate folds each engine with the fewest lanes that reach it", "[dataflow]") {
  const std::vector<Engine> e = build_engines(arch_of(target_yaml("1.0e8")), chain());
  CHECK(folds(e) == std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {1, 4}, {1, 2}});
  for (const Engine& x : e) {
    CHECK(x.image_cycles() == 8);
    CHECK(x.chosen);
  }
  const std::vector<Engine> full = build_engines(arch_of(target_yaml("1.0e9")), chain());
  CHECK(folds(full) == std::vector<std::pair<int64_t, int64_t>>{{4, 8}, {8, 4}, {2, 8}});
  // A given folding stays as given, even slower than the target.
  const std::vector<Engine> given =
      build_engines(arch_of(target_yaml("1.0e8", "  layers:\n    b: {pe: 1, simd: 1}\n")), chain());
  CHECK(folds(given) == std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {1, 1}, {1, 2}});
  CHECK_FALSE(given.at(1).chosen);
  // The run reports the rate it was folded for, and runs at its slowest engine.
  const RunResult r = run_dataflow(arch_of(target_yaml("1.0e8")), chain());
  CHECK(r.dataflow->target_images_per_s == Approx(1e8));
  CHECK(r.dataflow->slowest_cycles_per_image == 8);
}

TEST_CASE("a target rate no engine can reach is an error naming the key and the layer", "[dataflow]") {
  // A 3x3 convolution over 4x4 has 2 x 2 output positions; SIMD takes at most
  // its 2 channels of a pixel, so each position takes 18 / 2 = 9 steps: 36
  // cycles at the fastest.
  const Workload conv = workload_from_text(R"(network: conv
batch: 1
input: {C: 2, H: 4, W: 4}
layers:
  - {name: k, type: conv, C: 2, H: 4, W: 4, M: 2, R: 3, S: 3}
)");
  const ConfigError slow = error_of([&] { build_engines(arch_of(target_yaml("5.0e8")), conv); });
  CHECK(slow.key_path() == "folding.target_images_per_s");
  CHECK(slow.where().line == 10);
  CHECK(slow.message().find("layer k cannot reach") != std::string::npos);
  CHECK(slow.message().find("takes 36 cycles") != std::string::npos);
  // More than an image a cycle.
  CHECK(error_of([&] { build_engines(arch_of(target_yaml("2.0e9")), chain()); }).message().find("more than one image per cycle") !=
        std::string::npos);
  // Not positive, or beside a lane budget: errors when the file is read.
  const ConfigError zero = error_of([&] { arch_of(target_yaml("0")); });
  CHECK(zero.key_path() == "folding.target_images_per_s");
  const ConfigError both = error_of([&] { arch_of(target_yaml("1.0e8", "  lanes: 16\n")); });
  CHECK(both.key_path() == "folding.target_images_per_s");
  CHECK(both.message().find("not both") != std::string::npos);
}

// The shipped ZC706 designs: the slowest engine sits at or under the
// published rate's cycles (200 MHz / 12.3 M = 16.3; / 21,906 = 9,129). SFC's
// engines all reach 16 exactly (fc1 16 x 784, fc2 and fc3 16 x 256, fc4 5 x 32);
// CNV's slowest are fc1 and fc2 at 8,192 (1 x 16 and 1 x 32: half the lanes
// would take 16,384).
TEST_CASE("the shipped FINN SFC-max is folded to its published rate", "[dataflow]") {
  const DataflowArch sfc = load_dataflow_arch(ConfigNode::load_file(shipped("arch/finn_sfc_max.yaml")));
  const RunResult s = run_dataflow(sfc, load_workload(shipped("workloads/finn_sfc.yaml")));
  CHECK(s.dataflow->slowest_cycles_per_image == 16);
  CHECK(s.dataflow->lanes == 16 * 784 + 16 * 256 + 16 * 256 + 5 * 32);
}

TEST_CASE("the shipped FINN CNV-max is folded to its published rate", "[dataflow]") {
  const DataflowArch cnv = load_dataflow_arch(ConfigNode::load_file(shipped("arch/finn_cnv_max.yaml")));
  const RunResult c = run_dataflow(cnv, load_workload(shipped("workloads/finn_cnv.yaml")));
  CHECK(c.dataflow->slowest_cycles_per_image == 8192);
  CHECK(c.dataflow->slowest_layer == "fc1");
}

}  // namespace qnnsim::test
