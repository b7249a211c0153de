// The same conv layer on the same array, once with ample DRAM bandwidth and
// once starved of it: latency follows whichever resource is the bottleneck.
//
// Layer: 16 -> 16 channels, 3x3, 16x16 input with padding 1, batch 1, int8.
// On the 4x4 array: K = 144 -> 36 K steps, M = 16 -> 4 column steps: 144 steps
// of V = 256 vectors, each V + 6 = 262 cycles if the buffer holds the layer
// in one tile: a compute lower bound of 144 x 262 = 37,728 cycles.
// DRAM moves at least weights 16x144x8 + inputs 16x16x16x8 + outputs
// 16x16x16x8 bits = 83,968 bits.
//
// The tiny arch's 64-bit bus and 256-bit buffer would make this layer
// NoC- and buffer-bound (a step moves 256 x 4 x 32 bits of partial sums), so
// both variants widen them to 1024 bits per cycle; only DRAM differs.
#include <catch2/catch.hpp>

#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kLayer = R"(network: one_conv
batch: 1
input: {C: 16, H: 16, W: 16}
layers:
  - {name: conv, type: conv, C: 16, H: 16, W: 16, M: 16, R: 3, S: 3, padding: 1}
)";

std::string wide_arch(const std::string& dram_rate) {
  std::string yaml = replace_all(tiny_arch_yaml(), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                                 "noc: {under: glb, class: MulticastBus, width: 1024 bit}");
  yaml = replace_all(yaml, "banks: 4}", "banks: 16}");
  return replace_all(yaml, "data_rate: 1000 MT/s", "data_rate: " + dram_rate);
}

constexpr double kComputeCycles = 144.0 * 262.0;
constexpr double kMinDramBits = 16 * 144 * 8 + 16 * 16 * 16 * 8 + 16 * 16 * 16 * 8;

}  // namespace

TEST_CASE("with ample DRAM bandwidth latency follows compute", "[bottleneck]") {
  // 64 bit/ns: the layer's DRAM traffic takes ~1.3 us against ~38 us of compute.
  const auto arch = arch_from_text(wide_arch("1000 MT/s"));
  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  const LayerResult& l = r.layers[0];
  CHECK(static_cast<double>(l.cycles) >= kComputeCycles);
  CHECK(static_cast<double>(l.cycles) <= 1.10 * kComputeCycles);
  CHECK(l.dram_bytes * 8 / 64e9 < 0.1 * l.latency_s);
  // The report says so: nearly all of the layer is the array computing.
  CHECK(static_cast<double>(l.compute_cycles) >= kComputeCycles);
  CHECK(static_cast<double>(l.compute_cycles) > 0.9 * static_cast<double>(l.cycles));
}

TEST_CASE("with scarce DRAM bandwidth latency follows DRAM traffic", "[bottleneck]") {
  // 64 bit x 1 MT/s = 64 Mbit/s: the same traffic now takes ~1.3 ms, far above compute.
  const auto arch = arch_from_text(wide_arch("1 MT/s"));
  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  const LayerResult& l = r.layers[0];
  const double dram_seconds = l.dram_bytes * 8 / 64e6;
  CHECK(l.dram_bytes * 8 >= kMinDramBits);
  CHECK(l.latency_s >= dram_seconds);
  CHECK(l.latency_s <= 1.10 * dram_seconds + kComputeCycles * 1e-9);
  CHECK(static_cast<double>(l.cycles) > 10 * kComputeCycles);
  CHECK(static_cast<double>(l.stall_cycles.at("dram")) > 0.9 * static_cast<double>(l.cycles));
}

TEST_CASE("with a narrow network latency follows the network", "[bottleneck]") {
  // The tiny arch's own 64-bit bus: each step sends 256 x 4 x 32 bits of partial
  // sums, 512 bus cycles against 262 array cycles, so the array waits on the NoC.
  std::string yaml = replace_all(tiny_arch_yaml(), "banks: 4}", "banks: 16}");
  const auto arch = arch_from_text(yaml);
  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  const LayerResult& l = r.layers[0];
  CHECK(static_cast<double>(l.cycles) >= 144.0 * 512.0);
  CHECK(l.stall_cycles.at("noc") > l.stall_cycles.at("dram"));
  CHECK(l.stall_cycles.at("noc") > l.stall_cycles.at("buffer"));
  CHECK(l.utilization.at("noc_bandwidth") > 0.9);
}

TEST_CASE("with a narrow buffer latency follows the buffer", "[bottleneck]") {
  // One 64-bit bank: each step reads 256 x 4 x 8 bits of inputs and writes (and,
  // after the first K block, reads back) 256 x 4 x 32 bits of partial sums,
  // several hundred buffer cycles against 262 array cycles.
  std::string yaml = replace_all(tiny_arch_yaml(), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                                 "noc: {under: glb, class: MulticastBus, width: 1024 bit}");
  yaml = replace_all(yaml, "banks: 4}", "banks: 1}");
  const auto arch = arch_from_text(yaml);
  const RunResult r = run_simulation(*arch, workload_from_text(kLayer));
  const LayerResult& l = r.layers[0];
  CHECK(static_cast<double>(l.cycles) > 2 * kComputeCycles);
  CHECK(l.stall_cycles.at("buffer") > l.stall_cycles.at("dram"));
  CHECK(l.stall_cycles.at("buffer") > l.stall_cycles.at("noc"));
  CHECK(l.utilization.at("glb_bandwidth") > 0.9);
  CHECK(l.bound_resource == "buffer");
}
