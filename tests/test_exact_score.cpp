// The mapper scores its front runners exactly from the closed-form counts
// (nest_counts.h), whose cost follows the distinct block shapes, not the
// number of tiles: a batch of 64 costs what a batch of 1 does. Those counts
// must be what laying out the plan tile by tile and pass by pass gives (the
// walker the simulation executes, nest_walk.h). Checked here on several
// layers, designs and batches (1, 7 and 64), with the mapper's own choices
// and with tilings that leave an uneven last tile.
#include <catch2/catch.hpp>

#include "schedule/nest_counts.h"
#include "schedule/mapper.h"
#include "schedule/search_support.h"
#include "plan_variants.h"
#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kUneven = R"(network: uneven
batch: 1
input: {C: 7, H: 11, W: 11}
layers:
  - {name: conv, type: conv, C: 7, H: 11, W: 11, M: 13, R: 3, S: 3, padding: 1}
  - {name: strided, type: conv, C: 13, H: 11, W: 11, M: 20, R: 3, S: 3, stride: 2}
  - {name: dw, type: dwconv, C: 20, H: 5, W: 5, R: 3, S: 3, padding: 1}
  - {name: fc, type: fc, C: 500, M: 10}
)";

// What walking every tile and pass of a plan moves, summed.
struct Walked {
  uint64_t tiles = 0, passes = 0, macs = 0, hop_bits = 0;
  std::array<uint64_t, kOperands> dram{}, sent{}, delivered{};
};

Walked walk(const ArchSpec& arch, const LayerPlan& plan) {
  Walked x;
  const NestWalker& walker = *plan.walker;
  const bool weights_kept = arch.glb->keeps(Tensor::Weights);
  const auto W = static_cast<std::size_t>(Operand::Weights), I = static_cast<std::size_t>(Operand::Inputs),
             O = static_cast<std::size_t>(Operand::Outputs);
  for (uint64_t t = 0; t < walker.tiles(); ++t) {
    const TileMoves m = walker.tile(t);
    ++x.tiles;
    x.dram[W] += m.weight_load_bits;
    x.dram[I] += m.input_dram_bits;
    x.dram[O] += m.output_store_bits;
    const NestWalker::TilePasses passes = walker.passes(t);
    for (uint64_t p = 0; p < m.passes; ++p) {
      const ArrayPass a = passes.pass(p);
      ++x.passes;
      x.macs += a.macs;
      x.hop_bits += a.hop_bits;
      if (!weights_kept) x.dram[W] += a.weights.glb_bits;  // read from DRAM at every fetch
      x.sent[W] += a.weights.sent_bits;
      x.sent[I] += a.inputs.sent_bits;
      x.sent[O] += a.psums_out.sent_bits + a.psums_in.sent_bits;
      x.delivered[W] += a.weights.delivered_bits;
      x.delivered[I] += a.inputs.delivered_bits;
      x.delivered[O] += a.psums_out.delivered_bits + a.psums_in.delivered_bits;
    }
  }
  return x;
}

bool uneven(const LayerPlan& plan) {
  for (int d = 0; d < kDims; ++d) {
    const DimExtents e = dim_extents(plan.mapping, plan.bounds, d);
    if (e.tiles() > 1 && e.dim % e.tile != 0) return true;
  }
  return false;
}

// Compares the closed form of one plan with its walk; true when the plan has an uneven last tile.
bool compare(const ArchSpec& arch, const Layer& l, const LayerPlan& plan) {
  INFO("layer " << l.name << ", " << plan.tiling);
  const NestCounts k = count_nest(arch, l, plan.bounds, plan.mapping, arch.dataflow);
  const Walked x = walk(arch, plan);
  CHECK(k.tiles == x.tiles);
  CHECK(k.passes == x.passes);
  CHECK(k.macs == x.macs);
  uint64_t hops = 0, dram = 0;
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs}) {
    const auto i = static_cast<std::size_t>(o);
    INFO("tensor " << tensor_name(o));
    CHECK(k[o].dram_bits == x.dram[i]);
    CHECK(k[o].noc_sent_bits == x.sent[i]);
    CHECK(k[o].noc_delivered_bits == x.delivered[i]);
    hops += k[o].hop_bits;
    dram += x.dram[i];
  }
  CHECK(hops == x.hop_bits);
  // The exact score reads these counts: its tiles and DRAM traffic are the walk's.
  const search::Estimate exact = search::exact_estimate(arch, l, plan);
  CHECK(static_cast<uint64_t>(exact.tiles) == x.tiles);
  CHECK(exact.dram_bits == static_cast<double>(dram));
  return uneven(plan);
}

// Each array layer's plans (plan_variants.h). Returns how many had an uneven last tile.
int compare_design(const ArchSpec& arch, bool sixteen_bits) {
  Workload w = workload_from_text(kUneven);
  if (sixteen_bits)
    for (const char* t : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
      REQUIRE(apply_bits_override(w, t).empty());
  int uneven_plans = 0;
  for_each_plan_variant(arch, w, [&](const Layer& l, const LayerPlan& plan) { uneven_plans += compare(arch, l, plan); });
  return uneven_plans;
}

}  // namespace

TEST_CASE("the exact score's counts are the walk of every tile: weight-stationary tiny array", "[mapper][exact]") {
  const auto arch = arch_from_text(replace_all(tiny_arch_yaml(), "size: 64 KiB", "size: 2 KiB"));
  CHECK(compare_design(*arch, false) > 0);
}

TEST_CASE("the exact score's counts are the walk of every tile: row-stationary tiny array", "[mapper][exact]") {
  const auto arch = arch_from_text(tiny_spatial_arch_yaml("4 KiB"));
  CHECK(compare_design(*arch, false) > 0);
}

TEST_CASE("the exact score's counts are the walk of every tile: systolic_ws", "[mapper][exact]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  CHECK(compare_design(*arch, false) > 0);
}

TEST_CASE("the exact score's counts are the walk of every tile: eyeriss_v1", "[mapper][exact]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  CHECK(compare_design(*arch, true) > 0);
}
