// Pieces of an Eyeriss-style design: separate networks per tensor, and a
// buffer with one tile slot.
#include <catch2/catch.hpp>

#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("with a network per tensor the busiest network sets the time, while a shared bus adds them up", "[noc]") {
  const auto shared = arch_from_text(tiny_arch_yaml());
  const auto split = arch_from_text(replace_all(tiny_arch_yaml(), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                                                "noc: {under: glb, class: MulticastBus, width: {weights: 64 bit, inputs: 16 bit, "
                                                "psums: 32 bit}}"));
  // 640 bits of weights, 320 of inputs, 640 of partial sums.
  const std::array<double, 3> bits = {640, 320, 640};
  CHECK(shared->noc->networks() == 1);
  CHECK(shared->noc->busy_cycles(bits) == Approx(1600.0 / 64));  // 25 cycles on one 64-bit bus
  CHECK(split->noc->networks() == 3);
  CHECK(split->noc->total_width_bits() == 112);
  // weights 640/64 = 10, inputs 320/16 = 20, partial sums 640/32 = 20 cycles, side by side.
  CHECK(split->noc->busy_cycles(bits) == Approx(20));
  CHECK(split->noc->network_of(Tensor::Accumulator) == split->noc->network_of(Tensor::Outputs));
}

TEST_CASE("a network map names weights, inputs and psums only", "[noc][validation]") {
  try {
    arch_from_text(replace_all(tiny_arch_yaml(), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                               "noc: {under: glb, class: MulticastBus, width: {weights: 64 bit, inputs: 16 bit, outputs: 32 bit}}"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "components.noc.width.psums");
  }
}

TEST_CASE("one tile slot: every load waits for the previous store, so DRAM time adds to compute", "[buffer]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB, width: 64 bit, banks: 4",
                                               "size: 8 KiB, width: 64 bit, banks: 4, tile_slots: 1"));
  REQUIRE(arch->glb->tile_slots() == 1);
  const Workload w = workload_from_text(R"(network: one_slot
batch: 2
input: {C: 8, H: 16, W: 16}
layers:
  - {name: conv, type: conv, C: 8, H: 16, W: 16, M: 16, R: 3, S: 3, padding: 1}
  - {name: fc, type: fc, C: 4096, M: 10}
)");
  const RunResult r = run_simulation(*arch, w);
  const double bits_per_s = arch->dram->bandwidth_bits_per_s();
  for (const LayerResult& l : r.layers) {
    INFO(l.name << ": " << l.tiling);
    CHECK(l.tiling.find("1 tiles") == std::string::npos);  // several tiles, so several serial loads
    // Loads, passes and stores never overlap: the layer lasts at least their sum.
    const double serial_s = l.dram_bytes * 8 / bits_per_s + static_cast<double>(l.compute_cycles) / r.clock_hz;
    CHECK(l.latency_s >= serial_s * (1 - 1e-9));
    CHECK(l.stall_cycles.at("dram") > 0);
  }
}
