// MAC classes: energy and throughput follow both operand widths and the
// class, derived by hand here from the Horowitz 45 nm table
// (configs/energy/horowitz_45nm.yaml):
//   int_add:  8 bit 0.03 pJ, 32 bit 0.1 pJ   -> a(x) = 0.03 (x/8)^0.86848
//   int_mult: 64 0.2 pJ, 1024 3.1 pJ         -> m(x) = 0.2 (x/64)^0.98855
//   fp_mult:  121 1.1 pJ, 576 3.7 pJ         -> f(x) = 1.1 (x/121)^0.77740
//   fp_add:   11 0.4 pJ, 24 0.9 pJ
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// The tiny 4x4 systolic array with another MAC unit.
std::unique_ptr<ArchSpec> with_mac(const std::string& mac, bool spatial = false) {
  std::string yaml = replace_all(tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                                 "mac: " + mac);
  if (spatial) yaml = replace_all(yaml, "class: SystolicArray", "class: SpatialArray");
  return arch_from_text(yaml);
}

LayerPrecision precision(int wbits, Scheme w, int ibits, Scheme i, int abits) {
  LayerPrecision p;
  p.weights = {wbits, w, 1.0};
  p.inputs = {ibits, i, 1.0};
  p.outputs = {ibits, i, 1.0};
  p.accumulator = {abits, Scheme::UniformSymmetric, 1.0};
  return p;
}

double mac_pj(const ArchSpec& a, const LayerPrecision& p) {
  return a.pe_array->action_energy_pj(a.pe_array->mac_action(p));
}

}  // namespace

TEST_CASE("an 8-bit layer on an int MAC array and a binary layer on an XNOR array cost what the hand derivation says",
          "[mac]") {
  const auto intmac = with_mac("{class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}");
  const LayerPrecision int8 = precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
  CHECK(intmac->pe_array->precision_problem(int8).empty());
  // m(64) + a(32) = 0.2 + 0.1 pJ, one MAC per cycle: 256 iterations + (4 + 4 - 2) fill and drain.
  CHECK(mac_pj(*intmac, int8) == Approx(0.3).epsilon(1e-9));
  CHECK(intmac->pe_array->pass_cycles(256, 4, 4, int8) == 262);

  const auto xnor = with_mac("{class: XnorMAC, width: 64, accumulator_bits: 16}");
  const LayerPrecision binary = precision(1, Scheme::Binary, 1, Scheme::Binary, 16);
  CHECK(xnor->pe_array->precision_problem(binary).empty());
  // One popcount bit a(1) = 0.03 x (1/8)^0.86848 = 0.0049290 pJ, plus the
  // accumulator add a(16) = 0.054774 pJ shared by 64 products: 0.0057849 pJ.
  CHECK(mac_pj(*xnor, binary) == Approx(0.0057849).epsilon(1e-4));
  // 64 products a cycle: 256 iterations take 4 steps, + 6 fill and drain.
  CHECK(xnor->pe_array->pass_cycles(256, 4, 4, binary) == 10);
  CHECK_THAT(xnor->pe_array->precision_problem(int8), Catch::Contains("binary weights and inputs"));
  // An int MAC runs binary values as 1-bit integers, at its full 8 x 8 cost: 52 times the XNOR's.
  CHECK(intmac->pe_array->precision_problem(binary).empty());
  CHECK(mac_pj(*intmac, binary) / mac_pj(*xnor, binary) == Approx(0.3 / 0.0057849).epsilon(1e-4));
}

TEST_CASE("an int MAC unit with two lanes does two MACs a step at one lane's energy per MAC", "[mac]") {
  const auto two = with_mac("{class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32, lanes: 2}", true);
  const auto one = with_mac("{class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}", true);
  const LayerPrecision int8 = precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
  CHECK(mac_pj(*two, int8) == Approx(0.3).epsilon(1e-9));
  // 16 PEs x 2 lanes; a pass of 256 iterations on the spatial array: 128 steps + 3 partial-sum hops.
  CHECK(two->pe_array->peak_macs_per_cycle(int8) == 32);
  CHECK(two->pe_array->pass_cycles(256, 4, 4, int8) == 131);
  CHECK(one->pe_array->pass_cycles(256, 4, 4, int8) == 259);
  CHECK(two->pe_array->area_mm2() > one->pe_array->area_mm2());
}

TEST_CASE("bit-serial cycles and energy grow linearly with the serial operand's bits", "[mac]") {
  const auto a = with_mac("{class: BitSerialMAC, serial: inputs, parallel_bits: 8, accumulator_bits: 32}", true);
  const double per_cycle = 0.2 * std::pow(8.0 / 64.0, 0.98855) + 0.1;  // m(8 x 1) + a(32)
  for (int bits = 1; bits <= 8; ++bits) {
    const LayerPrecision p = precision(8, Scheme::UniformSymmetric, bits, Scheme::UniformAsymmetric, 32);
    INFO(bits << "-bit inputs");
    REQUIRE(a->pe_array->precision_problem(p).empty());
    // A one-row pass of 100 MACs: 100 x bits cycles.
    CHECK(a->pe_array->pass_cycles(100, 1, 4, p) == 100u * static_cast<uint64_t>(bits));
    CHECK(mac_pj(*a, p) == Approx(bits * per_cycle).epsilon(1e-4));
  }
  CHECK_THAT(a->pe_array->precision_problem(precision(16, Scheme::UniformSymmetric, 4, Scheme::UniformAsymmetric, 32)),
             Catch::Contains("up to 8 bits"));
}

TEST_CASE("fused bricks: throughput grows as widths shrink, and an odd width leaves bricks idle", "[mac]") {
  const auto a = with_mac("{class: BitFusionMAC, bricks: 16, accumulator_bits: 32}", true);
  const auto cycles = [&](int w, int i) {
    const LayerPrecision p = precision(w, Scheme::UniformSymmetric, i, Scheme::UniformAsymmetric, 32);
    REQUIRE(a->pe_array->precision_problem(p).empty());
    return a->pe_array->pass_cycles(256, 1, 4, p);
  };
  CHECK(cycles(8, 8) == 256);  // 16 bricks per MAC: one a cycle
  CHECK(cycles(8, 4) == 128);  // 8 bricks: two a cycle
  CHECK(cycles(4, 4) == 64);   // 4 bricks: four a cycle
  CHECK(cycles(2, 2) == 16);   // 1 brick: sixteen a cycle
  // 3 bits fill 2 bricks' worth of 4: no faster than 4 x 4, where a perfect
  // fit would run 16 / 2.25 = 7.1 MACs a cycle (56% of the bricks' bits used).
  CHECK(cycles(3, 3) == cycles(4, 4));
  CHECK(cycles(5, 5) == cycles(6, 6));
  // Bricks fuse in powers of two: a 6 x 2-bit product needs 3 bricks but takes
  // a group of 4, so four a cycle, not five.
  CHECK(cycles(6, 2) == 64);
  // Energy per MAC: the fused bricks at m(4) each plus one a(32) add.
  const double brick = 0.2 * std::pow(4.0 / 64.0, 0.98855);
  CHECK(mac_pj(*a, precision(4, Scheme::UniformSymmetric, 4, Scheme::UniformAsymmetric, 32)) ==
        Approx(4 * brick + 0.1).epsilon(1e-4));
  CHECK_THAT(a->pe_array->precision_problem(precision(16, Scheme::UniformSymmetric, 16, Scheme::UniformAsymmetric, 32)),
             Catch::Contains("needs 64"));
}

// The reference: the Bit Fusion release's performance factor
// (github.com/hsharma35/bitfusion, src/simulator/accelerator.py,
// get_perf_factor with pmax 8 and pmin 2): int(8 / max(i, 2)) x int(8 / max(w, 2))
// products per fusion unit per cycle, for every pair of widths 1 to 8.
TEST_CASE("a 16-brick fusion unit runs as many products a cycle as the Bit Fusion release's own factor", "[mac]") {
  const auto a = with_mac("{class: BitFusionMAC, bricks: 16, accumulator_bits: 32}", true);
  for (int w = 1; w <= 8; ++w)
    for (int i = 1; i <= 8; ++i) {
      const Scheme ws = w == 1 ? Scheme::Binary : Scheme::UniformSymmetric;
      const Scheme is = i == 1 ? Scheme::Binary : Scheme::UniformAsymmetric;
      const LayerPrecision p = precision(w, ws, i, is, 32);
      INFO(w << " x " << i << " bits");
      REQUIRE(a->pe_array->precision_problem(p).empty());
      const int factor = (8 / std::max(i, 2)) * (8 / std::max(w, 2));
      CHECK(a->pe_array->peak_macs_per_cycle(p) == Approx(4.0 * 4.0 * factor).epsilon(1e-12));  // the 4 x 4 tiny array
    }
}

TEST_CASE("shift-add units take log weights and need wide accumulators for them", "[mac]") {
  const auto a = with_mac("{class: ShiftAddMAC, weight_bits: 4, input_bits: 8, accumulator_bits: 16}");
  const LayerPrecision po2 = precision(4, Scheme::PowerOfTwo, 8, Scheme::UniformAsymmetric, 16);
  CHECK(a->pe_array->precision_problem(po2).empty());
  // 3 shifter stages of an 8-bit add a(8) = 0.03 pJ each, plus a(16) = 0.054772 pJ.
  CHECK(mac_pj(*a, po2) == Approx(3 * 0.03 + 0.054772).epsilon(1e-4));
  // Radix-4 4-bit weights shift by up to 14 bits: 8 + 14 = 22-bit products.
  const LayerPrecision r4 = precision(4, Scheme::LogRadix4, 8, Scheme::UniformAsymmetric, 16);
  CHECK_THAT(a->pe_array->precision_problem(r4), Catch::Contains("products of 22 bits"));
  CHECK_THAT(a->pe_array->precision_problem(precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 16)),
             Catch::Contains("power_of_two or log_radix4"));
}

TEST_CASE("float MACs: fp16 from the published figures, FP8 formats from the significand curve", "[mac]") {
  const auto a = with_mac("{class: FloatMAC, formats: [fp16, fp8_e4m3, fp8_e5m2], accumulator: fp32}");
  const LayerPrecision fp16 = precision(16, Scheme::Float, 16, Scheme::Float, 32);
  const LayerPrecision e4m3 = precision(8, Scheme::Float, 8, Scheme::Float, 32);
  const LayerPrecision e5m2 = precision(8, Scheme::FloatE5M2, 8, Scheme::FloatE5M2, 32);
  for (const LayerPrecision* p : {&fp16, &e4m3, &e5m2}) CHECK(a->pe_array->precision_problem(*p).empty());
  CHECK(mac_pj(*a, fp16) == Approx(1.1 + 0.9).epsilon(1e-9));  // fp16 multiply + fp32 add [H14]
  CHECK(mac_pj(*a, e4m3) == Approx(1.1 * std::pow(16.0 / 121.0, 0.77740) + 0.9).epsilon(1e-4));
  CHECK(mac_pj(*a, e5m2) == Approx(1.1 * std::pow(9.0 / 121.0, 0.77740) + 0.9).epsilon(1e-4));
  CHECK(mac_pj(*a, e5m2) < mac_pj(*a, e4m3));
  LayerPrecision mixed = fp16;
  mixed.inputs = e4m3.inputs;
  CHECK_THAT(a->pe_array->precision_problem(mixed), Catch::Contains("mixes fp16 and fp8_e4m3"));
  CHECK_THAT(a->pe_array->precision_problem(precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32)),
             Catch::Contains("floating-point"));
}

TEST_CASE("float MACs: fp32 operands, a float model before quantization, from the published fp32 figures", "[mac]") {
  const auto a = with_mac("{class: FloatMAC, formats: [fp32, fp16], accumulator: fp32}");
  const LayerPrecision fp32 = precision(32, Scheme::Float, 32, Scheme::Float, 32);
  CHECK(a->pe_array->precision_problem(fp32).empty());
  CHECK(mac_pj(*a, fp32) == Approx(3.7 + 0.9).epsilon(1e-9));  // fp32 multiply + fp32 add [H14]
  LayerPrecision mixed = fp32;
  mixed.inputs = precision(16, Scheme::Float, 16, Scheme::Float, 32).inputs;
  CHECK_THAT(a->pe_array->precision_problem(mixed), Catch::Contains("mixes fp32 and fp16"));
  // An fp16-only unit does not take fp32 layers.
  const auto half = with_mac("{class: FloatMAC, formats: [fp16], accumulator: fp32}");
  CHECK_THAT(half->pe_array->precision_problem(fp32), Catch::Contains("does not execute fp32"));
  // A trace says fp32 as float at 32 bits; integer schemes still stop at 16.
  const std::string trace = R"(network: f
batch: 1
precision:
  weights: {bits: 32, scheme: SCHEME}
  inputs: {bits: 32, scheme: float}
  outputs: {bits: 32, scheme: float}
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
)";
  CHECK(workload_from_text(replace_all(trace, "SCHEME", "float")).layers[0].precision.weights.bits == 32);
  CHECK_THROWS_WITH(workload_from_text(replace_all(trace, "SCHEME", "uniform_symmetric")),
                    Catch::Contains("expected 1 to 16 bits for weights (32 only as float), found 32"));
}

TEST_CASE("a binary network simulates on an XNOR array, every MAC counted once", "[mac]") {
  const auto a = with_mac("{class: XnorMAC, width: 64, accumulator_bits: 16}");
  const Workload w = workload_from_text(R"(network: bnn
batch: 2
precision:
  weights:     {bits: 1, scheme: binary}
  inputs:      {bits: 1, scheme: binary}
  outputs:     {bits: 1, scheme: binary}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 16, H: 8, W: 8}
layers:
  - {name: conv, type: conv, C: 16, H: 8, W: 8, M: 16, R: 3, S: 3, padding: 1}
  - {name: fc, type: fc, C: 1024, M: 10}
)");
  const RunResult r = run_simulation(*a, w);
  for (const LayerResult& l : r.layers) {
    INFO(l.name);
    CHECK(action_count(l, "pe_array", "mac.xnor_popcount") == static_cast<uint64_t>(l.macs));
  }
}

TEST_CASE("finished outputs are requantized by their code, and codebook weights are looked up", "[mac][scheme]") {
  const auto a = arch_from_text(tiny_arch_yaml());
  const auto requant_pj = [&](Scheme out, int out_bits) {
    LayerPrecision p = precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
    p.outputs = {out_bits, out, 1.0};
    const ActionDesc r = a->vector_unit->requant_action(p);
    return r.action.empty() ? 0.0 : a->vector_unit->action_energy_pj(r);
  };
  // Uniform: a 32 x 32-bit fixed-point multiply m(1024) = 3.1 pJ [Jacob et al.],
  // plus the zero point's 8-bit add a(8) = 0.03 pJ when asymmetric.
  CHECK(requant_pj(Scheme::UniformSymmetric, 8) == Approx(3.1).epsilon(1e-9));
  CHECK(requant_pj(Scheme::UniformAsymmetric, 8) == Approx(3.13).epsilon(1e-9));
  // Binary: one sign test a(32) = 0.1 pJ; ternary two; a 4-bit codebook 16 compares.
  CHECK(requant_pj(Scheme::Binary, 1) == Approx(0.1).epsilon(1e-9));
  CHECK(requant_pj(Scheme::Ternary, 2) == Approx(0.2).epsilon(1e-9));
  CHECK(requant_pj(Scheme::Codebook, 4) == Approx(1.6).epsilon(1e-9));
  CHECK(requant_pj(Scheme::Float, 16) == 0.0);
  // Per-channel weight scales: the output's 32-bit multiplier is read from a
  // register file too, 32 x 0.0526 pJ (the table's register bit).
  LayerPrecision pc = precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
  pc.weights.granularity = Granularity::PerChannel;
  CHECK(a->vector_unit->action_energy_pj(a->vector_unit->requant_action(pc)) == Approx(3.13 + 32 * 0.0526).epsilon(1e-9));

  // 4-bit codebook weights on the int8 array: each active MAC reads its
  // 4-bit index and one 8-bit table entry.
  LayerPrecision cb = precision(4, Scheme::Codebook, 8, Scheme::UniformAsymmetric, 32);
  REQUIRE(a->pe_array->precision_problem(cb).empty());
  uint64_t index_reads = 0, entry_reads = 0;
  for (const auto& [action, n] : a->pe_array->mac_accesses(100, 90, 100, cb)) {
    if (action.action == "read" && action.bits == 4) index_reads += n;
    if (action.action == "read" && action.bits == 8) entry_reads += n;
  }
  CHECK(index_reads == 90);
  CHECK(entry_reads == 90 + 100);  // the table entries, and the 8-bit inputs
}

TEST_CASE("every output of an array layer is requantized once, in the run as in the counts", "[scheme]") {
  const auto a = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(R"(network: one
batch: 2
input: {C: 4, H: 6, W: 6}
layers:
  - {name: conv, type: conv, C: 4, H: 6, W: 6, M: 10, R: 3, S: 3, padding: 1}
)");
  const RunResult r = run_simulation(*a, w);
  // 2 images x 10 channels x 6 x 6 outputs, 8-bit asymmetric from 32-bit accumulators.
  CHECK(action_count(r.layers[0], "vector_unit", "vector.requant_uniform_asymmetric_32to8") == 720u);
  CHECK(r.layers[0].energy_breakdown_pj.at("vector") == Approx(720 * 3.13).epsilon(1e-9));
}

TEST_CASE("an int MAC allowed to split runs a wider layer in slices, each a full pass", "[mac]") {
  const auto strict = with_mac("{class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}");
  const auto split = with_mac("{class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32, split_wide: true}");
  const LayerPrecision w16 = precision(16, Scheme::UniformSymmetric, 16, Scheme::UniformAsymmetric, 32);
  const LayerPrecision w16i8 = precision(16, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
  CHECK_THAT(strict->pe_array->precision_problem(w16), Catch::Contains("split_wide"));
  REQUIRE(split->pe_array->precision_problem(w16).empty());
  // 16 x 16 bits on 8 x 8: 2 x 2 = 4 passes per MAC, each m(64) + a(32) = 0.3 pJ.
  CHECK(mac_pj(*split, w16) == Approx(1.2).epsilon(1e-9));
  CHECK(split->pe_array->pass_cycles(100, 4, 4, w16) == 4 * (100 + 6));
  // 16 x 8: 2 passes.
  CHECK(mac_pj(*split, w16i8) == Approx(0.6).epsilon(1e-9));
  // A layer that fits is unchanged.
  const LayerPrecision int8 = precision(8, Scheme::UniformSymmetric, 8, Scheme::UniformAsymmetric, 32);
  CHECK(mac_pj(*split, int8) == Approx(0.3).epsilon(1e-9));
  CHECK(split->pe_array->pass_cycles(100, 4, 4, int8) == 106);
}

TEST_CASE("asymmetric weights add the sums of each output's inputs, in the run as in the counts", "[scheme]") {
  const auto a = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(R"(network: one
batch: 2
input: {C: 4, H: 6, W: 6}
layers:
  - {name: conv, type: conv, C: 4, H: 6, W: 6, M: 10, R: 3, S: 3, padding: 1,
     weights: {bits: 8, scheme: uniform_asymmetric}}
)");
  const std::vector<LayerPlan> plans = plan_workload(*a, w);
  const RunResult r = run_simulation(*a, w);
  // 2 images x 6 x 6 positions, each summing its 4 x 3 x 3 inputs, once per tile over M.
  const uint64_t m_tiles = static_cast<uint64_t>(dim_extents(plans[0].mapping, plans[0].bounds, kM).tiles());
  const uint64_t sums = action_count(r.layers[0], "vector_unit", "vector.zero_point_sum.32b");
  CHECK(sums == 2u * 36u * 36u * m_tiles);
  CHECK(count_plan_actions(*a, w.layers[0], plans[0]).at("vector_unit:vector.zero_point_sum.32b") == sums);
}
