// Peak throughput of a PE array: every PE busy every cycle, at the MAC class's
// rate for the run's precision, so a published peak is compared with what the
// design's parameters multiply out to, not with a number written down.
#include <catch2/catch.hpp>

#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kFcWorkload = R"(network: fc
batch: 4
precision:
  weights:     {bits: 8, scheme: uniform_symmetric}
  inputs:      {bits: 8, scheme: uniform_asymmetric}
  outputs:     {bits: 8, scheme: uniform_asymmetric}
  accumulator: {bits: 32, scheme: uniform_symmetric}
input: {C: 64, H: 1, W: 1}
layers:
  - {name: fc1, type: fc, C: 64, M: 64}
  - {name: fc2, type: fc, C: 64, M: 64, weights: {bits: 4}}
)";

}  // namespace

TEST_CASE("a PE array's peak is PEs x the MAC class's rate x clock, at the slowest precision of the run", "[peak]") {
  // The tiny array: 4 x 4 int8 MACs at 1 GHz, one MAC a cycle each: 2 x 16 x 1 GHz = 32 GOPS.
  const auto intmac = arch_from_text(tiny_arch_yaml());
  const RunResult r = run_simulation(*intmac, workload_from_text(kFcWorkload));
  CHECK(r.pe_array->peak_gops == Approx(32.0).epsilon(1e-12));
  // What a run achieves never exceeds what its array could do flat out.
  CHECK(r.summary.throughput_gops < r.pe_array->peak_gops);
}

TEST_CASE("a bit-serial array's peak falls with the serial operand's bits, and the run's widest layer sets it",
          "[peak]") {
  // Weights a bit a cycle: fc1's 8-bit weights take 8 cycles a MAC, fc2's 4-bit
  // ones 4. The run's peak is the slower of the two: 32 / 8 = 4 GOPS.
  const std::string yaml = replace_all(tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                                       "mac: {class: BitSerialMAC, serial: weights, parallel_bits: 8, accumulator_bits: 32}");
  const auto serial = arch_from_text(yaml);
  const RunResult r = run_simulation(*serial, workload_from_text(kFcWorkload));
  CHECK(r.pe_array->peak_gops == Approx(4.0).epsilon(1e-12));
  CHECK(r.summary.throughput_gops < r.pe_array->peak_gops);
}

TEST_CASE("the shipped UNPU's peak is its table read ports' groups over the weight bits, and the TPU's its 256 x 256 MACs",
          "[peak][validation]") {
  LayerPrecision p;
  p.inputs = {16, Scheme::UniformAsymmetric, 1.0};
  p.outputs = p.inputs;
  p.accumulator = {32, Scheme::UniformSymmetric, 1.0};
  const auto unpu = load_arch(shipped("arch/unpu.yaml"));
  // 24 LBPEs x 192 table read ports, one weight bit of 3 weights a cycle each,
  // and of 4 at 1-bit weights (arch/unpu.yaml).
  for (int bits : {1, 2, 4, 8, 16}) {
    p.weights = {bits, Scheme::UniformSymmetric, 1.0};
    const double macs_per_read = bits == 1 ? 4.0 : 3.0;
    CHECK(unpu->pe_array->peak_macs_per_cycle(p) == Approx(24.0 * 192.0 * macs_per_read / bits).epsilon(1e-12));
  }
  // At 1 bit: 18,432 MACs a cycle, 7,372.8 GOPS (published: 7,372).
  p.weights = {1, Scheme::UniformSymmetric, 1.0};
  CHECK(2.0 * unpu->pe_array->peak_macs_per_cycle(p) * unpu->tech.clock_hz / 1e9 == Approx(7372.8).epsilon(1e-12));
  p.weights = {16, Scheme::UniformSymmetric, 1.0};
  // At 16 bits that is the published 345.6 GOPS at 200 MHz (Lee et al., JSSC 2019).
  CHECK(2.0 * unpu->pe_array->peak_macs_per_cycle(p) * unpu->tech.clock_hz / 1e9 == Approx(345.6).epsilon(1e-12));

  const auto tpu = load_arch(shipped("arch/tpu_v1.yaml"));
  LayerPrecision int8;
  int8.weights = {8, Scheme::UniformSymmetric, 1.0};
  int8.inputs = {8, Scheme::UniformAsymmetric, 1.0};
  int8.outputs = int8.inputs;
  int8.accumulator = {32, Scheme::UniformSymmetric, 1.0};
  // 65,536 MACs x 2 x 700 MHz = 91.75 TOPS, published as 92 (Jouppi et al., ISCA 2017).
  CHECK(2.0 * tpu->pe_array->peak_macs_per_cycle(int8) * tpu->tech.clock_hz / 1e12 == Approx(91.75).epsilon(1e-4));
}

TEST_CASE("the shipped Bit Fusion's 512 fusion units take 1 product a cycle at 8 x 8 bits and 16 at 2 x 2",
          "[peak][validation]") {
  const auto bf = load_arch(shipped("arch/bitfusion.yaml"));
  LayerPrecision p;
  p.accumulator = {32, Scheme::UniformSymmetric, 1.0};
  const auto at = [&](int w, int i) {
    p.weights = {w, Scheme::UniformSymmetric, 1.0};
    p.inputs = {i, Scheme::UniformSymmetric, 1.0};
    p.outputs = p.inputs;
    return bf->pe_array->peak_macs_per_cycle(p);
  };
  // 16 x 32 units (the release's bf_e_conf.ini), 16 bricks each.
  CHECK(at(8, 8) == Approx(512.0));
  CHECK(at(2, 8) == Approx(2048.0));
  CHECK(at(4, 4) == Approx(2048.0));
  CHECK(at(2, 2) == Approx(8192.0));
  // 8,192 products x 2 ops x 500 MHz = 8.19 TOPS at 2 bits (derived, not a published figure).
  CHECK(2.0 * at(2, 2) * bf->tech.clock_hz / 1e12 == Approx(8.192).epsilon(1e-12));
}
