// Weight reloading on an in-memory chip: the segment boundaries are chosen
// for time, not for the fewest reprogrammings, so a slow layer gets copies;
// activations that cross a boundary leave and return through the chip I/O;
// and a join whose inputs sit in two segments runs with the later one.
#include <catch2/catch.hpp>

#include "imc/imc_arch.h"
#include "imc/imc_run.h"
#include "imc/placement.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// The tiny chip with `imas` IMAs of one crossbar each, reloading allowed,
// writes cheap and quick so that the segments' compute decides.
ImcArch reloading_chip(int imas, const std::string& edram = "64 KiB") {
  std::string yaml = replace_all(tiny_imc_yaml(), "imas: 1", "imas: " + std::to_string(imas));
  yaml = replace_all(yaml, "edram: {size: 64 KiB", "edram: {size: " + edram);
  yaml = replace_all(yaml, "execution: layer_pipelined", "execution: layer_pipelined\nweight_reload: true");
  yaml = replace_all(yaml, "             area: 0.001 mm2}",
                     "             area: 0.001 mm2, write: {energy_per_cell: 1 pJ, time_per_row: 1 ns}}");
  return load_imc_arch(ConfigNode::load_string(yaml, "tiny_imc.yaml"));
}

// A network of 4-bit weights and 2-bit activations, over `batch` images of
// `input`, with the given layers (YAML list items).
Workload network(int batch, const std::string& input, const std::string& layers) {
  return workload_from_text("network: t\nbatch: " + std::to_string(batch) +
                            "\nprecision:\n  weights: {bits: 4, scheme: uniform_symmetric}\n  inputs: {bits: 2}\n"
                            "  outputs: {bits: 2}\ninput: " + input + "\nlayers:\n" + layers + "\n");
}

uint64_t io_bits(const RunResult& r) {
  uint64_t bits = 0;
  for (const LayerResult& l : r.layers) bits += action_count(l, "io", "bit");
  return bits;
}

}  // namespace

// Four layers of one crossbar each on a chip of three IMAs: two segments.
// Layer a reads 64 positions of 2-bit inputs (64 x 2 x 10 ns = 1.28 us per
// image); b (stride 8), c and d read one position each (20 ns). Packing the
// most layers first gives {a, b, c} {d}: a has no spare IMA, and the batch of
// 10 takes at least 10 x 1.28 = 12.8 us. Alone in its segment, a gets three
// copies: ceil(64 / 3) = 22 positions, 440 ns per image, 4.4 us for the batch.
TEST_CASE("weight reloading gives a slow layer a segment of its own with copies", "[imc]") {
  const ImcArch arch = reloading_chip(3);
  const Workload w = network(10, "{C: 4, H: 8, W: 8}", R"(  - {name: a, type: conv, C: 4, M: 4, H: 8, W: 8, R: 1, S: 1}
  - {name: b, type: conv, C: 4, M: 4, H: 8, W: 8, R: 1, S: 1, stride: 8}
  - {name: c, type: fc, C: 4, M: 4}
  - {name: d, type: fc, C: 4, M: 4})");
  const ChipPlacement place = place_network(arch, w);
  REQUIRE(place.segments == 2);
  CHECK(place.layers[0].segment == 0);
  CHECK(place.layers[1].segment == 1);
  CHECK(place.layers[0].copies == 3);
  const RunResult r = run_in_memory(arch, w);
  CHECK(r.summary.latency_s >= 10 * 440e-9);
  CHECK(r.summary.latency_s < 12.8e-6 / 2);
}

// a (segment 0) feeds b and the join s; b and s share segment 1 (one IMA:
// a and b cannot be resident together). Batch 3, 2-bit activations of 4 x 2 x 2:
// 32 bits per image for the input, a's output and s's output.
// Chip I/O bits: input 3 x 32 + network output 3 x 32 + weights 2 x 16 x 4
// + a's output out once (3 x 32) and back for b and for s (2 x 3 x 32) = 608.
TEST_CASE("a join whose inputs sit in two segments runs to the end, the crossing activations through the chip I/O",
          "[imc]") {
  const ImcArch arch = reloading_chip(1);
  const Workload w = network(3, "{C: 4, H: 2, W: 2}", R"(  - {name: a, type: conv, C: 4, M: 4, H: 2, W: 2, R: 1, S: 1}
  - {name: b, type: conv, C: 4, M: 4, H: 2, W: 2, R: 1, S: 1}
  - {name: s, type: add, from: [a, b], C: 4, H: 2, W: 2})");
  const ChipPlacement place = place_network(arch, w);
  REQUIRE(place.segments == 2);
  CHECK(place.layers[2].segment == 1);  // with b, its later input, not with its first
  CHECK(place.spills_out[0]);
  CHECK(place.spilled_inputs[1] == std::vector<std::size_t>{0});
  CHECK(place.spilled_inputs[2] == std::vector<std::size_t>{0});
  const RunResult r = run_in_memory(arch, w);  // throws if a stage never finished
  CHECK(io_bits(r) == 608);
  CHECK(r.layers.at(2).latency_s > 0);
}

// With 1 KiB of eDRAM an input edge holds a few rows, not the batch of 20
// images x 8 rows. b reads the network input in the second segment, so the
// input must wait off chip for it rather than stall the first segment.
TEST_CASE("a layer in a later segment that reads the network input runs to the end", "[imc]") {
  const ImcArch arch = reloading_chip(1, "1 KiB");
  const Workload w = network(20, "{C: 4, H: 8, W: 8}", R"(  - {name: a, type: conv, C: 4, M: 4, H: 8, W: 8, R: 1, S: 1}
  - {name: b, type: conv, from: [input], C: 4, M: 4, H: 8, W: 8, R: 1, S: 1}
  - {name: s, type: add, from: [a, b], C: 4, H: 8, W: 8})");
  const RunResult r = run_in_memory(arch, w);  // throws if a stage never finished
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->segments == 2);
  CHECK(r.layers.at(1).in_memory->segment == 1);
}

// a's 16 input channels need two crossbars on a one-crossbar chip: it runs in
// two parts, each over the whole batch, so it takes the input's whole batch
// before it starts.
TEST_CASE("a layer in parts fed by the network input runs to the end", "[imc]") {
  const ImcArch arch = reloading_chip(1, "1 KiB");
  const Workload w = network(20, "{C: 16, H: 8, W: 8}", R"(  - {name: a, type: conv, C: 16, M: 4, H: 8, W: 8, R: 1, S: 1}
  - {name: b, type: conv, C: 4, M: 4, H: 8, W: 8, R: 1, S: 1})");
  CHECK(place_network(arch, w).layers.at(0).parts == 2);
  const RunResult r = run_in_memory(arch, w);  // throws if a stage never finished
  CHECK(r.summary.latency_s > 0);
}

}  // namespace qnnsim::test
