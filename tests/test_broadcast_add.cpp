// An add with broadcast_row: true (written by the import for an attention
// mask added to every head's scores): its second producer is one row of C
// values per image, read once per image and block of rows, not a second
// C x H x W tensor; a row of another size, or the key on another layer
// type, is an error naming the layer.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// 4 tokens of 8 features from a 1x1 conv, and a row of 8 values from an fc
// of the same input flattened, added at each of the 4 tokens.
const std::string kTrace = R"(network: broadcast
batch: 2
input: {C: 16, H: 4, W: 1}
layers:
  - {name: proj, type: conv, C: 16, H: 4, W: 1, M: 8, R: 1, S: 1}
  - {name: row, type: fc, from: [input], C: 64, M: 8}
  - {name: masked, type: add, from: [proj, row], C: 8, H: 4, W: 1, broadcast_row: true}
)";

}  // namespace

TEST_CASE("An add that broadcasts a row reads the row once per image, one add per output", "[workloads][transformer]") {
  const Workload w = workload_from_text(kTrace);
  const Layer& add = w.layers[2];
  REQUIRE(add.broadcast_row);
  CHECK(add.input_count() == 8 * 4 + 8);
  CHECK(add.vector_ops() == 8 * 4);
  CHECK(add.macs() == 0);
  // Planned on the vector unit: the tiles load the 2 images' tokens and
  // their rows, once per block of tokens.
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const LayerPlan plan = plan_layer(*arch, add, w.batch);
  uint64_t loaded = 0, tiles = 0;
  for (const GlbTile& t : plan.tiles) loaded += t.input_load_bits, ++tiles;
  REQUIRE(tiles >= 1);
  CHECK(loaded >= static_cast<uint64_t>(w.batch * add.input_count() * add.precision.inputs.bits));
  CHECK(loaded < static_cast<uint64_t>(w.batch * 2 * 8 * 4 * add.precision.inputs.bits));
}

TEST_CASE("A broadcast row of the wrong size, or broadcast_row on another layer, is an error naming the layer",
          "[workloads][transformer]") {
  CHECK_THROWS_WITH(workload_from_text(replace_all(kTrace, "C: 64, M: 8}", "C: 64, M: 6}")),
                    Catch::Contains("'row'") && Catch::Contains("must output C=8 values"));
  CHECK_THROWS_WITH(workload_from_text(replace_all(kTrace, "M: 8, R: 1, S: 1}", "M: 8, R: 1, S: 1, broadcast_row: true}")),
                    Catch::Contains("broadcast_row"));
}
