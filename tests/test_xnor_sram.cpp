// XNOR-SRAM crossbars (cell: xnor_sram): a tiny binary layer's actions and
// energies derived by hand, the clipping of a flash ADC with fewer levels than
// the column sums, and the errors a bad macro config or a wide weight gets.
#include <catch2/catch.hpp>

#include "converter/adc_spec.h"
#include "design/fresh_kernel.h"
#include "imc/imc_arch.h"
#include "imc/imc_run.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// One tile, one IMA, one 8 x 4 XNOR-SRAM macro at 1 V: 10 kOhm paths, the
// wordlines on 4 ns of each 10 ns read, 1 fJ a row's wordline pair; two
// 5-level flash ADCs (2 columns each), codes 2 sum units apart, 2 fJ a
// comparator. Digital parts and I/O fast enough never to bind.
const char* kTinyXnor = R"(name: tiny_xnor
kind: in_memory
technology: {node: 65 nm, clock: 1 GHz}
execution: layer_pipelined
chip:
  tiles: 1
  router: {tiles_per_router: 1, link_width: 1024 bit, power: 1 mW, area: 0.01 mm2}
  io: {width: 1024 bit, data_rate: 1000 GT/s, power: 1 W, area: 1 mm2}
tile:
  imas: 1
  edram: {size: 64 KiB, width: 1024 bit, power: 1 mW, area: 0.1 mm2}
  bus: {width: 1024 bit, power: 1 mW, area: 0.1 mm2}
ima:
  crossbars: 1
  crossbar: {cell: xnor_sram, rows: 8, cols: 4, read_time: 10 ns, supply: 1 V, path_resistance: 10 kOhm,
             evaluation_time: 4 ns, area: 0.001 mm2}
  dac: {bits: 1, energy: 1 fJ, area: 0.0001 mm2}
  adc: {bits: 3, levels: 5, step: 2, energy_model: flash, comparator_energy: 2 fJ, sample_rate: 1 GS/s,
        columns_per_adc: 2, area: 0.001 mm2}
)";

ImcArch xnor_from_text(const std::string& yaml) {
  return load_imc_arch(ConfigNode::load_string(yaml, "tiny_xnor.yaml"));
}

ConfigError xnor_error(const std::string& yaml) {
  try {
    xnor_from_text(yaml);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

}  // namespace

// A binary FC of 6 inputs x 3 outputs, batch 2, on the tiny macro:
//   6 rows <= 8 and 3 weights <= 4 columns (one cell a weight): one macro,
//   6 rows driven, 3 columns read, 18 cells; 1-bit inputs: one read an input.
//   Reads: 2 images x 1 = 2. Row activations (wordline pairs): 2 x 6 = 12.
//   ADC conversions: 2 x 3 = 6. No sample-and-hold: no samples.
//   Step: 2 ADCs for 4 columns; 3 columns read -> 2 for the busiest ADC,
//   2 x 1 ns < 10 ns read: 10 ns; 2 reads = 20 ns = 20 cycles at 1 GHz.
//   Bitline divider: V^2 t (n - 1) / (4 R) a column = 1 x 4 ns x 5 / 40 kOhm
//     = 0.5 pJ; 3 columns = 1.5 pJ a read; 2 reads = 3.0 pJ.
//   Wordlines: 12 x 1 fJ = 0.012 pJ. ADC: (5 - 1) comparators x 2 fJ = 8 fJ
//     a conversion, x 6 = 0.048 pJ.
//   Bits needed: an 8-row column sums to one of 9 values: 4 bits; 5 levels
//     are 2.32 bits: a warning. Clipping: the codes reach (2 + 1/2) x 2 = 5;
//     a 6-row sum 2k - 6 clips at k = 0 or 6: 2 / 64 = 3.125%.
TEST_CASE("an XNOR-SRAM macro's actions on a tiny binary layer match the hand derivation", "[imc][xnor]") {
  const ImcArch arch = xnor_from_text(kTinyXnor);
  const Workload w = workload_from_text(R"(network: one_binary_fc
batch: 2
precision:
  weights: {bits: 1, scheme: binary}
  inputs: {bits: 1, scheme: binary}
  outputs: {bits: 1, scheme: binary}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 6, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 6, M: 3}
)");
  const RunResult r = run_in_memory(arch, w);
  const LayerResult& l = r.layers.at(0);
  CHECK(action(l, "crossbar", "read").count == 2);
  CHECK(action(l, "dac", "convert").count == 12);
  CHECK(action(l, "adc", "convert").count == 6);
  CHECK(action_count(l, "sample_hold", "sample") == 0);
  CHECK(action(l, "crossbar", "read").energy_pj == Approx(3.0).epsilon(1e-9));
  CHECK(action(l, "dac", "convert").energy_pj == Approx(0.012).epsilon(1e-9));
  CHECK(action(l, "adc", "convert").energy_pj == Approx(0.048).epsilon(1e-9));
  CHECK(l.compute_cycles == 20);
  REQUIRE(l.in_memory);
  CHECK(l.in_memory->crossbars == 1);
  CHECK(l.in_memory->adc_bits_needed == 4);
  CHECK(l.in_memory->adc_clip_fraction == Approx(2.0 / 64.0).epsilon(1e-12));
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->adc_conversions == 6);
  REQUIRE(r.in_memory->warnings.size() == 2);
  CHECK(r.in_memory->warnings[0].find("5 levels") != std::string::npos);
  CHECK(r.in_memory->warnings[1].find("layer fc: 3.1") != std::string::npos);
}

// The same layer with ternary inputs (2 bits): a row's wordline pair drives
// +1, -1 or neither, so an input vector is still one read (2 reads, 20
// cycles); with 2-bit uniform inputs it goes in two 1-bit planes (4 reads).
TEST_CASE("ternary inputs take one XNOR-SRAM read and uniform ones a read a bit", "[imc][xnor]") {
  const ImcArch arch = xnor_from_text(kTinyXnor);
  const std::string layer = R"(network: one_fc
batch: 2
precision:
  weights: {bits: 1, scheme: binary}
  inputs: {bits: 2, scheme: SCHEME}
  outputs: {bits: 2, scheme: ternary}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 6, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 6, M: 3}
)";
  const RunResult ternary = run_in_memory(arch, workload_from_text(replace_all(layer, "SCHEME", "ternary")));
  CHECK(action(ternary.layers.at(0), "crossbar", "read").count == 2);
  CHECK(action(ternary.layers.at(0), "adc", "convert").count == 6);
  CHECK(ternary.layers.at(0).compute_cycles == 20);
  install_fresh_systemc_kernel();  // a second simulation in this process
  const RunResult uniform = run_in_memory(arch, workload_from_text(replace_all(layer, "SCHEME", "uniform_symmetric")));
  CHECK(action(uniform.layers.at(0), "crossbar", "read").count == 4);
  CHECK(uniform.layers.at(0).compute_cycles == 40);
}

TEST_CASE("a signed column sum clips past the flash ADC's outermost code, exactly", "[imc][xnor]") {
  // 4 rows, sums -4, -2, 0, 2, 4 with weights 1, 4, 6, 4, 1 (/16).
  CHECK(signed_sum_clip_fraction(4, 3, 1) == Approx(10.0 / 16.0).epsilon(1e-12));  // reach 1.5: only 0 fits
  CHECK(signed_sum_clip_fraction(4, 3, 2) == Approx(2.0 / 16.0).epsilon(1e-12));   // reach 3: +/-4 clip
  CHECK(signed_sum_clip_fraction(4, 5, 2) == 0.0);                                 // reach 5: nothing clips
}

TEST_CASE("a bad key in an XNOR-SRAM macro is an error naming file, line and key", "[imc][xnor]") {
  const ConfigError unknown =
      xnor_error(replace_all(kTinyXnor, "evaluation_time: 4 ns,", "evaluation_time: 4 ns, bitline_cap: 1 V,"));
  CHECK(unknown.where().file == "tiny_xnor.yaml");
  CHECK(unknown.where().line == 16);
  CHECK(unknown.key_path() == "ima.crossbar.bitline_cap");

  const ConfigError longer = xnor_error(replace_all(kTinyXnor, "evaluation_time: 4 ns", "evaluation_time: 12 ns"));
  CHECK(longer.key_path() == "ima.crossbar.evaluation_time");
  CHECK(longer.where().line == 16);

  const ConfigError rram_key = xnor_error(replace_all(kTinyXnor, "supply: 1 V,", "supply: 1 V, r_on: 10 kOhm,"));
  CHECK(rram_key.key_path() == "ima.crossbar.r_on");

  const ConfigError levels = xnor_error(replace_all(kTinyXnor, "energy_model: flash, comparator_energy: 2 fJ",
                                                    "energy_model: table, power: 1 mW"));
  CHECK(levels.key_path() == "ima.adc.levels");
  CHECK(levels.where().line == 18);

  const ConfigError wide_dac = xnor_error(replace_all(kTinyXnor, "dac: {bits: 1,", "dac: {bits: 2,"));
  CHECK(wide_dac.key_path() == "ima.dac.bits");
}

TEST_CASE("multi-bit weights on an XNOR-SRAM macro are an error naming the layer", "[imc][xnor]") {
  const ImcArch arch = xnor_from_text(kTinyXnor);
  const Workload w = workload_from_text(R"(network: wide
batch: 1
precision:
  weights: {bits: 4, scheme: uniform_symmetric}
  inputs: {bits: 1, scheme: binary}
  outputs: {bits: 1, scheme: binary}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 6, H: 1, W: 1}
layers:
  - {name: f, type: fc, C: 6, M: 3}
)");
  try {
    run_in_memory(arch, w);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "layers.f");
    CHECK(e.message().find("binarize") != std::string::npos);
  }
}

TEST_CASE("an RRAM crossbar may not leave out its sample-and-hold nor give its ADC a level count", "[imc][xnor]") {
  // Only an XNOR-SRAM macro's ADC reads the settled bitline itself, and only
  // its flash ADC counts levels apart from bits; an RRAM design that did
  // either would lose the sample-and-hold's costs, or carry two resolutions.
  const ConfigError no_sample_hold =
      xnor_error(replace_all(tiny_imc_yaml(), "  sample_hold: {power: 1 uW, area: 0.0001 mm2}\n", ""));
  CHECK(no_sample_hold.key_path() == "ima.sample_hold");
  CHECK(no_sample_hold.where().line > 0);

  const ConfigError levels = xnor_error(replace_all(tiny_imc_yaml(), "energy_model: table, power: 2 mW",
                                                    "energy_model: flash, comparator_energy: 2 fJ, levels: 11"));
  CHECK(levels.key_path() == "ima.adc.levels");
  CHECK(levels.where().line > 0);
}

}  // namespace qnnsim::test
