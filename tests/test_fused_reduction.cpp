// Fused reduction (MacSpec::fused_reduction): a unit whose products of a step
// are summed inside it (Bit Fusion's fusion unit) widens a systolic array's
// reduction over input channels to rows x products, sends one partial sum a
// step down each column, and leaves lanes idle where a layer has fewer input
// channels than that (schedule/row_lanes.h). Cycles and counts derived by
// hand on a 4 x 4 array of 16-brick units at 2 x 2 bits (16 lanes a unit, 64
// down a column); the SystemC run counts what the closed form does; bad
// designs and mappings are refused with the file, line and key.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/nest_counts.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// tiny_arch_yaml's 4 x 4 systolic array of 16-brick fusion units at 1 GHz,
// its buffer and network wide enough that no pass waits for its operands.
std::string fused_arch() {
  std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB, width: 64 bit, banks: 4",
                                 "size: 64 KiB, width: 2048 bit, banks: 4");
  yaml = replace_all(yaml, "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                     "noc: {under: glb, class: MulticastBus, width: 8192 bit}");
  return replace_all(yaml, "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                     "mac: {class: BitFusionMAC, bricks: 16, accumulator_bits: 32}");
}

// A 1 x 1 convolution of C input channels, 7 x 7 positions, 4 filters, at
// `bits` x `bits`.
std::string pointwise(int channels, int bits = 2) {
  const std::string b = std::to_string(bits);
  return "network: pointwise\nbatch: 1\nprecision:\n"
         "  weights: {bits: " + b + ", scheme: uniform_symmetric}\n"
         "  inputs: {bits: " + b + ", scheme: uniform_symmetric}\n"
         "  outputs: {bits: " + b + ", scheme: uniform_symmetric}\n"
         "  accumulator: {bits: 32, scheme: uniform_symmetric}\n"
         "input: {C: " + std::to_string(channels) + ", H: 7, W: 7}\nlayers:\n"
         "  - {name: pw, type: conv, C: " + std::to_string(channels) + ", H: 7, W: 7, M: 4, R: 1, S: 1}\n";
}

GivenMapping given(const Mapping& m) {
  static const ConfigNode nowhere = ConfigNode::load_string("tile: {}\n", "hand");
  return GivenMapping{m, VectorTiling{}, nowhere};
}

// The whole layer in one pass: `c` of C down the rows, the 4 filters on the
// columns, each lane running the 49 positions.
Mapping one_pass(int64_t c) {
  Mapping m;
  m.rows[kC] = c;
  m.cols[kM] = 4;
  m.pe[kP] = 7;
  m.pe[kQ] = 7;
  return m;
}

uint64_t psum_reads(const NestCounts& n) {
  uint64_t reads = 0;
  for (const auto& [a, count] : n.mac_accesses)
    if (a.action == "read" && a.bits == 32) reads += count;
  return reads;
}

}  // namespace

TEST_CASE("fused lanes: 64 channels in one pass of 49 steps and one partial sum a step a column (by hand)",
          "[fused][hand]") {
  const auto arch = arch_from_text(fused_arch());
  const Workload w = workload_from_text(pointwise(64));
  const Layer& l = w.layers[0];
  REQUIRE(arch->pe_array->reduction_lanes(l.precision) == 16);
  const GivenMapping m = given(one_pass(64));
  const LayerPlan plan = plan_layer(*arch, l, w.batch, &m);
  const NestCounts n = count_nest(*arch, l, plan.bounds, plan.mapping, arch->dataflow);
  CHECK(n.passes == 1);
  CHECK(n.macs == 64u * 4u * 49u);
  // 49 steps, then 4 + 4 - 2 of fill and drain through the 4 x 4 units.
  CHECK(n.compute_cycles == 49u + 6u);
  // Each column sends out one 32-bit sum a position: 4 x 49, not 16 a step.
  CHECK(n[Operand::Outputs].noc_sent_bits == 4u * 49u * 32u);
  // Each unit reads and passes on one partial sum a step for its 16 lanes.
  CHECK(psum_reads(n) == 49u * 4u * 4u);
  // The mapper puts all 64 on the rows' lanes too (it may split the
  // positions into tiles whose loads overlap compute), and sends the same
  // partial sums.
  const LayerPlan searched = plan_layer(*arch, l, w.batch);
  INFO(searched.tiling);
  CHECK(searched.mapping.rows[kC] == 64);
  const NestCounts s = count_nest(*arch, l, searched.bounds, searched.mapping, arch->dataflow);
  CHECK(s[Operand::Outputs].noc_sent_bits == 4u * 49u * 32u);
}

TEST_CASE("fused lanes: a layer with fewer channels than rows x lanes leaves bricks idle (by hand)", "[fused][hand]") {
  const auto arch = arch_from_text(fused_arch());
  const auto counts = [&](int channels, const Mapping& m) {
    const Workload w = workload_from_text(pointwise(channels));
    const GivenMapping g = given(m);
    const LayerPlan plan = plan_layer(*arch, w.layers[0], w.batch, &g);
    return count_nest(*arch, w.layers[0], plan.bounds, plan.mapping, arch->dataflow);
  };
  // Half the lanes, or an eighth, take as long as all of them: the release's
  // ceil(ic / (N x perf factor)) steps a position.
  CHECK(counts(64, one_pass(64)).compute_cycles == 49u + 6u);
  CHECK(counts(32, one_pass(32)).compute_cycles == 49u + 6u);
  CHECK(counts(8, one_pass(8)).compute_cycles == 49u + 6u);
  CHECK(counts(8, one_pass(8)).macs == 8u * 4u * 49u);
  // 8 channels fill half of one unit a column: one partial sum a step from it.
  CHECK(psum_reads(counts(8, one_pass(8))) == 49u * 1u * 4u);
  // Twice the lanes' width: two passes.
  Mapping two = one_pass(64);
  two.glb[kC] = 2;
  CHECK(counts(128, two).compute_cycles == 2u * (49u + 6u));
  // The mapper puts as much of C on the rows as the lanes take.
  for (int channels : {8, 32, 64, 128}) {
    const Workload w = workload_from_text(pointwise(channels));
    const LayerPlan plan = plan_layer(*arch, w.layers[0], w.batch);
    INFO(channels << " channels: " << plan.tiling);
    CHECK(plan.mapping.rows[kC] == std::min(channels, 64));
  }
  // At 8 x 8 bits a unit is one product: 4 rows reduce 4 channels a pass.
  const Workload w8 = workload_from_text(pointwise(64, 8));
  REQUIRE(arch->pe_array->reduction_lanes(w8.layers[0].precision) == 1);
  const GivenMapping g8 = given(one_pass(64));
  CHECK_THROWS_WITH(plan_layer(*arch, w8.layers[0], w8.batch, &g8), Catch::Contains("the array has 4 rows"));
  Mapping four = one_pass(4);
  four.glb[kC] = 16;
  const GivenMapping g4 = given(four);
  const LayerPlan p8 = plan_layer(*arch, w8.layers[0], w8.batch, &g4);
  CHECK(count_nest(*arch, w8.layers[0], p8.bounds, p8.mapping, arch->dataflow).compute_cycles == 16u * (49u + 6u));
}

TEST_CASE("fused lanes: the SystemC run counts what the closed form does", "[fused][simulation]") {
  const auto arch = arch_from_text(fused_arch());
  // 40 channels: one pass of 40 lanes on 3 units a column (the third half idle).
  const Workload w = workload_from_text(pointwise(40));
  const GivenMapping m = given(one_pass(40));
  GivenMappings mappings;
  mappings.layers.emplace("pw", m);
  const LayerPlan plan = plan_layer(*arch, w.layers[0], w.batch, &m);
  const NestCounts n = count_nest(*arch, w.layers[0], plan.bounds, plan.mapping, arch->dataflow);
  CHECK(psum_reads(n) == 49u * 3u * 4u);
  const RunResult r = run_simulation(*arch, w, &mappings);
  ActionCounts simulated;
  for (const auto& a : r.layers[0].actions) simulated[a.component + ":" + a.action] += a.count;
  CHECK(simulated == count_plan_actions(*arch, w.layers[0], plan));
  CHECK(r.layers[0].compute_cycles == n.compute_cycles);
  CHECK(r.layers[0].latency_s >= plan_latency_bound(*arch, w.layers[0], plan).seconds * (1 - 1e-9));
}

TEST_CASE("fused lanes: a mapping or design they cannot take is refused with its key", "[fused][config]") {
  const auto arch = arch_from_text(fused_arch());
  const Workload w = workload_from_text(replace_all(pointwise(16), "R: 1, S: 1", "R: 3, S: 3, padding: 1"));
  const Workload wide_layer = workload_from_text(pointwise(256));
  const auto refusal = [&](const Mapping& m, const Workload& on) {
    const GivenMapping g = given(m);
    try {
      plan_layer(*arch, on.layers[0], on.batch, &g);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // Lanes sum input channels of one output: a filter row is not one of them.
  Mapping taps = one_pass(16);
  taps.rows[kR] = 3;
  taps.glb[kS] = 3;
  CHECK_THAT(refusal(taps, w), Catch::Contains("lanes of C alone") && Catch::Contains("not R"));
  // 4 rows of 16 lanes reduce 64 at 2 x 2 bits, no more.
  Mapping wide = one_pass(128);
  wide.glb[kC] = 2;
  CHECK_THAT(refusal(wide, wide_layer), Catch::Contains("reduce 64"));
  wide.rows[kC] = 64;
  wide.glb[kC] = 4;
  CHECK(refusal(wide, wide_layer).empty());
  // A dataflow whose rows do not reduce C gives the lanes nothing to sum.
  const ConfigError os = arch_error(replace_all(fused_arch(), "dataflow: weight_stationary", "dataflow: output_stationary"));
  CHECK(os.key_path() == "components.pe_array.mac");
  CHECK_THAT(os.message(), Catch::Contains("output_stationary") && Catch::Contains("C on the rows"));
}
