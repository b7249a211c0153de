// In-memory chips: a crossbar read derived by hand, the ADC resolution and
// clipping, ISAAC's area and power rolled up against the published tables,
// pipelined throughput on a hand-built three-layer chain, the shipped chips
// running VGG-16 and ResNet-50, and the errors a bad chip or layer gets.
#include <cmath>

#include <catch2/catch.hpp>

#include "converter/adc_spec.h"
#include "imc/imc_arch.h"
#include "imc/imc_costs.h"
#include "imc/imc_run.h"
#include "imc/placement.h"
#include "support.h"

namespace qnnsim::test {
namespace {

ImcArch imc_from_text(const std::string& yaml) { return load_imc_arch(ConfigNode::load_string(yaml, "tiny_imc.yaml")); }

}  // namespace

// FC of 4 inputs x 2 outputs, 4-bit weights (2 cells = 2 columns each), 3-bit inputs:
//   one crossbar; 4 rows driven and 4 columns read per read; 3 reads (one per input bit).
//   Reads: 3. DAC conversions 3 x 4 = 12. ADC conversions and samples 3 x 4 = 12.
//   Step: the ADC converts 4 columns in 4 x 1 ns < 10 ns read, so 10 ns; busy 3 x 10 = 30 ns.
//   Cell energy per read: 16 cells x drive 0.5 (1-bit inputs, density 1) x (0.2 V)^2
//     x mean G (1/10k + 1/100k)/2 = 55 uS x 10 ns = 0.176 pJ; 3 reads = 0.528 pJ.
//   DAC: 1 uW x 10 ns = 10 fJ x 12 = 0.12 pJ. ADC: 2 mW / 1 GS/s = 2 pJ x 12 = 24 pJ.
//   ADC bits needed: log2(8) + 1 + 2 - 1 = 5 > 4 configured: a warning; but 4 rows
//   of at most 3 sum to 12 <= 15, so nothing clips.
TEST_CASE("a crossbar read of a small matrix matches the hand derivation", "[imc]") {
  const ImcArch arch = imc_from_text(tiny_imc_yaml());
  const Workload w = workload_from_text(R"(network: one_fc
batch: 1
precision:
  weights: {bits: 4, scheme: uniform_symmetric}
  inputs: {bits: 3, scheme: uniform_asymmetric}
  outputs: {bits: 8, scheme: uniform_asymmetric}
input: {C: 4, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 4, M: 2}
)");
  const RunResult r = run_in_memory(arch, w);
  const LayerResult& l = r.layers.at(0);
  CHECK(action(l, "crossbar", "read").count == 3);
  CHECK(action(l, "dac", "convert").count == 12);
  CHECK(action(l, "adc", "convert").count == 12);
  CHECK(action(l, "sample_hold", "sample").count == 12);
  CHECK(action(l, "crossbar", "read").energy_pj == Approx(0.528).epsilon(1e-9));
  CHECK(action(l, "dac", "convert").energy_pj == Approx(0.12).epsilon(1e-9));
  CHECK(action(l, "adc", "convert").energy_pj == Approx(24.0).epsilon(1e-9));
  CHECK(l.compute_cycles == 30);
  REQUIRE(l.in_memory);
  CHECK(l.in_memory->crossbars == 1);
  CHECK(l.in_memory->adc_bits_needed == 5);
  CHECK(l.in_memory->adc_clip_fraction == 0.0);
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->adc_conversions == 12);
  REQUIRE(r.in_memory->warnings.size() == 1);
  CHECK(r.in_memory->warnings[0].find("need 5") != std::string::npos);
}

TEST_CASE("ADC resolution follows rows, DAC and cell bits, one less with flipped columns", "[imc]") {
  CHECK(adc_bits_needed(128, 1, 2, false) == 9);  // ISAAC without encoding
  CHECK(adc_bits_needed(128, 1, 2, true) == 8);   // ISAAC's flipped columns
  CHECK(adc_bits_needed(256, 1, 1, false) == 9);
  CHECK(adc_bits_needed(128, 2, 2, false) == 11);  // both wider than a bit: log2(rows) + v + w
  // The survey fit at 1 GS/s (REFERENCES.md): about 0.64 pJ at 8 bits, 0.04 at 6, 10 at 10.
  CHECK(adc_fom_energy_j(8, 1e9) * 1e12 == Approx(0.64).epsilon(0.05));
  CHECK(adc_fom_energy_j(6, 1e9) * 1e12 == Approx(0.04).epsilon(0.05));
  CHECK(adc_fom_energy_j(10, 1e9) * 1e12 == Approx(10.0).epsilon(0.05));
  // Two rows of 1-bit inputs on 1-bit cells: each row gives 1 with probability 1/4, so
  // the sum is 2 with probability 1/16 and saturates a 1-bit ADC; flipped, min(s, 2 - s) never does.
  CHECK(adc_clip_fraction(2, 1, 1, 1.0, 1, false) == Approx(1.0 / 16));
  CHECK(adc_clip_fraction(2, 1, 1, 1.0, 1, true) == 0.0);
  CHECK(adc_clip_fraction(128, 1, 2, 1.0, 8, true) == 0.0);
}

// The ISAAC tables (REFERENCES.md), summed by hand:
//   per IMA  area 0.0096 + 0.00017 + 0.00004 + 0.0002 + 0.00024 + 0.0021 + 0.00077 = 0.01312 mm2
//            power 16 + 4 + 0.01 + 2.4 + 0.2 + 1.24 + 0.23 = 24.08 mW
//   per tile area 0.083 + 0.090 + 0.0006 + 0.00006 + 0.00024 + 0.0032 + 0.151 / 4 = 0.21485 mm2
//            power 20.7 + 7 + 0.52 + 0.05 + 0.4 + 1.68 + 42 / 4 = 40.85 mW
//   chip     area 168 x (12 x 0.01312 + 0.21485) + 22.88 = 85.425 mm2
//            power 168 x (12 x 24.08 + 40.85) mW + 10.4 W = 65.808 W
//   peak     16,128 crossbars x 128 rows x 16 weights / (16 reads x 100 ns) x 2 = 41.29 TOPS
TEST_CASE("ISAAC's area, power and peak roll up from its published tables", "[imc]") {
  const ImcArch arch = load_imc_arch(ConfigNode::load_file(shipped("arch/isaac.yaml")));
  double area = 0, model_w = 0, published_w = 0;
  for (const auto& [k, v] : area_breakdown_mm2(arch)) area += v;
  for (const auto& [k, v] : peak_power_breakdown_w(arch, true)) model_w += v;
  for (const auto& [k, v] : peak_power_breakdown_w(arch, false)) published_w += v;
  CHECK(area == Approx(85.425).epsilon(1e-3));
  CHECK(published_w == Approx(65.808).epsilon(1e-3));
  CHECK(model_w == Approx(65.808).epsilon(1e-3));  // table ADCs and crossbar powers: the model adds nothing
  CHECK(area_breakdown_mm2(arch).at("adc") == Approx(168 * 12 * 0.0096).epsilon(1e-9));
  CHECK(2 * peak_macs_per_s(arch, 16, 16) / 1e12 == Approx(16128.0 * 128 * 16 / 1.6e-6 * 2 / 1e12).epsilon(1e-9));
}

Workload chain_workload() {
  return workload_from_text(R"(network: chain
batch: 20
precision:
  weights: {bits: 4, scheme: uniform_symmetric}
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4, inputs: {bits: 2}, outputs: {bits: 6}}
  - {name: b, type: fc, C: 4, M: 4, inputs: {bits: 6}, outputs: {bits: 4}}
  - {name: c, type: fc, C: 4, M: 4, inputs: {bits: 4}, outputs: {bits: 8}}
)");
}

// Three FC layers (8 -> 4 -> 4 -> 4, one crossbar each) with 2-, 6- and 4-bit inputs take 2, 6 and 4 reads of
// 10 ns per image. Pipelined over 20 images, one image leaves every 60 ns (the
// slowest stage); in sequence each layer does all 20 first: 20 x 120 ns at least.
TEST_CASE("pipelined throughput equals the slowest stage's on three layers", "[imc]") {
  ImcArch arch = imc_from_text(replace_all(tiny_imc_yaml(), "imas: 1", "imas: 3"));
  const Workload w = chain_workload();
  const RunResult r = run_in_memory(arch, w);
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->pipeline_interval_s == Approx(60e-9).epsilon(1e-6));
  CHECK(r.layers.at(1).in_memory->occupancy > r.layers.at(0).in_memory->occupancy);
  CHECK(r.summary.latency_s < 20 * 120e-9);
}

TEST_CASE("layer-sequential execution finishes each layer's batch before the next", "[imc]") {
  ImcArch arch = imc_from_text(replace_all(tiny_imc_yaml(), "imas: 1", "imas: 3"));
  arch.execution = Execution::LayerSequential;
  const Workload w = chain_workload();
  const RunResult r = run_in_memory(arch, w);
  CHECK(r.summary.latency_s >= 20 * 120e-9);
  CHECK(r.summary.latency_s == Approx(20 * 120e-9).epsilon(0.01));
}

namespace {
RunResult run_shipped(const std::string& arch_file, const std::string& workload_file, int bits) {
  const ImcArch arch = load_imc_arch(ConfigNode::load_file(shipped(arch_file)));
  Workload w = load_workload(shipped(workload_file));
  for (const char* t : {"weights", "inputs", "outputs"}) REQUIRE(apply_bits_override(w, std::string(t) + "=" + std::to_string(bits)).empty());
  return run_in_memory(arch, w);
}

void check_shipped_run(const RunResult& r, const std::string& workload_file) {
  const Workload w = load_workload(shipped(workload_file));
  CHECK(r.summary.macs == w.macs_per_image());
  CHECK(r.summary.energy_pj > 0);
  CHECK(r.summary.latency_s > 0);
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->adc_conversions > 0);
  CHECK(r.in_memory->adc_energy_share > 0);
  CHECK(r.in_memory->adc_energy_share < 1);
  CHECK(r.in_memory->crossbar_utilization > 0);
  CHECK(r.in_memory->crossbar_utilization <= 1);
}
}  // namespace

TEST_CASE("VGG-16 runs on ISAAC in reprogrammed segments", "[imc]") {
  const RunResult r = run_shipped("arch/isaac.yaml", "workloads/vgg16.yaml", 16);
  check_shipped_run(r, "workloads/vgg16.yaml");
  CHECK(r.in_memory->segments > 1);
  CHECK(r.in_memory->reprogram_s > 0);
  CHECK(r.summary.area_mm2 == Approx(85.425).epsilon(1e-3));
}

TEST_CASE("ResNet-50 runs on ISAAC with its weights resident", "[imc]") {
  const RunResult r = run_shipped("arch/isaac.yaml", "workloads/resnet50.yaml", 16);
  check_shipped_run(r, "workloads/resnet50.yaml");
  CHECK(r.in_memory->segments == 1);
}

TEST_CASE("VGG-16 runs on PUMA", "[imc]") {
  check_shipped_run(run_shipped("arch/puma.yaml", "workloads/vgg16.yaml", 16), "workloads/vgg16.yaml");
}

TEST_CASE("ResNet-50 runs on PUMA", "[imc]") {
  check_shipped_run(run_shipped("arch/puma.yaml", "workloads/resnet50.yaml", 16), "workloads/resnet50.yaml");
}

TEST_CASE("a network larger than a chip without weight reloading is an error naming the fix", "[imc]") {
  const ImcArch arch = imc_from_text(tiny_imc_yaml());
  const Workload w = workload_from_text(R"(network: two_fc
batch: 1
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 2}
  - {name: b, type: fc, C: 2, M: 2}
)");
  try {
    place_network(arch, w);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("weight_reload: true") != std::string::npos);
  }
}

namespace {

// Placing one FC whose weights are `weights` must fail on layer f, the
// message holding `why`.
void check_weights_refused(const std::string& weights, const std::string& why) {
  const ImcArch arch = imc_from_text(tiny_imc_yaml());
  const Workload w = workload_from_text(R"(network: refused_fc
batch: 1
input: {C: 4, H: 1, W: 1}
layers:
  - {name: f, type: fc, C: 4, M: 2, weights: )" + weights + "}\n");
  try {
    place_network(arch, w);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "layers.f");
    CHECK(e.message().find(why) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("float weights on crossbars are an error naming the layer", "[imc]") {
  check_weights_refused("{bits: 16, scheme: float}", "fixed-point");
}

// The hand-derived FC above, its weights in the log domain. A crossbar
// multiplies by the value a cell holds, so it stores each code +-2^k whole:
// power_of_two at 3 bits gives codes up to +-2^3, 5 bits signed, 3 columns of
// 2-bit cells (the 4-bit uniform weights took 2); log_radix4 at 2 bits gives
// up to +-4^1, 4 bits, 2 columns. 2 outputs: 6 and 4 columns read a read;
// the run of the first converts 6 columns at each of its 3 reads.
TEST_CASE("log-domain weights take the cell columns their codes need on a crossbar", "[imc]") {
  const ImcArch arch = imc_from_text(tiny_imc_yaml());
  const auto fc = [](const std::string& weights) {
    return workload_from_text(R"(network: one_fc
batch: 1
precision:
  weights: )" + weights + R"(
  inputs: {bits: 3, scheme: uniform_asymmetric}
  outputs: {bits: 8, scheme: uniform_asymmetric}
input: {C: 4, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 4, M: 2}
)");
  };
  const auto columns = [&](const std::string& weights) { return place_network(arch, fc(weights)).layers.at(0).columns_read; };
  CHECK(columns("{bits: 4, scheme: uniform_symmetric}") == 4);
  CHECK(columns("{bits: 3, scheme: power_of_two}") == 6);
  CHECK(columns("{bits: 2, scheme: log_radix4}") == 4);
  const LayerResult l = run_in_memory(arch, fc("{bits: 3, scheme: power_of_two}")).layers.at(0);
  CHECK(action(l, "adc", "convert").count == 18);
  CHECK(action(l, "sample_hold", "sample").count == 18);
}

TEST_CASE("codebook weights on crossbars are an error saying why", "[imc]") {
  check_weights_refused("{bits: 4, scheme: codebook}", "index into a table");
}

TEST_CASE("a bad ADC energy model is an error naming file, line and key", "[imc]") {
  try {
    imc_from_text(replace_all(tiny_imc_yaml(), "energy_model: table", "energy_model: guess"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "ima.adc.energy_model");
    CHECK(e.where().line == 19);
  }
}

TEST_CASE("the CSV of an in-memory run carries each stage's waits and crossbars", "[imc][cli]") {
  const auto dir = scratch_dir("imc_csv");
  const int code = qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + shipped("workloads/lenet5.yaml") +
                                  " --quiet --csv " + (dir / "r.csv").string(),
                              dir / "out.txt", dir / "err.txt");
  REQUIRE(code == 0);
  const std::string csv = read_file((dir / "r.csv").string());
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header.find("stall_input_cycles,stall_output_cycles,stall_memory_cycles") != std::string::npos);
  CHECK(header.find("crossbars,copies,imas,segment,adc_conversions") != std::string::npos);
  const auto rows = csv_rows(csv);
  REQUIRE(rows.size() == 7);
  const auto& conv1 = rows[0];
  CHECK(conv1.at("layer") == "conv1");
  CHECK(conv1.at("design") == "isaac");
  // A PE array's stall causes do not apply: empty, not a measured zero.
  CHECK(conv1.at("stall_dram_cycles").empty());
  CHECK(!conv1.at("stall_input_cycles").empty());
  // conv1 of LeNet-5: 25 rows x 6 weights of 4 cells fit one crossbar, copied for every position.
  CHECK(conv1.at("crossbars") == "1");
  CHECK(conv1.at("copies") == "784");
}

TEST_CASE("run rejects mapping files for an in-memory chip", "[imc][cli]") {
  const auto dir = scratch_dir("imc_cli");
  const int code = qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + shipped("workloads/lenet5.yaml") +
                                  " --mappings-out " + (dir / "m.yaml").string(),
                              dir / "out.txt", dir / "err.txt");
  CHECK(code == 2);
  CHECK(read_file((dir / "err.txt").string()).find("in-memory chip") != std::string::npos);
}

}  // namespace qnnsim::test
