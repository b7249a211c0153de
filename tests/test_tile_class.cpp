// A tile's class (NestWalker::tile_class) decides its DRAM traffic and every
// pass it runs: tile replay (controller/tile_replay.h) reuses one tile's
// outcome for another of the same class. Checked by walking every tile of
// plans with padded, strided and uneven layers, on two designs, at batches 1,
// 7 and 64, with the mapper's mappings and with buffer factors halved (an
// uneven last tile): tiles of one class give identical moves and passes. The
// 40 x 40 maps have rows of tiles whose windows lie inside the map, which are
// one class wherever they lie.
#include <catch2/catch.hpp>

#include <map>

#include "core/config_error.h"
#include "core/config_node.h"
#include "schedule/mapper.h"
#include "schedule/nest_walk.h"
#include "plan_variants.h"
#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kLayers = R"(network: classes
batch: 1
input: {C: 7, H: 11, W: 11}
layers:
  - {name: conv, type: conv, C: 7, H: 11, W: 11, M: 13, R: 3, S: 3, padding: 1}
  - {name: wide_pad, type: conv, C: 13, H: 11, W: 11, M: 16, R: 5, S: 5, padding: 2}
  - {name: strided, type: conv, C: 16, H: 11, W: 11, M: 20, R: 3, S: 3, stride: 2}
  - {name: fc, type: fc, C: 500, M: 10}
)";

const char* kLargeMaps = R"(network: large_maps
batch: 1
input: {C: 64, H: 56, W: 56}
layers:
  - {name: large_map, type: conv, C: 64, H: 56, W: 56, M: 4, R: 3, S: 3, padding: 1}
)";

// A filter that reaches farther than a tile is tall: with one pass of rows
// and columns a tile, tiles away from the map's first and last also have
// windows that meet its edge.
const char* kWideReach = R"(network: wide_reach
batch: 1
input: {C: 4, H: 56, W: 56}
layers:
  - {name: wide_reach, type: conv, C: 4, H: 56, W: 56, M: 64, R: 25, S: 25, padding: 24}
)";

// Every figure of a tile's moves and of each of its passes, in order.
std::vector<uint64_t> contents(const NestWalker& walker, uint64_t tile) {
  const TileMoves m = walker.tile(tile);
  std::vector<uint64_t> out{m.weight_load_bits, m.input_load_bits,  m.input_dram_bits,  m.output_read_bits,
                            m.output_store_bits, m.output_values, m.output_positions, m.passes};
  const NestWalker::TilePasses passes = walker.passes(tile);
  for (uint64_t i = 0; i < m.passes; ++i) {
    const ArrayPass a = passes.pass(i);
    for (const ArrayPass::Move* v : {&a.weights, &a.inputs, &a.psums_in, &a.psums_out})
      out.insert(out.end(), {v->glb_bits, v->sent_bits, v->delivered_bits, v->values});
    out.insert(out.end(), {static_cast<uint64_t>(a.psums_in_to_pes), a.hop_bits, static_cast<uint64_t>(a.weights_fetched),
                           static_cast<uint64_t>(a.weight_rows), a.macs, a.iterations,
                           static_cast<uint64_t>(a.rows_used), static_cast<uint64_t>(a.cols_used)});
  }
  return out;
}

// Returns how many tiles shared a class with an earlier one (so were compared).
uint64_t check_plan(const Layer& l, const LayerPlan& plan) {
  INFO("layer " << l.name << ", " << plan.tiling);
  const NestWalker& walker = *plan.walker;
  std::map<std::vector<uint64_t>, std::vector<uint64_t>> seen;
  uint64_t compared = 0;
  for (uint64_t t = 0; t < walker.tiles(); ++t) {
    std::vector<uint64_t> cls;
    walker.tile_class(t, cls);
    const std::vector<uint64_t> c = contents(walker, t);
    const auto [it, fresh] = seen.emplace(cls, c);
    if (fresh) continue;
    INFO("tile " << t);
    CHECK(it->second == c);
    ++compared;
  }
  return compared;
}

uint64_t check_design(const ArchSpec& arch, bool sixteen_bits) {
  uint64_t compared = 0;
  for (const char* text : {kLayers, kLargeMaps}) {
    Workload w = workload_from_text(text);
    if (sixteen_bits)
      for (const char* t : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
        REQUIRE(apply_bits_override(w, t).empty());
    for_each_plan_variant(arch, w, [&](const Layer& l, const LayerPlan& plan) { compared += check_plan(l, plan); });
  }
  return compared;
}

}  // namespace

TEST_CASE("tiles of one class move the same and run the same passes: systolic_ws", "[replay]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  CHECK(check_design(*arch, false) > 0);
}

TEST_CASE("tiles of one class move the same and run the same passes: eyeriss_v1", "[replay]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  CHECK(check_design(*arch, true) > 0);
}

TEST_CASE("tiles whose windows meet the map's edge away from its first and last keep classes of their own", "[replay]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = workload_from_text(kWideReach);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  REQUIRE(plans[0].uses_array);
  Mapping m = plans[0].mapping;
  m.glb[kP] = m.glb[kQ] = m.glb[kM] = 1;
  const GivenMapping given{m, VectorTiling{}, ConfigNode::load_string("tile: {}\n", "wide_reach")};
  const LayerPlan plan = plan_layer(*arch, w.layers[0], 1, &given);
  const DimExtents p = dim_extents(plan.mapping, plan.bounds, kP);
  INFO(plan.tiling);
  REQUIRE(p.tile < 24);  // shorter than the filter's reach past the edge
  REQUIRE(p.tiles() > 3);
  CHECK(check_plan(w.layers[0], plan) > 0);
}

namespace {

// Every tile of a run same_class_run claims is of the class of the tile its
// stride before it, the stride a multiple of the period and within the tiles
// checked. Returns how many runs were claimed.
uint64_t check_runs(const Layer& l, const LayerPlan& plan) {
  INFO("layer " << l.name << ", " << plan.tiling);
  const NestWalker& walker = *plan.walker;
  const auto class_of = [&](uint64_t t) {
    std::vector<uint64_t> c;
    walker.tile_class(t, c);
    return c;
  };
  uint64_t claimed = 0;
  for (uint64_t period : {1, 2, 3}) {
    for (uint64_t i = 0; i < walker.tiles(); ++i) {
      const NestWalker::ClassRun run = walker.same_class_run(i, period, i);
      if (run.tiles == 0) continue;
      INFO("tile " << i << ", period " << period << ", run " << run.tiles << ", stride " << run.stride);
      ++claimed;
      REQUIRE(run.stride % period == 0);
      REQUIRE(run.stride <= i);
      REQUIRE(i + run.tiles <= walker.tiles());
      for (uint64_t j = i; j < i + run.tiles; ++j) REQUIRE(class_of(j) == class_of(j - run.stride));
      i += run.tiles - 1;  // the run's later tiles would claim its remainder
    }
  }
  return claimed;
}

}  // namespace

TEST_CASE("runs of tiles periodic replay skips repeat the tiles a stride before them", "[replay]") {
  uint64_t claimed = 0;
  for (const char* design : {"arch/systolic_ws.yaml", "arch/eyeriss_v1.yaml"}) {
    const auto arch = load_arch(shipped(design));
    const bool eyeriss = std::string(design) == "arch/eyeriss_v1.yaml";
    for (const char* text : {kLayers, kLargeMaps, kWideReach}) {
      if (eyeriss && text == kWideReach) continue;  // its filter does not fit Eyeriss' scratchpads
      Workload w = workload_from_text(text);
      if (eyeriss)
        for (const char* t : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
          REQUIRE(apply_bits_override(w, t).empty());
      for_each_plan_variant(*arch, w, [&](const Layer& l, const LayerPlan& plan) {
        claimed += check_runs(l, plan);
        // One pass a tile along images, output channels, rows and columns:
        // long loops, whose inner steps are the runs.
        Mapping m = plan.mapping;
        for (int d : {kN, kM, kP, kQ}) m.glb[static_cast<std::size_t>(d)] = 1;
        const GivenMapping given{m, VectorTiling{}, ConfigNode::load_string("tile: {}\n", "runs")};
        LayerPlan small;
        try {
          small = plan_layer(*arch, l, plan.bounds.extent[kN], &given);
        } catch (const ConfigError&) {
          return;  // not a valid mapping on this design
        }
        claimed += check_runs(l, small);
      });
    }
  }
  CHECK(claimed > 0);
}

// One value a tile along every dimension, the filter's rows and columns the
// innermost loops: steps of those loops make runs only where every window
// they make with the output row or column lies inside the map, which this
// exercises (a 5 x 5 filter, padded, on a 12 x 12 map).
TEST_CASE("runs along a filter's rows and columns keep every window inside the map", "[replay]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = workload_from_text(R"(network: filter_steps
batch: 1
input: {C: 1, H: 12, W: 12}
layers:
  - {name: filter_steps, type: conv, C: 1, H: 12, W: 12, M: 2, R: 5, S: 5, padding: 2}
)");
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  REQUIRE(plans[0].uses_array);
  Mapping m = plans[0].mapping;
  m.im2col = false;
  m.pe = m.rows = m.cols = m.glb = kOnes;
  m.dram_order = {kN, kG, kM, kP, kQ, kC, kR, kS};
  const GivenMapping given{m, VectorTiling{}, ConfigNode::load_string("tile: {}\n", "filter_steps")};
  const LayerPlan plan = plan_layer(*arch, w.layers[0], 1, &given);
  INFO(plan.tiling);
  REQUIRE(dim_extents(plan.mapping, plan.bounds, kS).tiles() == 5);
  CHECK(check_runs(w.layers[0], plan) > 0);
}

// Which loop advanced to reach a tile, or advances after it, matters only
// through the operands' cuts. With C innermost in DRAM, a tile in the middle
// of a channel run does the same work at an image's last row as at a row
// inside it, so the two are one class (they used to be two, every row and
// image boundary of a batch costing periodic replay a few simulated tiles).
TEST_CASE("a loop's last step is no class of its own when no cut lies between it and the loop that advances", "[replay]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = workload_from_text(R"(network: rows_of_images
batch: 8
input: {C: 64, H: 14, W: 14}
layers:
  - {name: pointwise, type: conv, C: 64, H: 14, W: 14, M: 64, R: 1, S: 1}
)");
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  REQUIRE(plans[0].uses_array);
  Mapping m = plans[0].mapping;
  m.im2col = false;
  m.pe = m.rows = m.cols = m.glb = kOnes;
  m.rows[kC] = 16;
  m.cols[kM] = 16;
  m.pe[kQ] = 14;
  m.glb[kM] = 4;
  m.dram_order = {kN, kP, kG, kM, kQ, kC, kR, kS};
  const GivenMapping given{m, VectorTiling{}, ConfigNode::load_string("tile: {}\n", "rows_of_images")};
  const LayerPlan plan = plan_layer(*arch, w.layers[0], 8, &given);
  INFO(plan.tiling);
  const NestWalker& walker = *plan.walker;
  REQUIRE(walker.tiles() == 8 * 14 * 4);  // N8 P14 C4 in DRAM, C innermost
  const auto class_of = [&](uint64_t n, uint64_t p, uint64_t c) {
    std::vector<uint64_t> cls;
    walker.tile_class((n * 14 + p) * 4 + c, cls);
    return cls;
  };
  CHECK(class_of(0, 13, 1) == class_of(0, 5, 1));  // the image's last row and one inside it
  CHECK(class_of(7, 13, 2) == class_of(3, 5, 2));   // the batch's last image too
  CHECK(class_of(0, 5, 0) != class_of(0, 5, 1));    // a channel run's first tile finds no partial sums
  CHECK(class_of(0, 5, 3) != class_of(0, 5, 2));    // its last completes the outputs
  CHECK(check_plan(w.layers[0], plan) > 0);
}
