// Level design files (schedule/level_design): a shipped one loads and its
// figures follow from the file; every mistake is an error at its key.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "arch/arch_spec.h"
#include "schedule/level_cycles.h"
#include "schedule/level_design.h"
#include "schedule/level_search.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kProblem = R"(network: p
batch: 1
input: {C: 2, H: 4, W: 4}
layers:
  - {name: conv, type: conv, C: 2, H: 4, W: 4, M: 4, R: 3, S: 3, padding: 1}
)";

const char* kDesign = R"(workload: problem.yaml
layer: conv
levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    block_words: 4
    energy_pj: {read: 8, write: 8, update: 8}
    temporal: [M2]
  - name: buffer
    keeps: [weights, inputs, outputs]
    energy_pj: {weights: {read: 1, write: 2, update: 0}, inputs: {read: 1, write: 1, update: 0}, outputs: {read: 3, write: 3, update: 3}}
    temporal: [C2, R3, S3]
    spatial: [M2]
  - name: regs
    instances: 2
    keeps: [outputs]
    energy_pj: {read: 0.5, write: 0.5, update: 0.5}
    temporal: [P4, Q4]
compute: {name: mac, instances: 2, energy_pj: 0.25}
)";

std::string write_design(const std::string& design) {
  const auto dir = scratch_dir("level_design");
  std::ofstream(dir / "problem.yaml") << kProblem;
  std::ofstream(dir / "design.yaml") << design;
  return (dir / "design.yaml").string();
}

ConfigError design_error(const std::string& design) {
  try {
    load_level_design(write_design(design));
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the design loaded");
  throw;
}

}  // namespace

TEST_CASE("a level design prices each tensor's accesses at its own energy", "[levels][validation]") {
  const LevelDesign d = load_level_design(write_design(kDesign));
  const LevelNestCounts c = count_level_accesses(d.nest, d.bounds);
  const std::vector<LevelEnergy> e = price_levels(d, d.nest, c);
  // No level below the buffer keeps weights, so each of the 1152 computes
  // (M4 C2 P4 Q4 R3 S3) reads its weight there at 1 pJ: the two units under
  // it work on different output channels, so no read is shared. Its weight
  // fills are the 72 weights, once each, at 2 pJ. DRAM moves 4 values per
  // 8 pJ access.
  CHECK(c.level[1][Operand::Weights].reads == 1152);
  CHECK(c.level[1][Operand::Weights].fills == 72);
  CHECK(c.level[0][Operand::Weights].reads == 72);
  CHECK(c.cycles == 2 * 2 * 3 * 3 * 4 * 4);
  CHECK(e[1].accesses_pj[0] == Approx(1152 * 1.0 + 72 * 2.0));
  CHECK(e[0].accesses_pj[0] == Approx(72 * 2.0));
}

TEST_CASE("level design mistakes are errors at their key", "[levels][validation]") {
  const auto bad = [](const std::string& from, const std::string& to) {
    return design_error(replace_all(kDesign, from, to));
  };
  ConfigError e = bad("temporal: [M2]", "temporal: [X2]");
  CHECK(e.key_path() == "levels[0].temporal[0]");
  CHECK_THAT(e.message(), Catch::Contains("expected a dimension") && Catch::Contains("'X2'"));

  e = bad("temporal: [M2]", "temporal: [M3]");
  CHECK(e.key_path() == "levels");
  CHECK_THAT(e.message(), Catch::Contains("the factors of M multiply to 6"));

  e = bad("spatial: [M2]", "spatial: [M4]");
  CHECK(e.key_path() == "levels[1].spatial");
  CHECK_THAT(e.message(), Catch::Contains("use 4 instances below each of these, but there are 2"));

  e = bad("outputs: {read: 3, write: 3, update: 3}", "outputs: {read: 3, write: 3}");
  CHECK(e.key_path() == "levels[1].energy_pj.outputs.update");

  e = bad("    keeps: [outputs]\n", "    keeps: [outputs, psums]\n");
  CHECK_THAT(e.message(), Catch::Contains("expected weights, inputs or outputs, found 'psums'"));

  e = bad("    keeps: [weights, inputs, outputs]\n    block_words: 4", "    keeps: [weights, outputs]\n    block_words: 4");
  CHECK(e.key_path() == "levels[0].keeps");
  CHECK_THAT(e.message(), Catch::Contains("must keep weights, inputs and outputs (inputs missing)"));

  e = bad("energy_pj: 0.25}", "energy_pj: -0.25}");
  CHECK(e.key_path() == "compute.energy_pj");

  e = bad("layer: conv", "layer: conv9");
  CHECK(e.key_path() == "layer");

  e = bad("    temporal: [P4, Q4]", "    temporal: [P4, Q4]\n    multicast: per_value");
  CHECK(e.key_path() == "levels[2].multicast");

  e = bad("compute: {name: mac, instances: 2, energy_pj: 0.25}", "compute: {name: mac, instances: 2, energy_pj: 0.25, leak: 1}");
  CHECK(e.key_path() == "compute.leak");
  CHECK(e.where().line == 19);  // the compute line of kDesign
}

TEST_CASE("level partitions: each names tensors its level keeps, once, within the level's size", "[levels][validation]") {
  const std::string sized = replace_all(kDesign, "    temporal: [C2, R3, S3]", "    size: 200\n    temporal: [C2, R3, S3]");
  const auto bad = [&](const std::string& partitions) {
    return design_error(replace_all(sized, "    size: 200\n", "    size: 200\n    partitions:\n" + partitions));
  };
  ConfigError e = bad("      - {keeps: [weights], size: 120}\n      - {keeps: [inputs, outputs], size: 90}\n");
  CHECK(e.key_path() == "levels[1].partitions[1].size");
  CHECK_THAT(e.message(), Catch::Contains("take 210 values so far, more than its size of 200"));

  e = bad("      - {keeps: [weights], size: 10}\n      - {keeps: [inputs, weights], size: 10}\n");
  CHECK(e.key_path() == "levels[1].partitions[1].keeps");
  CHECK_THAT(e.message(), Catch::Contains("weights are already in another partition"));

  e = design_error(replace_all(kDesign, "    keeps: [outputs]\n", "    keeps: [outputs]\n    partitions: [{keeps: [weights], size: 4}]\n"));
  CHECK(e.key_path() == "levels[2].partitions[0].keeps");
  CHECK_THAT(e.message(), Catch::Contains("does not keep them"));

  e = bad("      - {keeps: [], size: 10}\n");
  CHECK_THAT(e.message(), Catch::Contains("at least one tensor"));

  // The buffer holds a weight block of M2 (its fan-out) x C2 x R3 x S3: 36
  // values. A weight partition of 35 is too small for the given mapping, and
  // says so at the levels; 36 fits, and the other tensors share the rest.
  e = bad("      - {keeps: [weights], size: 35}\n");
  CHECK(e.key_path() == "levels");
  CHECK_THAT(e.message(), Catch::Contains("would hold 36 values in its weights partition, but the partition's size is 35"));
  CHECK_NOTHROW(load_level_design(write_design(replace_all(sized, "    size: 200\n", "    size: 200\n    partitions: [{keeps: [weights], size: 36}]\n"))));
  // Inputs (2 x 6 x 6) and partial sums (2 x 4 x 4) take 104 of what the weights leave.
  e = bad("      - {keeps: [weights], size: 100}\n");
  CHECK_THAT(e.message(), Catch::Contains("would hold 104 values outside its partitions, but they leave 100 of its size"));
}

TEST_CASE("a level's temporal_dims hold its own loops to the dimensions listed", "[levels][validation]") {
  // The registers iterate P and Q: allowed when listed, an error at the levels when not.
  CHECK_NOTHROW(load_level_design(write_design(replace_all(kDesign, "    temporal: [P4, Q4]", "    temporal_dims: [P, Q]\n    temporal: [P4, Q4]"))));
  ConfigError e = design_error(replace_all(kDesign, "    temporal: [P4, Q4]", "    temporal_dims: [P]\n    temporal: [P4, Q4]"));
  CHECK(e.key_path() == "levels");
  CHECK_THAT(e.message(), Catch::Contains("level 'regs' may not iterate Q in its own loops (temporal_dims)"));
  e = design_error(replace_all(kDesign, "    temporal: [P4, Q4]", "    temporal_dims: []\n    temporal: [P4, Q4]"));
  CHECK_THAT(e.message(), Catch::Contains("may not iterate P"));
  e = design_error(replace_all(kDesign, "    temporal: [P4, Q4]", "    temporal_dims: [P, W]\n    temporal: [P4, Q4]"));
  CHECK(e.key_path() == "levels[2].temporal_dims[1]");
}

TEST_CASE("a level's bandwidth sets the layer's cycles when its port is the slowest", "[levels][validation]") {
  // kDesign takes 2 x (2 x 3 x 3) x (4 x 4) = 576 compute steps. DRAM sends
  // every weight (72) and input (32) once and takes every output once (64):
  // 104 values out and 64 in.
  const auto cycles_with = [](const std::string& key) {
    const LevelDesign d = load_level_design(write_design(replace_all(
        kDesign, "    energy_pj: {read: 8, write: 8, update: 8}\n", "    energy_pj: {read: 8, write: 8, update: 8}\n" + key)));
    return level_cycles(d, count_level_accesses(d.nest, d.bounds));
  };
  LevelCycles c = cycles_with("    bandwidth: 0.1\n");  // one port: (104 + 64) / 0.1
  CHECK(c.compute == 576);
  CHECK(c.total == 1680);
  CHECK(c.bound == "dram");
  CHECK(c.level[0] == 1680);
  c = cycles_with("    write_bandwidth: 0.1\n");  // 64 / 0.1 = 640
  CHECK(c.total == 640);
  CHECK(c.bound == "dram");
  c = cycles_with("    read_bandwidth: 0.25\n");  // 104 / 0.25 = 416, under the compute steps
  CHECK(c.level[0] == 416);
  CHECK(c.total == 576);
  CHECK(c.bound == "compute");
  // Leakage lasts as long as the layer: 1 pJ a cycle on the DRAM for 1680 cycles.
  const LevelDesign d = load_level_design(write_design(replace_all(
      kDesign, "    energy_pj: {read: 8, write: 8, update: 8}\n",
      "    energy_pj: {read: 8, write: 8, update: 8}\n    bandwidth: 0.1\n    leak_pj_per_cycle: 1\n")));
  CHECK(price_levels(d, d.nest, count_level_accesses(d.nest, d.bounds))[0].leak_pj == Approx(1680));

  ConfigError e = design_error(replace_all(kDesign, "    energy_pj: {read: 8, write: 8, update: 8}\n",
                                           "    energy_pj: {read: 8, write: 8, update: 8}\n    bandwidth: 2\n    read_bandwidth: 1\n"));
  CHECK(e.key_path() == "levels[0].read_bandwidth");
  CHECK_THAT(e.message(), Catch::Contains("not both"));
  e = design_error(replace_all(kDesign, "    energy_pj: {read: 8, write: 8, update: 8}\n",
                               "    energy_pj: {read: 8, write: 8, update: 8}\n    write_bandwidth: 0\n"));
  CHECK(e.key_path() == "levels[0].write_bandwidth");
}

TEST_CASE("levels built from registered components take prices, words, sizes and ports from the energy table",
          "[levels][validation]") {
  // Eyeriss' storage as components, on configs/energy/eyeriss_65nm.yaml.
  const std::string design = replace_all(replace_all(replace_all(kDesign,
      "levels:\n", "technology: {node: 65 nm, clock: 200 MHz, voltage: 1.0 V}\nenergy_table: eyeriss_65nm\nword_bits: 16\nlevels:\n"),
      "    block_words: 4\n    energy_pj: {read: 8, write: 8, update: 8}\n",
      "    block_words: 4\n    component: {class: DRAM, type: normalized, channels: 1, width: 64 bit, data_rate: 200 MHz, latency: 100 ns}\n"),
      "    energy_pj: {weights: {read: 1, write: 2, update: 0}, inputs: {read: 1, write: 1, update: 0}, outputs: {read: 3, write: 3, update: 3}}\n",
      "    component: {class: SRAMBuffer, size: 108 KiB, width: 64 bit, banks: 27}\n");
  const std::string with_regs = replace_all(design, "    energy_pj: {read: 0.5, write: 0.5, update: 0.5}\n",
                                            "    component: {class: RegisterFile, size: 48 B, width: 16 bit, banks: 1}\n");
  const LevelDesign d = load_level_design(write_design(with_regs));
  // DRAM: 18.77 pJ a bit (Eyeriss' 200 x MAC per 16-bit value), 4 values an access.
  CHECK(d.prices[0].pj[0][0] == Approx(18.77 * 64));
  CHECK(d.prices[0].block_words[0] == 4);
  // One 64-bit word a cycle at the 200 MHz core clock; a component's level counts bits.
  CHECK(d.limits[0].in_bits);
  CHECK(d.bandwidth[0].shared == Approx(64));
  // The buffer: 4 KiB banks, 36.04 pJ a 64-bit word read or written; its
  // capacity and its 27 banks of 4 values a cycle come with it.
  CHECK(d.prices[1].pj[1][0] == Approx(36.04));
  CHECK(d.prices[1].pj[2][2] == Approx(36.04));
  CHECK(d.prices[1].block_words[2] == 4);
  CHECK(d.limits[1].size == 108 * 1024 * 8);
  CHECK(d.bandwidth[1].shared == Approx(27 * 64));
  // Registers: 0.09386 pJ a bit, one 16-bit value an access.
  CHECK(d.prices[2].pj[2][0] == Approx(0.09386 * 16));
  CHECK(d.limits[2].size == 48 * 8);

  ConfigError e = design_error(replace_all(with_regs, "class: RegisterFile", "class: Latch"));
  CHECK(e.key_path() == "levels[2].component.class");
  CHECK_THAT(e.message(), Catch::Contains("unknown class 'Latch'") && Catch::Contains("SRAMBuffer"));
  e = design_error(replace_all(with_regs, "size: 48 B, width: 16 bit", "size: 48 B, width: 12 bit"));
  CHECK(e.key_path() == "levels[2].component.width");
  e = design_error(replace_all(with_regs, "    component: {class: RegisterFile", "    size: 24\n    component: {class: RegisterFile"));
  CHECK(e.key_path() == "levels[2].size");
  e = design_error(replace_all(with_regs, "energy_table: eyeriss_65nm\n", ""));
  CHECK(e.key_path() == "energy_table");
  e = design_error(replace_all(with_regs, "node: 65 nm", "node: 45 nm"));
  CHECK(e.key_path() == "technology.node");
  CHECK_THAT(e.message(), Catch::Contains("eyeriss_65nm"));

  // The compute units as a registered MAC class: a 16 x 16-bit multiply and a
  // 16-bit add on the table's curves, which the table derives as 1.502 pJ.
  const std::string with_mac = replace_all(with_regs, "compute: {name: mac, instances: 2, energy_pj: 0.25}",
                                           "compute: {name: mac, instances: 2, mac: {class: IntMAC, weight_bits: 16, "
                                           "input_bits: 16, accumulator_bits: 16}}");
  CHECK(load_level_design(write_design(with_mac)).compute_pj == Approx(1.502).epsilon(0.02));
  // A bit-serial unit takes 8 cycles a MAC at its widths: not what the level model steps.
  e = design_error(replace_all(with_mac, "{class: IntMAC, weight_bits: 16, input_bits: 16, accumulator_bits: 16}",
                               "{class: BitSerialMAC, serial: weights, parallel_bits: 8, accumulator_bits: 32}"));
  CHECK(e.key_path() == "compute.mac.class");
  CHECK_THAT(e.message(), Catch::Contains("every 8 cycle(s)"));
  e = design_error(replace_all(with_mac, "mac: {class: IntMAC", "energy_pj: 1, mac: {class: IntMAC"));
  CHECK(e.key_path() == "compute.energy_pj");
}

TEST_CASE("a fan-out's network carries what the keeper above sends down and takes back", "[levels][validation]") {
  // kDesign with its fan-out moved from the buffer to a level of its own
  // that keeps nothing: a bus of 64-bit weight, 8-bit input and 64-bit psum
  // networks, on the Eyeriss table (0.1877 pJ a bit sent), 16-bit values.
  std::string design = replace_all(kDesign, "levels:\n",
                                   "technology: {node: 65 nm, clock: 200 MHz, voltage: 1.0 V}\nenergy_table: eyeriss_65nm\n"
                                   "word_bits: 16\nlevels:\n");
  design = replace_all(design, "    temporal: [C2, R3, S3]\n    spatial: [M2]\n",
                       "    temporal: [C2, R3, S3]\n  - name: net\n    keeps: []\n    spatial: [M2]\n    multicast: per_value\n"
                       "    component: {class: MulticastBus, width: {weights: 64 bit, inputs: 8 bit, psums: 64 bit}}\n");
  const LevelDesign d = load_level_design(write_design(design));
  const LevelNestCounts c = count_level_accesses(d.nest, d.bounds);
  // The buffer keeps everything above the bus; the registers below keep only
  // partial sums, so the buffer's weight and input reads are the operands of
  // the 1152 MACs on two units: each weight feeds one unit (M differs), each
  // input both at once (a multicast): 1152 weights, 576 inputs. Partial sums
  // go up once per output: 64 updates.
  CHECK(values_crossing(d.nest, c, 2, Operand::Weights) == 1152);
  CHECK(values_crossing(d.nest, c, 2, Operand::Inputs) == 576);
  CHECK(values_crossing(d.nest, c, 2, Operand::Outputs) == 64);
  const std::vector<LevelEnergy> e = price_levels(d, d.nest, c);
  CHECK(e[2].network_pj[1] == Approx(576 * 16 * 0.1877));
  CHECK(e[2].network_pj[0] == Approx(1152 * 16 * 0.1877));
  // The 8-bit input network needs 576 x 16 / 8 = 1152 cycles, twice the 576 compute steps.
  const LevelCycles t = level_cycles(d, c);
  CHECK(t.level[2] == 1152);
  CHECK(t.total == 1152);
  CHECK(t.bound == "net");
  // A mesh prices each transfer by its route, which a fan-out does not model: refused, not priced at nothing.
  const ConfigError mesh = design_error(
      replace_all(design, "{class: MulticastBus, width: {weights: 64 bit, inputs: 8 bit, psums: 64 bit}}",
                  "{class: Mesh2D, routing: xy, injection: corner, link_width: 64 bit, router_cycles: 1}"));
  CHECK(mesh.key_path() == "levels[2].component.class");
  CHECK_THAT(mesh.message(), Catch::Contains("by the route it takes"));
  // A network where nothing fans out is refused.
  const ConfigError err = design_error(replace_all(design, "  - name: net\n    keeps: []\n    spatial: [M2]\n    multicast: per_value\n",
                                                   "    spatial: [M2]\n  - name: net\n    instances: 2\n    keeps: []\n"));
  CHECK(err.key_path() == "levels[2].component");
  CHECK_THAT(err.message(), Catch::Contains("only a level that fans out"));
}

TEST_CASE("the shipped Timeloop designs count the same in closed form and block by block", "[levels][validation][slow]") {
  for (const char* name : {"simple_weight_stationary", "simple_output_stationary", "eyeriss_like", "simba_like"}) {
    const LevelDesign d = load_level_design(shipped(std::string("configs/validation/timeloop/") + name + ".yaml"));
    const LevelNestCounts closed = count_level_accesses(d.nest, d.bounds);
    const LevelNestCounts stepped = count_level_accesses(d.nest, d.bounds, LevelCountMethod::Enumerate);
    for (std::size_t l = 0; l < d.nest.levels.size(); ++l)
      for (int t = 0; t < kOperands; ++t) {
        INFO(name << ": level " << d.nest.levels[l].name << ", tensor " << t);
        const TensorAccesses& a = closed.level[l].tensor[t];
        const TensorAccesses& b = stepped.level[l].tensor[t];
        CHECK(a.reads == b.reads);
        CHECK(a.fills == b.fills);
        CHECK(a.updates == b.updates);
        CHECK(a.drains == b.drains);
        CHECK(a.block == b.block);
      }
  }
}

TEST_CASE("a level design given where an engine design goes names the command that takes it", "[levels][validation]") {
  try {
    load_arch(write_design(kDesign));
    FAIL("the level design loaded as an engine design");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "levels");
    CHECK_THAT(e.message(), Catch::Contains("qnnsim levels FILE --search"));
  }
}

TEST_CASE("each tensor's values take their own width, and outputs leave requantized where the design says so",
          "[levels][validation]") {
  // kDesign from components on the Eyeriss table, 8-bit weights and inputs,
  // 32-bit partial sums; DRAM keeps outputs at 8 bits, so what reaches it
  // must be finished and requantized.
  std::string design = replace_all(kDesign, "levels:\n",
                                   "technology: {node: 65 nm, clock: 200 MHz, voltage: 1.0 V}\nenergy_table: eyeriss_65nm\n"
                                   "word_bits: {weights: 8, inputs: 8, outputs: 32}\nlevels:\n");
  design = replace_all(design, "    block_words: 4\n    energy_pj: {read: 8, write: 8, update: 8}\n",
                       "    block_words: 4\n    word_bits: {outputs: 8}\n"
                       "    component: {class: DRAM, type: normalized, channels: 1, width: 64 bit, data_rate: 200 MHz, latency: 100 ns}\n");
  design = replace_all(design,
                       "    energy_pj: {weights: {read: 1, write: 2, update: 0}, inputs: {read: 1, write: 1, update: 0}, outputs: {read: 3, write: 3, update: 3}}\n",
                       "    component: {class: SRAMBuffer, size: 16 KiB, width: 64 bit, banks: 4}\n");
  design = replace_all(design, "    energy_pj: {read: 0.5, write: 0.5, update: 0.5}\n",
                       "    component: {class: RegisterFile, size: 64 B, width: 32 bit, banks: 1}\n");
  const LevelDesign d = load_level_design(write_design(design));
  // A 64-bit buffer word moves eight weights or inputs but two partial sums, at one price.
  CHECK(d.prices[1].block_words == std::array<int64_t, kOperands>{8, 8, 2});
  CHECK(d.prices[1].per_value(Operand::Outputs, LevelAction::Read) ==
        Approx(4 * d.prices[1].per_value(Operand::Weights, LevelAction::Read)));
  // DRAM prices bits: four 8-bit outputs an access cost a quarter of four 32-bit ones.
  CHECK(d.prices[0].pj[2][2] == Approx(d.prices[0].pj[0][2]));
  CHECK(d.prices[0].pj[0][0] == Approx(18.77 * 4 * 8));
  // Capacities count bits: the 16 partial sums of a register file's P4 Q4 block take all of its 64 bytes.
  CHECK(d.limits[2].size == 512);
  CHECK(d.final_outputs_only == std::vector<bool>{true, false, false});

  // Bandwidth in bits: DRAM's one 64-bit word a cycle carries each tensor at its width.
  const LevelNestCounts c = count_level_accesses(d.nest, d.bounds);
  double dram_bits = 0;
  for (int t = 0; t < kOperands; ++t) {
    const TensorAccesses& a = c.level[0].tensor[t];
    dram_bits += static_cast<double>(a.reads + a.fills + a.updates + a.drains) * 8;  // every tensor 8 bits there
  }
  CHECK(c.level[0][Operand::Outputs].updates == 64);
  CHECK(level_cycles(d, c).level[0] == static_cast<uint64_t>(std::ceil(dram_bits / 64)));

  // Registers half the size no longer hold the block, counted in bits.
  ConfigError e = design_error(replace_all(design, "size: 64 B, width: 32 bit", "size: 32 B, width: 32 bit"));
  CHECK_THAT(e.message(), Catch::Contains("would hold 512 bits, but its size is 256"));
  // Accumulating over C outside M in DRAM's loops would bring partial sums back out of it.
  e = design_error(replace_all(replace_all(design, "    temporal: [M2]\n", "    temporal: [C2, M2]\n"),
                               "    temporal: [C2, R3, S3]\n", "    temporal: [R3, S3]\n"));
  CHECK(e.key_path() == "levels");
  CHECK_THAT(e.message(), Catch::Contains("level 'dram' keeps outputs narrower") && Catch::Contains("C, R, S"));
  // With DRAM as wide as the partial sums, the same mapping loads.
  CHECK_NOTHROW(load_level_design(write_design(replace_all(
      replace_all(replace_all(design, "    temporal: [M2]\n", "    temporal: [C2, M2]\n"), "    temporal: [C2, R3, S3]\n",
                  "    temporal: [R3, S3]\n"),
      "    word_bits: {outputs: 8}\n", ""))));
  // A partition of tensors of two widths must give its size as data.
  e = design_error(replace_all(design, "    component: {class: SRAMBuffer",
                               "    partitions: [{keeps: [inputs, outputs], size: 512}]\n    component: {class: SRAMBuffer"));
  CHECK(e.key_path() == "levels[1].partitions[0].size");
  CHECK_THAT(e.message(), Catch::Contains("differ in width"));
  CHECK(load_level_design(write_design(replace_all(design, "    component: {class: SRAMBuffer",
                                                   "    partitions: [{keeps: [inputs, outputs], size: 1 KiB}]\n"
                                                   "    component: {class: SRAMBuffer")))
            .limits[1]
            .partitions[0]
            .size == 8192);
  // A width for some tensors only, with no design-wide width to complete it, is refused.
  e = design_error(replace_all(design, "word_bits: {weights: 8, inputs: 8, outputs: 32}", "word_bits: {weights: 8}"));
  CHECK(e.key_path() == "word_bits.inputs");
}

TEST_CASE("the search keeps partial sums out of a level that holds requantized outputs", "[levels][search]") {
  // 16 input channels; the registers under the buffer keep weights and
  // partial sums but hold only 16 bytes. Without the rule the energy search
  // settles on a mapping that spills partial sums to the buffer between
  // channel passes (64 read back); with the buffer keeping outputs at 8 bits
  // it must reduce every channel below it instead.
  const auto dir = scratch_dir("level_search_requantized");
  std::ofstream(dir / "problem.yaml") << replace_all(kProblem, "C: 2", "C: 16");
  const std::string wide = R"(workload: problem.yaml
technology: {node: 65 nm, clock: 200 MHz, voltage: 1.0 V}
energy_table: eyeriss_65nm
word_bits: {weights: 8, inputs: 8, outputs: 32}
levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    block_words: 4
    word_bits: {outputs: 8}
    component: {class: DRAM, type: normalized, channels: 1, width: 64 bit, data_rate: 200 MHz, latency: 100 ns}
  - name: buffer
    keeps: [weights, inputs, outputs]
    component: {class: SRAMBuffer, size: 16 KiB, width: 64 bit, banks: 4}
  - name: regs
    instances: 2
    keeps: [weights, outputs]
    component: {class: RegisterFile, size: 16 B, width: 32 bit, banks: 1}
compute: {name: mac, instances: 2, energy_pj: 0.25}
)";
  std::ofstream(dir / "wide.yaml") << wide;
  std::ofstream(dir / "narrow.yaml") << replace_all(wide, "    component: {class: SRAMBuffer",
                                                    "    word_bits: {outputs: 8}\n    component: {class: SRAMBuffer");
  const LevelDesign w = load_level_design((dir / "wide.yaml").string(), LevelDesignUse::ToSearch);
  const LevelDesign n = load_level_design((dir / "narrow.yaml").string(), LevelDesignUse::ToSearch);
  CHECK(w.final_outputs_only == std::vector<bool>{true, false, false});
  REQUIRE(n.final_outputs_only == std::vector<bool>{true, true, false});
  for (Objective objective : {Objective::Energy, Objective::Edp}) {
    const auto m = search_level_mapping(n, n.bounds, objective);
    REQUIRE(m);
    for (int l : {0, 1}) {
      CHECK(m->counts.level[l][Operand::Outputs].reads == 0);
      CHECK(m->counts.level[l][Operand::Outputs].fills == 0);
    }
    CHECK(m->counts.level[1][Operand::Outputs].updates == 64);
  }
}
