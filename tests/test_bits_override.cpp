// --bits overrides the trace's widths, and the widths drive storage and traffic.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "schedule/nest_counts.h"
#include "schedule/search_support.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kTwoLayers = R"(network: two
batch: 1
input: {C: 256, H: 1, W: 1}
layers:
  - {name: fc1, type: fc, C: 256, M: 64}
  - {name: fc2, type: fc, C: 64, M: 10}
)";

}  // namespace

TEST_CASE("a bits override sets a tensor's width in every layer, or in one named layer", "[bits]") {
  Workload w = workload_from_text(kTwoLayers);
  REQUIRE(apply_bits_override(w, "weights=4").empty());
  CHECK(w.layers[0].precision.weights.bits == 4);
  CHECK(w.layers[1].precision.weights.bits == 4);
  REQUIRE(apply_bits_override(w, "fc2.inputs=2").empty());
  CHECK(w.layers[0].precision.inputs.bits == 8);
  CHECK(w.layers[1].precision.inputs.bits == 2);
  REQUIRE(apply_bits_override(w, "accumulator=24").empty());
  CHECK(w.layers[1].precision.accumulator.bits == 24);

  CHECK_THAT(apply_bits_override(w, "weights=17"), Catch::Contains("from 1 to 16"));
  CHECK_THAT(apply_bits_override(w, "weights=2.5"), Catch::Contains("whole number"));
  CHECK_THAT(apply_bits_override(w, "fc9.weights=4"), Catch::Contains("no layer named 'fc9'"));
  CHECK_THAT(apply_bits_override(w, "kernels=4"), Catch::Contains("TENSOR one of weights"));
  CHECK_THAT(apply_bits_override(w, "weights"), Catch::Contains("expected TENSOR=B"));
}

TEST_CASE("a bits override keeps fixed-width schemes consistent", "[bits]") {
  Workload w = workload_from_text(replace_all(kTwoLayers, "- {name: fc2, type: fc, C: 64, M: 10}",
                                              "- {name: fc2, type: fc, C: 64, M: 10, weights: {bits: 1, scheme: binary}}"));
  CHECK_THAT(apply_bits_override(w, "fc2.weights=4"), Catch::Contains("binary") && Catch::Contains("exactly 1"));
  CHECK(apply_bits_override(w, "fc1.weights=4").empty());
}

TEST_CASE("halving the weight bits halves weight storage and DRAM traffic for the same mapping", "[bits]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  Workload w8 = workload_from_text(kTwoLayers);
  Workload w4 = w8;
  REQUIRE(apply_bits_override(w4, "weights=4").empty());
  const Layer& l8 = w8.layers[0];
  const Layer& l4 = w4.layers[0];
  const LayerPlan plan = plan_layer(*arch, l8, 1);
  const NestCounts c8 = count_nest(*arch, l8, plan.bounds, plan.mapping, arch->dataflow);
  const NestCounts c4 = count_nest(*arch, l4, plan.bounds, plan.mapping, arch->dataflow);
  // 256 x 64 weights, each fetched once from DRAM: 131072 bits at 8, 65536 at 4.
  CHECK(c8[Operand::Weights].dram_bits == 256u * 64u * 8u);
  CHECK(c4[Operand::Weights].dram_bits == c8[Operand::Weights].dram_bits / 2);
  CHECK(c4[Operand::Weights].noc_sent_bits * 2 == c8[Operand::Weights].noc_sent_bits);
  // Inputs did not change.
  CHECK(c4[Operand::Inputs].dram_bits == c8[Operand::Inputs].dram_bits);
  // The tile's weights take half the buffer, so a 4-bit layer fits tiles with twice the weights.
  const search::TileNeed n8 = search::tile_need(l8, plan.bounds, plan.mapping, *arch->glb, *arch->pe_array);
  const search::TileNeed n4 = search::tile_need(l4, plan.bounds, plan.mapping, *arch->glb, *arch->pe_array);
  CHECK(n4.w * 2 == n8.w);
  CHECK(n4.i == n8.i);
}

TEST_CASE("after a bits override every layer still reads the width its producer writes", "[bits]") {
  Workload w = workload_from_text(kTwoLayers);
  REQUIRE(apply_bits_override(w, "fc2.inputs=4").empty());
  CHECK_THAT(check_width_chain(w), Catch::Contains("'fc2' would read 4-bit inputs but 'fc1' writes 8-bit outputs") &&
                                       Catch::Contains("--bits fc1.outputs=4"));
  REQUIRE(apply_bits_override(w, "fc1.outputs=4").empty());
  CHECK(check_width_chain(w).empty());
  // The network input takes any width.
  REQUIRE(apply_bits_override(w, "fc1.inputs=2").empty());
  CHECK(check_width_chain(w).empty());
}
