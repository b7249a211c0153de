// A vector layer's layout groups its tiles into distinct ones with their
// counts (TileRange::each_distinct), so that summing a layer's traffic and
// cycles costs the same at any batch. The groups must sum to exactly what
// the tiles, one by one, sum to: checked on two poolings whose image,
// channel and row blocks all leave a shorter last block, at several batches.
// On the same layouts, the runs of tiles the layout says repeat the tile a
// period before them (TileRange::alike_run, which lets periodic replay skip
// comparing them) must do so, field for field.
#include <catch2/catch.hpp>

#include <map>

#include "schedule/search_support.h"
#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kLayers = R"(network: vector_blocks
batch: 1
input: {C: 7, H: 13, W: 13}
layers:
  - {name: pool, type: maxpool, C: 7, H: 13, W: 13, R: 3, S: 3, stride: 2, padding: 1}
  - {name: avg, type: avgpool, C: 7, H: 7, W: 7, R: 2, S: 2, stride: 2}
)";

// Every field of a tile that a sum over the layer reads, in one list.
std::vector<uint64_t> fields(const GlbTile& t) {
  return {t.weight_load_bits, t.input_load_bits, t.input_dram_bits, t.output_read_bits, t.output_store_bits,
          t.vector.add,       t.vector.mult,     t.vector.exp,      t.vector.divide,     t.vector.sqrt,
          t.vector_in_bits,   t.vector_out_bits};
}

}  // namespace

TEST_CASE("a vector layer's distinct tiles and their counts sum to what its tiles sum to", "[plan]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = workload_from_text(kLayers);
  uint64_t grouped = 0;
  for (int64_t batch : {1, 7, 64})
    for (const Layer& l : w.layers)
      for (const VectorTiling& m : {VectorTiling{3, 2, 2}, VectorTiling{5, 7, 3}, VectorTiling{batch, 4, 7}}) {
        INFO("layer " << l.name << ", batch " << batch << ", tiles " << m.one_line());
        const LayerPlan plan = search::layout_vector_layer(*arch, l, batch, m);
        // Each distinct tile, with how many tiles are exactly it.
        std::map<std::vector<uint64_t>, uint64_t> one_by_one, by_group;
        for (const GlbTile& t : plan.tiles) ++one_by_one[fields(t)];
        uint64_t total = 0, visits = 0;
        plan.tiles.each_distinct([&](const GlbTile& t, uint64_t times) {
          by_group[fields(t)] += times;
          total += times;
          ++visits;
        });
        CHECK(total == plan.tiles.size());
        CHECK(by_group == one_by_one);
        if (visits < plan.tiles.size()) ++grouped;
      }
  CHECK(grouped > 0);  // the larger batches' tiles are grouped, not listed one by one
}

TEST_CASE("a vector layer's tiles that its layout says repeat the tile a period before them do", "[plan]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = workload_from_text(kLayers);
  uint64_t claimed = 0, missed = 0;
  for (int64_t batch : {1, 7, 64})
    for (const Layer& l : w.layers)
      for (const VectorTiling& m : {VectorTiling{3, 2, 2}, VectorTiling{5, 7, 3}, VectorTiling{batch, 4, 7}, VectorTiling{1, 7, 1}}) {
        INFO("layer " << l.name << ", batch " << batch << ", tiles " << m.one_line());
        const LayerPlan plan = search::layout_vector_layer(*arch, l, batch, m);
        std::vector<std::vector<uint64_t>> tiles;
        for (const GlbTile& t : plan.tiles) tiles.push_back(fields(t));
        for (uint64_t period : {1, 2, 3, 4, 7})
          for (uint64_t index = 0; index < tiles.size(); ++index) {
            const uint64_t end = tiles.size() - 1;  // the layer's last tile always runs
            const uint64_t run = plan.tiles.alike_run(index, period, end);
            INFO("period " << period << ", from tile " << index << ", run " << run);
            REQUIRE(index + run <= end);
            for (uint64_t t = index; t < index + run; ++t) CHECK(tiles[t] == tiles[t - period]);
            claimed += run;
            // The run stops at the first tile that is not the one a period before it.
            if (index + run < end && index + run >= period && tiles[index + run] == tiles[index + run - period]) ++missed;
          }
      }
  CHECK(claimed > 0);
  // Equal tiles whose blocks differ (a short last block reading as many rows) may end a run; they are few.
  CHECK(missed * 100 < claimed);
}
