// arch/levels/simba_like.yaml: one Simba chiplet (Shao et al., MICRO 2019)
// written as storage levels. These hold the structure the published
// parameters fix (the sources are in the design's comments) and that a
// ResNet-50 layer maps onto it with every level's counts consistent.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "mac/mac_spec.h"
#include "schedule/level_limits.h"
#include "schedule/level_search.h"
#include "sim/level_run.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

constexpr int64_t kPes = 16, kVectorMacsPerPe = 8, kLanesPerVectorMac = 8;  // 4 x 4 PEs of 8 x 8 MACs
constexpr int64_t kBitsPerKiB = 8 * 1024;

LevelDesign simba() { return load_level_design(shipped("arch/levels/simba_like.yaml"), LevelDesignUse::ToSearch); }

std::size_t level_index(const LevelDesign& d, const std::string& name) {
  for (std::size_t i = 0; i < d.nest.levels.size(); ++i)
    if (d.nest.levels[i].name == name) return i;
  FAIL("no level named " << name);
  return 0;
}

std::array<bool, kOperands> keeping(bool weights, bool inputs, bool outputs) { return {weights, inputs, outputs}; }

// ResNet-50 with the chip's 24-bit partial sums.
Workload resnet50_24_bit_sums() {
  Workload w = load_workload(shipped("workloads/resnet50.yaml"));
  for (Layer& l : w.layers) l.precision.accumulator.bits = 24;
  return w;
}

const Layer& layer_named(const Workload& w, const std::string& name) {
  for (const Layer& l : w.layers)
    if (l.name == name) return l;
  FAIL("no layer named " << name);
  return w.layers.front();
}

}  // namespace

TEST_CASE("the Simba chiplet has the published MACs and peak at its derived clock", "[levels][simba]") {
  const LevelDesign d = simba();
  CHECK(d.name == "simba_like");
  CHECK(d.compute_instances == kPes * kVectorMacsPerPe * kLanesPerVectorMac);
  REQUIRE(d.mac);
  CHECK(d.mac->weight_bits() == 8);
  CHECK(d.mac->input_bits() == 8);
  CHECK(d.mac->accumulator_bits() == 24);
  // Two operations a MAC: the clock was derived from the published 4.01 TOPS
  // of one chip (Zimmer et al., JSSC 2020), so this holds the derivation.
  const double peak_ops = 2.0 * static_cast<double>(d.compute_instances) * d.clock_hz;
  CHECK(peak_ops == Approx(4.01e12).epsilon(1e-3));
  // The fan-outs: 16 PEs, 8 vector MACs a PE, 8 lanes a vector MAC.
  CHECK(d.limits[level_index(d, "pe_network")].fanout == kPes);
  CHECK(d.limits[level_index(d, "vector_macs")].fanout == kVectorMacsPerPe);
  CHECK(d.limits[level_index(d, "lanes")].fanout == kLanesPerVectorMac);
  CHECK(d.networks[level_index(d, "pe_network")].present);
  CHECK(d.area_complete);
}

TEST_CASE("the Simba chiplet's buffers hold what the published PE holds at its widths", "[levels][simba]") {
  const LevelDesign d = simba();
  struct Buffer {
    const char* name;
    int64_t instances;
    std::array<bool, kOperands> keeps;
    int64_t bits_per_instance;
  };
  // Per PE: 32 KiB of weights and 3 KiB of partial sums in eight slices, one
  // per vector MAC, and 8 KiB of inputs; a 64 KiB global buffer for the
  // activations, which the weights bypass.
  const Buffer buffers[] = {
      {"global_buffer", 1, keeping(false, true, true), 64 * kBitsPerKiB},
      {"input_buffer", kPes, keeping(false, true, false), 8 * kBitsPerKiB},
      {"weight_buffer", kPes * kVectorMacsPerPe, keeping(true, false, false), 32 * kBitsPerKiB / kVectorMacsPerPe},
      {"accumulation_buffer", kPes * kVectorMacsPerPe, keeping(false, false, true), 3 * kBitsPerKiB / kVectorMacsPerPe},
      {"weight_register", kPes * kVectorMacsPerPe * kLanesPerVectorMac, keeping(true, false, false), 8},
  };
  for (const Buffer& b : buffers) {
    INFO(b.name);
    const std::size_t i = level_index(d, b.name);
    CHECK(d.prices[i].instances == b.instances);
    CHECK(d.nest.levels[i].keeps == b.keeps);
    REQUIRE(d.limits[i].in_bits);
    CHECK(d.limits[i].size == b.bits_per_instance);
  }
  // 8-bit weights and inputs everywhere; 128 24-bit sums in each accumulation slice.
  for (std::size_t i = 0; i < d.nest.levels.size(); ++i) {
    INFO(d.nest.levels[i].name);
    CHECK(d.word_bits[i][static_cast<std::size_t>(Operand::Weights)] == 8);
    CHECK(d.word_bits[i][static_cast<std::size_t>(Operand::Inputs)] == 8);
  }
  const std::size_t acc = level_index(d, "accumulation_buffer");
  CHECK(d.word_bits[acc][static_cast<std::size_t>(Operand::Outputs)] == 24);
  CHECK(d.limits[acc].size / 24 == 128);
  // Outputs leave the PEs requantized: the global buffer and DRAM hold finished 8-bit outputs only.
  for (const char* name : {"dram", "global_buffer"}) {
    INFO(name);
    const std::size_t i = level_index(d, name);
    CHECK(d.word_bits[i][static_cast<std::size_t>(Operand::Outputs)] == 8);
    CHECK(d.final_outputs_only[i]);
  }
  CHECK_FALSE(d.final_outputs_only[acc]);
  // A 64-bit weight or input word feeds the eight lanes of a vector MAC at once.
  CHECK(d.prices[level_index(d, "weight_buffer")].block_words[static_cast<std::size_t>(Operand::Weights)] == 8);
  CHECK(d.prices[level_index(d, "input_buffer")].block_words[static_cast<std::size_t>(Operand::Inputs)] == 8);
}

TEST_CASE("a ResNet-50 layer maps onto the Simba chiplet with every level's counts consistent", "[levels][simba]") {
  const LevelDesign d = simba();
  const Workload w = resnet50_24_bit_sums();
  const Layer& l = layer_named(w, "l3b2_conv_b");  // 3x3, 256 -> 256 channels at 14 x 14
  const LoopBounds b = loop_bounds(l, w.batch);
  const std::optional<LevelMapping> m = search_level_mapping(d, b, Objective::Edp);
  REQUIRE(m);
  INFO(level_nest_text(m->nest));
  CHECK(limits_broken(m->nest, d.limits, b).empty());
  CHECK(accumulation_broken(d, m->counts).empty());
  const auto macs = static_cast<uint64_t>(l.macs() * w.batch);
  CHECK(m->counts.computes == macs);
  // No faster than every MAC busy every cycle.
  CHECK(m->cycles.total >= m->cycles.compute);
  CHECK(m->cycles.compute * static_cast<uint64_t>(d.compute_instances) >= macs);

  const auto weights = static_cast<uint64_t>(l.weight_count()), inputs = static_cast<uint64_t>(l.input_count()),
             outputs = static_cast<uint64_t>(l.output_count());
  const LevelNestCounts& c = m->counts;
  const std::size_t dram = level_index(d, "dram"), glb = level_index(d, "global_buffer"),
                    ibuf = level_index(d, "input_buffer"), wbuf = level_index(d, "weight_buffer"),
                    acc = level_index(d, "accumulation_buffer"), reg = level_index(d, "weight_register");
  // Every value comes from DRAM at least once, and every output reaches it once, finished.
  CHECK(c.level[dram][Operand::Weights].reads >= weights);
  CHECK(c.level[dram][Operand::Inputs].reads >= inputs);
  CHECK(c.level[dram][Operand::Outputs].updates == outputs);
  // Weights bypass the global buffer: the PEs' weight buffers are filled straight from DRAM.
  CHECK(c.level[glb][Operand::Weights].fills == 0);
  CHECK(c.level[wbuf][Operand::Weights].fills == c.level[dram][Operand::Weights].reads);
  CHECK(c.level[ibuf][Operand::Inputs].fills >= inputs);
  // Each lane reads its weight from its register once a MAC.
  CHECK(c.level[reg][Operand::Weights].reads == macs);
  // Partial sums are summed in the accumulation buffers: at least one update an output.
  CHECK(c.level[acc][Operand::Outputs].updates >= outputs);

  // Each level's energy is positive where it keeps something, and together
  // with the MACs they are the mapping's energy.
  const std::vector<LevelEnergy> e = price_levels(d, m->nest, c);
  double total = d.compute_pj * static_cast<double>(c.computes);
  for (std::size_t i = 0; i < e.size(); ++i) {
    INFO(d.nest.levels[i].name);
    if (d.nest.levels[i].keeps != std::array<bool, kOperands>{} || d.networks[i].present) CHECK(e[i].total_pj() > 0);
    total += e[i].total_pj();
  }
  CHECK(total == Approx(m->energy_pj));
}

TEST_CASE("qnnsim runs a small 8-bit workload on the Simba chiplet end to end", "[levels][simba]") {
  const auto dir = scratch_dir("simba_like");
  const std::string design = shipped("arch/levels/simba_like.yaml");
  REQUIRE(qnnsim_cli("validate " + design, dir / "out", dir / "err") == 0);
  const std::string json = (dir / "run.json").string();
  REQUIRE(qnnsim_cli("run " + design + " " + shipped("workloads/lenet5.yaml") + " --bits accumulator=24 --quiet --json " +
                         json,
                     dir / "out", dir / "err") == 0);
  const nlohmann::json r = nlohmann::json::parse(std::ifstream(json));
  CHECK(r["level_design"]["not_costed"].empty());
  CHECK(r["summary"]["energy_pj"].get<double>() > 0);
  CHECK(r["summary"]["latency_s"].get<double>() > 0);
  CHECK(r["summary"]["area_mm2"].get<double>() > 0);
  // Sixteen-bit values do not fit the chip's 8-bit words: refused, naming the layer.
  CHECK(qnnsim_cli("run " + design + " " + shipped("workloads/lenet5.yaml") + " --bits weights=16 --bits accumulator=24",
                   dir / "out", dir / "err") != 0);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("layer 'conv1'") && Catch::Contains("8-bit words"));
}
