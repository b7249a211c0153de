// Row stationary's psum scratchpad holds one window position's partial sums
// (schedule/psum_holding.h): when a PE's output row does not fit it and the
// channels take several passes, every pass writes the row's partial sums to
// the buffer and the next pass reads them back. Figures derived by hand.
#include <catch2/catch.hpp>

#include "schedule/nest_counts.h"
#include "schedule/nest_walk.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// One image, 4 channels, 2 filters, 1x1 taps over a 1x10 row: 20 outputs.
// Each PE slides along Q10 with M2 interleaved; the buffer loops over C in 4
// passes of one channel.
struct Case {
  std::unique_ptr<ArchSpec> arch;
  Layer layer;
  LoopBounds b;
  Mapping m;
};

Case make_case(int psum_entries) {
  Case c;
  const std::string yaml = replace_all(tiny_spatial_arch_yaml("16 KiB"), "psums: 8",
                                       "psums: " + std::to_string(psum_entries));
  c.arch = arch_from_text(yaml);
  const Workload w = workload_from_text(R"(network: row
input: {C: 4, H: 1, W: 10}
layers:
  - {name: conv, type: conv, C: 4, H: 1, W: 10, M: 2, R: 1, S: 1}
)");
  c.layer = w.layers.front();
  c.b = loop_bounds(c.layer, 1);
  c.m.pe[kM] = 2;
  c.m.pe[kQ] = 10;
  c.m.glb[kC] = 4;
  return c;
}

// Partial-sum buffer words written and read, summed over the walker's passes.
std::pair<uint64_t, uint64_t> walked_psum_bits(const Case& c) {
  const NestWalker walker(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  uint64_t out = 0, in = 0;
  for (uint64_t t = 0; t < walker.tiles(); ++t)
    for (uint64_t p = 0; p < walker.tile(t).passes; ++p) {
      const ArrayPass a = walker.passes(t).pass(p);
      out += a.psums_out.glb_bits;
      in += a.psums_in.glb_bits;
    }
  return {out, in};
}

}  // namespace

TEST_CASE("partial sums a PE cannot hold go through the buffer between channel passes", "[psum][analytic]") {
  const Case c = make_case(8);  // 20 outputs per PE row > 8 entries; one window position needs 2
  const uint64_t acc = static_cast<uint64_t>(c.layer.precision.accumulator.bits);
  const uint64_t row_words = (20 * acc + 63) / 64;  // the 20 partial sums, in 64-bit buffer words
  const NestCounts k = count_nest(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  // Written after each of the 4 channel passes, read back before the last 3.
  CHECK(k[Operand::Outputs].glb_write_words == 4 * row_words);
  CHECK(k[Operand::Outputs].glb_read_words == 3 * row_words);
  // The simulation's walk moves the same partial sums.
  const auto [out_bits, in_bits] = walked_psum_bits(c);
  CHECK(out_bits == 4 * 20 * acc);
  CHECK(in_bits == 3 * 20 * acc);
}

TEST_CASE("partial sums that fit the psum scratchpad stay in the PEs across channel passes", "[psum][analytic]") {
  const Case c = make_case(24);  // the whole row of 20 fits: held until the channels are done
  const uint64_t acc = static_cast<uint64_t>(c.layer.precision.accumulator.bits);
  const NestCounts k = count_nest(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  CHECK(k[Operand::Outputs].glb_write_words == (20 * acc + 63) / 64);
  CHECK(k[Operand::Outputs].glb_read_words == 0);
  const auto [out_bits, in_bits] = walked_psum_bits(c);
  CHECK(out_bits == 20 * acc);
  CHECK(in_bits == 0);
}
