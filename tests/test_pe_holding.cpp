// Row stationary's scratchpads hold what one window position needs
// (schedule/pe_holding.h). When a PE's output row does not fit its psum
// scratchpad and the channels take several passes, every pass writes the
// row's partial sums to the buffer and the next pass reads them back. When
// its input row does not fit the ifmap scratchpad and the filters take
// several passes, every pass streams the row in again. Figures derived by hand.
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

// Two figures of every pass the walker gives, each summed over the layer.
template <typename First, typename Second>
std::pair<uint64_t, uint64_t> walked(const Case& c, First first, Second second) {
  const NestWalker walker(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  uint64_t x = 0, y = 0;
  for (uint64_t t = 0; t < walker.tiles(); ++t)
    for (uint64_t p = 0; p < walker.tile(t).passes; ++p) {
      const ArrayPass a = walker.passes(t).pass(p);
      x += first(a);
      y += second(a);
    }
  return {x, y};
}

// Partial-sum bits written to the buffer and read back.
std::pair<uint64_t, uint64_t> walked_psum_bits(const Case& c) {
  return walked(c, [](const ArrayPass& a) { return a.psums_out.glb_bits; },
                [](const ArrayPass& a) { return a.psums_in.glb_bits; });
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

namespace {

// One image, 2 channels, 4 filters, 1x1 taps over a 1x10 row. Each PE
// slides along Q10 with C2 and M2 interleaved: its window is 2 values (one
// per channel), its row 20. The buffer loops over M in 2 passes.
Case make_input_case(int input_entries) {
  Case c;
  const std::string yaml = replace_all(replace_all(tiny_spatial_arch_yaml("16 KiB"), "inputs: 12",
                                                   "inputs: " + std::to_string(input_entries)),
                                       "psums: 8", "psums: 24");
  c.arch = arch_from_text(yaml);
  const Workload w = workload_from_text(R"(network: row
input: {C: 2, H: 1, W: 10}
layers:
  - {name: conv, type: conv, C: 2, H: 1, W: 10, M: 4, R: 1, S: 1}
)");
  c.layer = w.layers.front();
  c.b = loop_bounds(c.layer, 1);
  c.m.pe[kM] = 2;
  c.m.pe[kC] = 2;
  c.m.pe[kQ] = 10;
  c.m.glb[kM] = 2;
  return c;
}

// Input bits the passes take from the buffer, and send over the network.
std::pair<uint64_t, uint64_t> walked_input_bits(const Case& c) {
  return walked(c, [](const ArrayPass& a) { return a.inputs.glb_bits; },
                [](const ArrayPass& a) { return a.inputs.sent_bits; });
}

}  // namespace

TEST_CASE("inputs a PE cannot hold stream in again for every pass over the filters", "[holding][analytic]") {
  const Case c = make_input_case(12);  // 20 inputs per PE row > 12 entries; the sliding window needs 2
  const uint64_t bits = static_cast<uint64_t>(c.layer.precision.inputs.bits);
  const uint64_t row_words = (20 * bits + 63) / 64;  // the row of 2 channels x 10, in 64-bit buffer words
  const NestCounts k = count_nest(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  // Read from the buffer and sent to the PEs once for each of the 2 filter passes.
  CHECK(k[Operand::Inputs].glb_read_words == 2 * row_words);
  CHECK(k[Operand::Inputs].noc_sent_bits == 2 * 20 * bits);
  const auto [read_bits, sent_bits] = walked_input_bits(c);
  CHECK(read_bits == 2 * 20 * bits);
  CHECK(sent_bits == 2 * 20 * bits);
}

TEST_CASE("inputs that fit the ifmap scratchpad stay in the PEs across filter passes", "[holding][analytic]") {
  const Case c = make_input_case(24);  // the whole row of 20 fits: read once, used by both filter passes
  const uint64_t bits = static_cast<uint64_t>(c.layer.precision.inputs.bits);
  const NestCounts k = count_nest(*c.arch, c.layer, c.b, c.m, c.arch->dataflow);
  CHECK(k[Operand::Inputs].glb_read_words == (20 * bits + 63) / 64);
  CHECK(k[Operand::Inputs].noc_sent_bits == 20 * bits);
  const auto [read_bits, sent_bits] = walked_input_bits(c);
  CHECK(read_bits == 20 * bits);
  CHECK(sent_bits == 20 * bits);
}
