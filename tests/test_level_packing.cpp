// A layer's narrower values packed into a level design's words
// (schedule/level_packing.h): floor(word / value) whole values a word, so
// capacity, bandwidth and energy per value follow from the word, at 4, 6 and
// 8 bits into 16- and 64-bit words. Every figure below fails unpacked, where a
// value takes the level's whole 16-bit width.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/config_node.h"
#include "schedule/level_cycles.h"
#include "schedule/level_design.h"
#include "schedule/level_limits.h"
#include "schedule/level_packing.h"
#include "sim/level_run.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Values kept at 16 bits: a 64-bit DRAM access (4 values unpacked), a 1 KiB
// buffer of 64-bit words in two banks keeping weights (512 values unpacked,
// 8 a cycle), the eyeriss networks (16-bit inputs, 64-bit weights), and four
// 16-bit registers keeping weights, one word a cycle each way.
const char* kDesign = R"(technology: {node: 65 nm, clock: 200 MHz, voltage: 1.0 V}
energy_table: eyeriss_65nm
word_bits: 16
levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    block_words: 4
    component: {class: DRAM, type: normalized, channels: 1, width: 64 bit, data_rate: 200 MHz, latency: 100 ns}
  - name: buffer
    keeps: [weights]
    component: {class: SRAMBuffer, size: 1 KiB, width: 64 bit, banks: 2}
  - name: array
    keeps: []
    component: {class: MulticastBus, width: {weights: 64 bit, inputs: 16 bit, psums: 64 bit}}
  - name: regs
    instances: 4
    keeps: [weights]
    component: {class: RegisterFile, size: 8 B, width: 16 bit, banks: 1}
compute: {name: mac, instances: 4, mac: {class: IntMAC, weight_bits: 16, input_bits: 16, accumulator_bits: 16}}
)";

constexpr std::size_t kDram = 0, kBuffer = 1, kArray = 2, kRegs = 3;
constexpr std::size_t kW = 0, kI = 1;

LevelDesign load(const std::string& text, const std::string& name = "design") {
  const auto dir = scratch_dir("level_packing");
  std::ofstream(dir / (name + ".yaml")) << text;
  return load_level_design((dir / (name + ".yaml")).string(), LevelDesignUse::ToSearch);
}

// Weights, inputs and sums all `bits` wide.
LevelDesign packed(const LevelDesign& d, int bits) { return pack_level_design(d, layer_value_widths(d, bits, bits, bits, bits)); }

// A layer of `m` filters of one weight each: the weights' block is the M the loops give a level.
LoopBounds filters(int64_t m) {
  LoopBounds b;
  b.extent = kOnes;
  b.extent[kM] = m;
  b.H = b.W = 1;
  return b;
}

// `d`'s levels holding `at_buffer` x `at_regs` weights at the buffer and `at_regs` in each register file.
std::string fits(const LevelDesign& d, int64_t at_buffer, int64_t at_regs) {
  LevelNest n = d.nest;
  n.levels[kBuffer].temporal = {{kM, at_buffer}};
  n.levels[kRegs].temporal = {{kM, at_regs}};
  return limits_broken(n, d.limits, filters(at_buffer * at_regs));
}

// Cycles level `l`'s ports take to send `values` weights down.
uint64_t read_cycles(const LevelDesign& d, std::size_t l, uint64_t values) {
  std::array<TensorAccesses, kOperands> a{};
  a[kW].reads = values;
  return level_port_cycles(d, l, a, 1);
}

}  // namespace

TEST_CASE("packing: a level holds floor(word / value) whole values a word", "[levels][packing]") {
  const LevelDesign d = load(kDesign);
  struct Case {
    int bits;
    int64_t per_buffer_word, per_register;  // 64-bit and 16-bit words
  };
  // 6 bits do not divide either word: ten in 64 bits (4 bits spare), two in 16 (4 spare); none split.
  for (const Case& c : {Case{16, 4, 1}, Case{8, 8, 2}, Case{4, 16, 4}, Case{6, 10, 2}}) {
    INFO(c.bits << "-bit values");
    const LevelDesign p = packed(d, c.bits);
    // Capacity: 128 buffer words and 4 registers.
    CHECK(fits(p, 128 * c.per_buffer_word, 1).empty());
    CHECK_THAT(fits(p, 128 * c.per_buffer_word + 1, 1), Catch::Contains("level 'buffer' would hold"));
    CHECK(fits(p, 1, 4 * c.per_register).empty());
    CHECK_THAT(fits(p, 1, 4 * c.per_register + 1), Catch::Contains("level 'regs' would hold"));
    // Bandwidth: two 64-bit banks, and one 16-bit register port each way, a word a cycle.
    CHECK(read_cycles(p, kBuffer, 2 * c.per_buffer_word * 100) == 100);
    CHECK(read_cycles(p, kRegs, c.per_register * 100) == 100);
    // Energy per value: an access's energy shared over the values it moves.
    for (std::size_t l : {kBuffer, kRegs})
      CHECK(p.prices[l].pj[kW] == d.prices[l].pj[kW]);  // per access, unchanged
    CHECK(p.prices[kBuffer].per_value(Operand::Weights, LevelAction::Read) ==
          Approx(d.prices[kBuffer].pj[kW][0] / static_cast<double>(c.per_buffer_word)));
    CHECK(p.prices[kRegs].per_value(Operand::Weights, LevelAction::Update) ==
          Approx(d.prices[kRegs].pj[kW][2] / static_cast<double>(c.per_register)));
    // Off-chip memory: a 64-bit access moves as many values as the buffer's word, priced per bit it moves.
    CHECK(p.prices[kDram].block_words[kI] == c.per_buffer_word);
    CHECK(p.value_bits[kDram][kI] == Approx(64.0 / static_cast<double>(c.per_buffer_word)));
    CHECK(p.prices[kDram].per_value(Operand::Inputs, LevelAction::Read) ==
          Approx(d.prices[kDram].per_value(Operand::Inputs, LevelAction::Read) * 4 / static_cast<double>(c.per_buffer_word)));
    // A fan-out's networks: the 16-bit inputs network carries what fills its width, the 64-bit weights network too.
    CHECK(p.networks[kArray].value_bits[kI] == Approx(16.0 / static_cast<double>(c.per_register)));
    CHECK(p.networks[kArray].value_bits[kW] == Approx(64.0 / static_cast<double>(c.per_buffer_word)));
  }
  // Unpacked, the figures packing changes: a 16-bit slot a value.
  CHECK(fits(d, 512, 1).empty());
  CHECK_FALSE(fits(d, 513, 1).empty());
  CHECK(read_cycles(d, kBuffer, 800) == 100);
  CHECK(d.value_bits[kDram][kI] == 16);
}

TEST_CASE("packing: values as wide as a level's width leave the design as it was", "[levels][packing]") {
  const LevelDesign d = load(kDesign);
  const LevelDesign p = packed(d, 16);
  for (std::size_t l = 0; l < d.nest.levels.size(); ++l) {
    CHECK(p.prices[l].block_words == d.prices[l].block_words);
    CHECK(p.limits[l].units == d.limits[l].units);
    CHECK(p.limits[l].per_unit == d.limits[l].per_unit);
    CHECK(p.value_bits[l] == d.value_bits[l]);
    CHECK(p.networks[l].value_bits == d.networks[l].value_bits);
  }
  // Sums at 16 bits, outputs at 8: no level keeps outputs finished only, so the
  // partial sums' width counts there, and 16-bit sums fill DRAM's 16-bit slots.
  const LevelValueWidths w = layer_value_widths(d, 8, 8, 8, 16);
  CHECK(w[kDram] == std::array<int, kOperands>{8, 8, 16});
  // Wider than the level's width: held at it (the run refuses such a layer before it gets here).
  CHECK(layer_value_widths(d, 32, 32, 32, 32)[kRegs] == std::array<int, kOperands>{16, 16, 16});
}

TEST_CASE("packing: pack false keeps one value a word on that level only", "[levels][packing]") {
  std::string text = kDesign;
  const std::string regs = "component: {class: RegisterFile, size: 8 B";
  text.replace(text.find(regs), regs.size(), "pack: false\n    " + regs);
  const LevelDesign d = load(text, "no_pack");
  CHECK_FALSE(d.packs[kRegs]);
  CHECK(d.packs[kBuffer]);
  const LevelDesign p = packed(d, 8);
  CHECK(fits(p, 1, 4).empty());
  CHECK_FALSE(fits(p, 1, 5).empty());
  CHECK(read_cycles(p, kRegs, 100) == 100);
  CHECK(p.prices[kRegs].per_value(Operand::Weights, LevelAction::Read) == Approx(d.prices[kRegs].pj[kW][0]));
  CHECK(fits(p, 1024, 1).empty());  // the buffer still packs
}

TEST_CASE("packing: the pack key goes with component levels and takes true or false", "[levels][packing][reliability]") {
  // On a level priced by numbers (Timeloop's form): no widths, nothing to pack.
  const std::string numbers = R"(levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    block_words: 4
    pack: true
    energy_pj: {read: 8, write: 8, update: 8}
compute: {name: mac, instances: 1, energy_pj: 0.25}
)";
  const auto dir = scratch_dir("level_packing_errors");
  std::ofstream(dir / "numbers.yaml") << numbers;
  CHECK_THROWS_WITH(load_level_design((dir / "numbers.yaml").string(), LevelDesignUse::ToSearch),
                    Catch::Contains("numbers.yaml:5") && Catch::Contains("pack") &&
                        Catch::Contains("levels built from registered components"));
  std::string text = kDesign;
  const std::string regs = "component: {class: RegisterFile, size: 8 B";
  text.replace(text.find(regs), regs.size(), "pack: maybe\n    " + regs);
  std::ofstream(dir / "maybe.yaml") << text;
  CHECK_THROWS_WITH(load_level_design((dir / "maybe.yaml").string(), LevelDesignUse::ToSearch),
                    Catch::Contains("maybe.yaml:") && Catch::Contains("pack"));
  CHECK(qnnsim_cli("validate " + (dir / "maybe.yaml").string(), dir / "out", dir / "err") == 2);
}

TEST_CASE("packing: a run packs each layer's values and searches its mapping on the packed levels", "[levels][packing]") {
  const LevelDesign d = load_level_design(shipped("arch/levels/eyeriss_v1.yaml"), LevelDesignUse::ToSearch);
  Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  for (Layer& l : w.layers) l.precision.accumulator.bits = 16;
  Workload wide = w;  // the same layers at the design's 16 bits
  for (Layer& l : wide.layers) l.precision.weights.bits = l.precision.inputs.bits = l.precision.outputs.bits = 16;
  const RunResult narrow_run = run_level_design(d, w, Objective::Edp), wide_run = run_level_design(d, wide, Objective::Edp);
  const Layer& conv2 = w.layers[2];
  REQUIRE(conv2.name == "conv2");
  REQUIRE(conv2.precision.weights.bits == 8);
  const LevelDesign p = pack_level_design(d, layer_value_widths(d, 8, 8, 8, 16));
  const std::optional<LevelMapping> m = search_level_mapping(p, loop_bounds(conv2, 1), Objective::Edp);
  REQUIRE(m);
  const LayerResult& lr = narrow_run.layers[2];
  CHECK(lr.tiling == level_nest_text(m->nest));
  CHECK(lr.cycles == m->cycles.total);
  CHECK(lr.energy_pj == Approx(m->energy_pj));
  // DRAM traffic: 8-bit weights and inputs at a byte each, 16-bit sums at two.
  const auto& dram = m->counts.level[0].tensor;
  const auto moved = [](const TensorAccesses& a) { return static_cast<double>(a.reads + a.fills + a.updates + a.drains); };
  CHECK(lr.dram_bytes == Approx(moved(dram[0]) + moved(dram[1]) + 2 * moved(dram[2])));
  // Less energy and less DRAM traffic than the same layers at 16 bits.
  CHECK(narrow_run.summary.energy_pj < wide_run.summary.energy_pj);
  CHECK(narrow_run.summary.dram_bytes < wide_run.summary.dram_bytes);
  // The scratchpads are 16-bit registers that do not pack (the design says pack: false there).
  for (std::size_t spad : {3, 4, 5}) CHECK(p.prices[spad].block_words == d.prices[spad].block_words);
  CHECK(p.prices[1].block_words[0] == 8);  // the buffer's 64-bit word: eight 8-bit weights
}
