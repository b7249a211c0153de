// A layer whose weights for even one array-width of outputs exceed the buffer
// is tiled over input channels: partial sums stay in the buffer across the
// channel blocks and reach DRAM once, at output width.
#include <catch2/catch.hpp>

#include "schedule/mapper.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("a layer too large for the buffer is split over input channels", "[schedule]") {
  // fc 25088 -> 64 (VGG-16's fc6 input width): 4 outputs of weights alone are
  // 4 x 25088 x 8 = 802,816 bits, more than the tiny arch's 64 KiB (524,288 bits).
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(R"(network: wide_fc
batch: 1
input: {C: 25088, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 25088, M: 64}
)");
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const DimExtents c = dim_extents(plans[0].mapping, plans[0].bounds, kC);
  REQUIRE(c.tile < 25088);
  CHECK_THAT(plans[0].tiling, Catch::Contains("DRAM") && Catch::Contains(" C" + std::to_string(c.tiles())));
  const RunResult r = run_simulation(*arch, w);
  const LayerResult& l = r.layers[0];
  CHECK(l.macs == 25088 * 64);
  CHECK(action_count(l, "pe_array", "mac.mac_8x8") == 25088 * 64);
  CHECK(action_count(l, "dram", "dram.write_bits") == 64 * 8);  // outputs written once, 8 bit each
  // Every weight and every input is read from DRAM exactly once.
  CHECK(action_count(l, "dram", "dram.read_bits") == 25088 * 64 * 8 + 25088 * 8);
}
