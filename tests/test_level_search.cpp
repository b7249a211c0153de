// The mapper for level designs (schedule/level_search): within 5% of the
// true optimum (every mapping enumerated) on small layers for energy and EDP,
// deterministic, and respectful of every level's size and fan-out.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>

#include "schedule/level_limits.h"
#include "schedule/loop_nest.h"
#include "schedule/level_search.h"
#include "schedule/tensor_box.h"
#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// A buffer of 24 values shared by two PEs, each with 4 registers for weights
// and partial sums, over DRAM; energies in the ratios of Horowitz (ISSCC
// 2014, 45 nm): DRAM ~100x, an 8 KB SRAM ~3x and a register file ~1x a MAC.
const char* kDesign = R"(levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    energy_pj: {read: 200, write: 200, update: 200}
  - name: buffer
    keeps: [weights, inputs, outputs]
    size: 24
    energy_pj: {read: 6, write: 6, update: 6}
    leak_pj_per_cycle: 0.1
  - name: regs
    instances: 2
    keeps: [weights, outputs]
    size: 4
    energy_pj: {weights: {read: 1, write: 1, update: 1}, outputs: {read: 1.5, write: 1.5, update: 1.5}}
compute: {name: mac, instances: 2, energy_pj: 2}
)";

LevelDesign design() {
  const auto dir = scratch_dir("level_search");
  std::ofstream(dir / "design.yaml") << kDesign;
  return load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
}

LoopBounds layer(DimArray extent, int64_t stride) {
  LoopBounds b;
  b.extent = extent;
  b.stride = stride;
  b.H = (extent[kP] - 1) * stride + extent[kR];
  b.W = (extent[kQ] - 1) * stride + extent[kS];
  return b;
}

double score(const LevelMapping& m, Objective o) {
  if (o == Objective::Latency) return static_cast<double>(m.cycles.total);
  return o == Objective::Energy ? m.energy_pj : m.energy_pj * static_cast<double>(m.cycles.total);
}

}  // namespace

TEST_CASE("the level mapper is within 5% of every mapping enumerated, for energy, EDP and latency", "[levels][mapper]") {
  const LevelDesign d = design();
  // M4 C2 P4 R2 (64 MACs), then N2 M2 C2 Q4 S3 at stride 2 (192): small enough to
  // enumerate every placement of every prime factor and every loop order of every level.
  for (const LoopBounds& b : {layer({1, 1, 4, 2, 4, 1, 2, 1}, 1), layer({2, 1, 2, 2, 1, 4, 1, 3}, 2)})
    for (Objective o : {Objective::Energy, Objective::Edp, Objective::Latency}) {
      const auto found = search_level_mapping(d, b, o);
      const auto best = exhaustive_level_mapping(d, b, o);
      REQUIRE(found);
      REQUIRE(best);
      INFO("objective " << objective_name(o));
      CHECK(score(*found, o) <= 1.05 * score(*best, o));
      CHECK(score(*found, o) >= score(*best, o) * (1 - 1e-12));  // nothing beats the enumeration
      CHECK(limits_broken(found->nest, d.limits, b).empty());
      CHECK(best->evaluated > 1000);  // the enumeration covers a real space
    }
}

TEST_CASE("the level mapper's early stop changes no mapping it chooses", "[levels][mapper]") {
  // A mapping's counting stops once what is counted already scores no better
  // than the best so far (level_search.cpp). If that partial figure were not
  // a lower bound, the search would turn down a mapping it would have taken,
  // and choose another. Shipped designs, on layers of ResNet-50's shapes and
  // AlexNet's first (stride 4), for every objective, with and without it.
  const Workload w = load_workload(shipped("workloads/resnet50.yaml"));
  const Workload alexnet = load_workload(shipped("workloads/alexnet.yaml"));
  const std::vector<LoopBounds> layers{loop_bounds(w.layers[2], 1), loop_bounds(w.layers[3], 1),
                                       loop_bounds(w.layers[4], 1), loop_bounds(alexnet.layers[0], 1)};
  for (const char* file : {"arch/levels/eyeriss_v1.yaml", "arch/levels/simba_like.yaml"}) {
    const LevelDesign d = load_level_design(shipped(file), LevelDesignUse::ToSearch);
    for (const LoopBounds& b : layers)
      for (Objective o : {Objective::Energy, Objective::Edp, Objective::Latency}) {
        INFO(file << ", objective " << objective_name(o) << ", layer of " << b.extent[kM] << " filters");
        set_level_search_early_stop(false);
        const auto whole = search_level_mapping(d, b, o);
        set_level_search_early_stop(true);
        const auto stopped = search_level_mapping(d, b, o);
        REQUIRE(whole.has_value() == stopped.has_value());
        if (!whole) continue;
        CHECK(level_nest_text(stopped->nest) == level_nest_text(whole->nest));
        CHECK(stopped->energy_pj == whole->energy_pj);
        CHECK(stopped->cycles.total == whole->cycles.total);
        CHECK(stopped->evaluated == whole->evaluated);  // each distinct mapping is counted once either way
      }
  }
}

TEST_CASE("the level mapper is deterministic and keeps every level within its size", "[levels][mapper]") {
  const LevelDesign d = design();
  const LoopBounds b = layer({2, 1, 4, 3, 6, 6, 3, 3}, 1);
  const auto a = search_level_mapping(d, b, Objective::Energy);
  const auto c = search_level_mapping(d, b, Objective::Energy);
  REQUIRE(a);
  REQUIRE(c);
  CHECK(a->energy_pj == c->energy_pj);
  CHECK(a->evaluated == c->evaluated);
  CHECK(limits_broken(a->nest, d.limits, b).empty());
  // The registers hold at most 4 values of weights and partial sums together.
  CHECK(level_block(a->nest, 2, Operand::Weights, b) + level_block(a->nest, 2, Operand::Outputs, b) <= 4);
}

TEST_CASE("a level design too small for any mapping says so", "[levels][mapper]") {
  const auto dir = scratch_dir("level_search_small");
  // One register cannot hold a weight and a partial sum at once.
  std::ofstream(dir / "design.yaml") << replace_all(kDesign, "size: 4", "size: 1");
  const LevelDesign d = load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
  CHECK_FALSE(search_level_mapping(d, layer({1, 1, 2, 2, 2, 2, 1, 1}, 1), Objective::Energy));
}

TEST_CASE("the level mapper keeps each partition within its share", "[levels][mapper]") {
  // The buffer's 24 values split: 2 for weights, 22 for inputs and partial
  // sums.
  const auto dir = scratch_dir("level_search_partitions");
  std::ofstream(dir / "design.yaml")
      << replace_all(kDesign, "    size: 24\n", "    size: 24\n    partitions: [{keeps: [weights], size: 2}, {keeps: [inputs, outputs], size: 22}]\n");
  const LevelDesign d = load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
  const LoopBounds b = layer({2, 1, 4, 3, 6, 6, 3, 3}, 1);
  const auto split = search_level_mapping(d, b, Objective::Energy);
  REQUIRE(split);
  CHECK(limits_broken(split->nest, d.limits, b).empty());
  CHECK(level_block(split->nest, 1, Operand::Weights, b) <= 2);
  CHECK(level_block(split->nest, 1, Operand::Inputs, b) + level_block(split->nest, 1, Operand::Outputs, b) <= 22);
  // Four weights in the buffer fit it whole but not split: the limit the
  // search checks its candidates against sees the partition.
  LevelNest four_weights = design().nest;
  four_weights.levels[0].temporal = {{kN, 2}, {kC, 3}, {kP, 6}, {kQ, 6}, {kR, 3}, {kS, 3}};
  four_weights.levels[1].temporal = {{kM, 4}};
  CHECK(limits_broken(four_weights, design().limits, b).empty());
  CHECK_THAT(limits_broken(four_weights, d.limits, b), Catch::Contains("in its weights partition"));
}

TEST_CASE("the level mapper keeps each level's loops to its temporal_dims", "[levels][mapper]") {
  // Weight stationary at the registers: they may not iterate any dimension
  // weights depend on, so a weight there stays for all of its uses.
  const auto dir = scratch_dir("level_search_temporal_dims");
  std::ofstream(dir / "design.yaml")
      << replace_all(kDesign, "    size: 4\n", "    size: 4\n    temporal_dims: [N, P, Q]\n");
  const LevelDesign d = load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
  const LoopBounds b = layer({2, 1, 4, 3, 6, 6, 3, 3}, 1);
  const auto m = search_level_mapping(d, b, Objective::Energy);
  REQUIRE(m);
  CHECK(limits_broken(m->nest, d.limits, b).empty());
  for (const LevelLoop& x : m->nest.levels[2].temporal) CHECK((x.dim == kN || x.dim == kP || x.dim == kQ));
  // A weight dimension iterated in the registers fits the free design, not this one.
  LevelNest weight_loop = design().nest;
  weight_loop.levels[0].temporal = {{kN, 2}, {kM, 4}, {kC, 3}, {kP, 6}, {kQ, 6}, {kS, 3}};
  weight_loop.levels[2].temporal = {{kR, 3}};
  CHECK(limits_broken(weight_loop, design().limits, b).empty());
  CHECK_THAT(limits_broken(weight_loop, d.limits, b), Catch::Contains("may not iterate R"));
}

TEST_CASE("a dimension no level may take leaves no mapping", "[levels][mapper]") {
  // DRAM and the registers may not iterate C, the buffer iterates nothing and
  // fans out only M: no slot takes C.
  const auto dir = scratch_dir("level_search_no_slot");
  std::string text = replace_all(kDesign, "    energy_pj: {read: 200, write: 200, update: 200}\n",
                                 "    energy_pj: {read: 200, write: 200, update: 200}\n    temporal_dims: [N, M, P, Q, R, S]\n");
  text = replace_all(text, "    size: 24\n", "    size: 24\n    temporal_dims: []\n    spatial_dims: [M]\n");
  text = replace_all(text, "    size: 4\n", "    size: 4\n    temporal_dims: [N, M, P, Q, R, S]\n");
  std::ofstream(dir / "design.yaml") << text;
  const LevelDesign d = load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
  CHECK_FALSE(search_level_mapping(d, layer({1, 1, 2, 2, 2, 2, 1, 1}, 1), Objective::Energy));
}

TEST_CASE("the latency objective never takes more cycles than the EDP objective", "[levels][mapper]") {
  // Layers of several shapes on the three-level design, whose buffer and
  // registers bound what each mapping may keep, with DRAM moving two values
  // a cycle so that traffic, not only the two units, sets the time.
  const auto dir = scratch_dir("level_search_latency");
  std::ofstream(dir / "design.yaml") << replace_all(kDesign, "    energy_pj: {read: 200, write: 200, update: 200}\n",
                                                    "    energy_pj: {read: 200, write: 200, update: 200}\n    bandwidth: 2\n");
  const LevelDesign d = load_level_design((dir / "design.yaml").string(), LevelDesignUse::ToSearch);
  for (const LoopBounds& b : {layer({2, 1, 4, 3, 6, 6, 3, 3}, 1), layer({1, 1, 8, 4, 4, 4, 3, 3}, 1),
                              layer({4, 1, 2, 2, 8, 8, 1, 1}, 1), layer({1, 1, 16, 8, 2, 2, 1, 1}, 2)}) {
    const auto fast = search_level_mapping(d, b, Objective::Latency);
    const auto edp = search_level_mapping(d, b, Objective::Edp);
    REQUIRE(fast);
    REQUIRE(edp);
    CHECK(fast->cycles.total <= edp->cycles.total);
    CHECK(limits_broken(fast->nest, d.limits, b).empty());
  }
}

TEST_CASE("a level's block holds the values of the full window its extent spans", "[levels][limits]") {
  // level_block works the count out from the extent; the boxes of
  // tensor_box, away from any edge, are the reference. Random extents,
  // strides and dilations, on one level holding every loop.
  std::mt19937 rng(1203);
  const auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  for (int trial = 0; trial < 200; ++trial) {
    LoopBounds b;
    b.stride = pick(1, 3);
    b.dilation = pick(1, 2);
    b.padding = pick(0, 2);
    b.H = b.W = 1000;
    LevelNest nest;
    nest.levels.resize(1);
    DimArray extent = kOnes;
    for (int dim = 0; dim < kDims; ++dim) {
      extent[dim] = pick(1, 5);
      nest.levels[0].temporal.push_back({dim, extent[dim]});
    }
    b.extent = extent;
    LoopBounds open = b;
    open.padding = 0;
    open.H = open.W = INT64_MAX / 4;
    for (int t = 0; t < kOperands; ++t) {
      const Operand o = static_cast<Operand>(t);
      INFO("trial " << trial << ", " << tensor_name(o));
      CHECK(level_block(nest, 0, o, b) == tensor_box(o, DimArray{}, extent, open).size());
    }
  }
}
