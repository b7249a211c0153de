// im2col on a weight-stationary systolic array (schedule/im2col.h): the
// reduction C x R x S flattened down the rows, folded with ceil division and
// the last fold's spare rows idle. Fold counts and utilization derived by
// hand; the closed-form counts of a flattened mapping equal the SystemC run's;
// the choice is written to and read from a mappings file, and bad values are
// refused with the file, line and key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "schedule/im2col.h"
#include "schedule/mapper.h"
#include "schedule/mapping_io.h"
#include "schedule/nest_counts.h"
#include "schedule/nest_walk.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// A ResNet-style first layer, small: 3 input channels, a 7 x 7 filter,
// stride 2, padding 3: 14 x 14 inputs -> 7 x 7 outputs, 4 filters.
const char* kFirstLayer = R"(network: first
batch: 1
input: {C: 3, H: 14, W: 14}
layers:
  - {name: conv, type: conv, C: 3, H: 14, W: 14, M: 4, R: 7, S: 7, stride: 2, padding: 3}
)";

GivenMapping given(const Mapping& m) {
  static const ConfigNode nowhere = ConfigNode::load_string("tile: {}\n", "hand");
  return GivenMapping{m, VectorTiling{}, nowhere};
}

// The whole layer in one buffer tile: the four columns take the four filters,
// each PE runs the 7 x 7 output positions, and the buffer loops over the folds.
Mapping flattened_first_layer() {
  Mapping m;
  m.im2col = true;
  m.rows[kC] = 4;   // four elements of the flattened 3 x 7 x 7 window per pass
  m.glb[kC] = 37;   // ceil(147 / 4) folds
  m.cols[kM] = 4;
  m.pe[kP] = 7;
  m.pe[kQ] = 7;
  return m;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    path = scratch_dir("im2col") / "mappings.yaml";
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove_all(path.parent_path()); }
};

}  // namespace

TEST_CASE("im2col folds a 3-channel 7x7 reduction onto 4 rows in ceil(147 / 4) passes, by hand", "[im2col][hand]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kFirstLayer);
  const Layer& l = w.layers[0];
  REQUIRE(im2col_allowed(*arch, l));
  const GivenMapping flat = given(flattened_first_layer());
  const LayerPlan plan = plan_layer(*arch, l, w.batch, &flat);
  const NestCounts n = count_nest(*arch, l, plan.bounds, plan.mapping, arch->dataflow);
  // K = 3 x 7 x 7 = 147 on 4 rows: 36 full folds and one of 3 rows.
  CHECK(n.passes == 37);
  const NestWalker walk(*arch, l, plan.bounds, plan.mapping, arch->dataflow);
  CHECK(walk.passes(0).pass(0).rows_used == 4);
  CHECK(walk.passes(0).pass(35).rows_used == 4);
  CHECK(walk.passes(0).pass(36).rows_used == 3);  // the last fold's fourth row idles
  // MACs: 4 filters x 147 x 49 outputs; the PE slots: 37 passes x 16 PEs x 49
  // iterations. The one idle row of the last fold is the only waste: 147 / 148.
  CHECK(n.macs == 4u * 147u * 49u);
  const double utilization = static_cast<double>(n.macs) / (37.0 * 16.0 * 49.0);
  CHECK(utilization == Approx(147.0 / 148.0));
  // A systolic pass of 49 iterations fills and drains through 4 + 4 - 2 steps.
  CHECK(n.compute_cycles == 37u * (49u + 4u + 4u - 2u));

  // Split into whole factors, the best that fits 4 rows takes 42 passes:
  // c x r x s <= 4 minimising ceil(3/c) ceil(7/r) ceil(7/s) is 1 x 4 x 1
  // (3 x 2 x 7 = 42; 1 x 2 x 2 gives 48, 3 x 1 x 1 gives 49, 2 x 2 x 1 gives 56).
  Mapping split;
  split.rows[kR] = 4;
  split.glb[kC] = 3;
  split.glb[kR] = 2;
  split.glb[kS] = 7;
  split.cols[kM] = 4;
  split.pe[kP] = 7;
  split.pe[kQ] = 7;
  const GivenMapping whole_factors = given(split);
  const LayerPlan split_plan = plan_layer(*arch, l, w.batch, &whole_factors);
  const NestCounts s = count_nest(*arch, l, split_plan.bounds, split_plan.mapping, arch->dataflow);
  CHECK(s.passes == 42);
  CHECK(s.macs == n.macs);
  // The TPU model (im2col.h): the buffer holds the stored feature map, so the
  // DRAM reads the same 3 x 14 x 14 inputs either way, and the rows read one
  // input each per output position either way (147 x 49 values).
  CHECK(n[Operand::Inputs].dram_bits == 3u * 14u * 14u * 8u);
  CHECK(s[Operand::Inputs].dram_bits == n[Operand::Inputs].dram_bits);
  CHECK(n[Operand::Inputs].noc_sent_bits == 147u * 49u * 8u);
  CHECK(s[Operand::Inputs].noc_sent_bits == n[Operand::Inputs].noc_sent_bits);

  // Searching, the mapper flattens this layer: no split fills the rows as well.
  const LayerPlan searched = plan_layer(*arch, l, w.batch);
  INFO(searched.tiling);
  CHECK(searched.mapping.im2col);
  CHECK(count_nest(*arch, l, searched.bounds, searched.mapping, arch->dataflow).passes <= 37);
}

namespace {

// The first layer, with 6 filters, flattened in one tile (a partial last
// fold), and a 6-channel 3 x 3 layer whose flattened 54 are split over two
// DRAM tiles of whole channels (36 and an edge of 18) with a partial last
// fold in the edge tile.
const char* kTwoLayers = R"(network: two
batch: 2
input: {C: 3, H: 14, W: 14}
layers:
  - {name: conv, type: conv, C: 3, H: 14, W: 14, M: 6, R: 7, S: 7, stride: 2, padding: 3}
  - {name: conv2, type: conv, C: 6, H: 7, W: 7, M: 8, R: 3, S: 3, padding: 1}
)";

const char* kTwoMappings = R"(dataflow: weight_stationary
layers:
  conv:
    im2col: true
    dram: {order: [G, M, N, P, Q, C, R, S]}
    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 37, M: 2}}
    rows: {C: 4}
    cols: {M: 4}
    pe: {N: 2, P: 7, Q: 7}
  conv2:
    im2col: true
    dram: {order: [G, M, N, P, Q, C, R, S]}
    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 9, M: 2}}
    rows: {C: 4}
    cols: {M: 4}
    pe: {N: 2, P: 7, Q: 7}
)";

}  // namespace

TEST_CASE("simulated counts equal the analytical counts for im2col mappings", "[im2col][analytic]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kTwoLayers);
  const TempFile f(kTwoMappings);
  const GivenMappings mappings = load_mappings(f.path.string(), w, arch->dataflow);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w, &mappings);
  REQUIRE(plans[1].mapping.im2col);
  CHECK(dim_extents(plans[1].mapping, plans[1].bounds, kC).tiles() == 2);
  const RunResult r = run_simulation(*arch, w, &mappings);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    for (const auto& a : r.layers[i].actions) simulated[a.component + ":" + a.action] += a.count;
    const ActionCounts analytic = count_plan_actions(*arch, w.layers[i], plans[i]);
    CHECK(simulated.size() >= 8u);
    CHECK(simulated == analytic);
    CHECK(r.layers[i].latency_s >= plan_latency_bound(*arch, w.layers[i], plans[i]).seconds * (1 - 1e-9));
  }
}

TEST_CASE("a mappings file with im2col round-trips", "[im2col][mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kTwoLayers);
  const std::vector<LayerPlan> searched = plan_workload(*arch, w);
  std::ostringstream out;
  write_mappings(out, arch->name, arch->dataflow, w, searched);
  CHECK_THAT(out.str(), Catch::Contains("    im2col: true\n"));
  const TempFile f(out.str());
  const GivenMappings given_back = load_mappings(f.path.string(), w, arch->dataflow);
  const std::vector<LayerPlan> replayed = plan_workload(*arch, w, &given_back);
  REQUIRE(replayed.size() == searched.size());
  for (std::size_t i = 0; i < searched.size(); ++i) {
    CHECK(replayed[i].mapping == searched[i].mapping);
    CHECK(replayed[i].tiling == searched[i].tiling);
  }
  // And a hand-written one reads back as written.
  const TempFile hand(kTwoMappings);
  const GivenMappings read = load_mappings(hand.path.string(), w, arch->dataflow);
  Mapping expected = flattened_first_layer();
  expected.pe[kN] = 2;
  expected.glb[kM] = 2;
  expected.dram_order = {kG, kM, kN, kP, kQ, kC, kR, kS};
  expected.glb_order = {kG, kM, kC, kR, kS, kN, kP, kQ};
  CHECK(read.layers.at("conv").mapping == expected);
}

TEST_CASE("a bad im2col value in a mappings file is refused with its file, line and key", "[im2col][mappings]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kTwoLayers);
  const auto error = [&](const std::string& text, const ArchSpec& on) {
    const TempFile f(text);
    try {
      const GivenMappings g = load_mappings(f.path.string(), w, on.dataflow);
      plan_workload(on, w, &g);
    } catch (const ConfigError& e) {
      CHECK(e.where().file == f.path.string());
      return e;
    }
    FAIL("expected a ConfigError");
    throw;
  };
  ConfigError e = error(replace_all(kTwoMappings, "    im2col: true\n    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
                                                  "    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 9",
                                    "    im2col: sometimes\n    dram: {order: [G, M, N, P, Q, C, R, S]}\n"
                                    "    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 9"),
                        *arch);
  CHECK(e.key_path() == "layers.conv2.im2col");
  CHECK(e.where().line == 11);
  CHECK_THAT(e.message(), Catch::Contains("expected true or false") && Catch::Contains("sometimes"));
  // A buffer tile of the flattened reduction must hold whole channels: 32 of 54 is 3.6 channels.
  e = error(replace_all(kTwoMappings, "factors: {C: 9, M: 2}", "factors: {C: 8, M: 2}"), *arch);
  CHECK(e.key_path() == "layers.conv2.glb");
  CHECK_THAT(e.message(), Catch::Contains("whole channels") && Catch::Contains("multiple of R x S = 9"));
  // R and S are part of the flattened C.
  e = error(replace_all(kTwoMappings, "factors: {C: 37, M: 2}", "factors: {C: 37, M: 2, R: 2}"), *arch);
  CHECK(e.key_path() == "layers.conv.glb");
  CHECK_THAT(e.message(), Catch::Contains("give the factor on C"));
  // Only a systolic array feeds a row any element of the flattened window.
  const auto spatial = arch_from_text(replace_all(tiny_arch_yaml(), "class: SystolicArray", "class: SpatialArray"));
  e = error(kTwoMappings, *spatial);
  CHECK(e.key_path() == "layers.conv.im2col");
  CHECK_THAT(e.message(), Catch::Contains("cannot flatten the reduction"));
}
