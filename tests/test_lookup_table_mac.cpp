// The lookup-table bit-serial MAC (UNPU's LBPE, models/mac/lookup_table_mac.cpp)
// on the tiny 4 x 4 spatial array, its counts and energies derived by hand
// from the Horowitz 45 nm table (configs/energy/horowitz_45nm.yaml):
//   int_add: 8 bit 0.03 pJ, 32 bit 0.1 pJ -> a(x) = 0.03 (x/8)^0.86848
//   register_file_per_bit 0.0526 pJ
// The unit: tables over 3 features of 8 bits (entries of 8 + 2 = 10 bits),
// 4 features at 1-bit weights, each table read by 12 weights.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

const char* kLutMac =
    "{class: LookupTableMAC, inputs_per_table: 3, one_bit_inputs: 4, weights_per_table: 12, input_bits: 8, "
    "weight_bits: 8, accumulator_bits: 32}";

std::string lut_arch_yaml(const std::string& mac = kLutMac) {
  std::string yaml = replace_all(tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}",
                                 "mac: " + mac);
  return replace_all(yaml, "class: SystolicArray", "class: SpatialArray");
}

LayerPrecision precision(int wbits) {
  LayerPrecision p;
  p.weights = {wbits, Scheme::UniformSymmetric, 1.0};
  p.inputs = {8, Scheme::UniformAsymmetric, 1.0};
  p.outputs = p.inputs;
  p.accumulator = {32, Scheme::UniformSymmetric, 1.0};
  return p;
}

double add_pj(double bits) { return 0.03 * std::pow(bits / 8.0, 0.86848); }

}  // namespace

TEST_CASE("a lookup-table MAC does 3 MACs per weight bit's cycle, and 4 at 1-bit weights", "[mac][lut]") {
  const auto a = arch_from_text(lut_arch_yaml());
  for (int bits : {2, 4, 8}) {
    INFO(bits << "-bit weights");
    const LayerPrecision p = precision(bits);
    REQUIRE(a->pe_array->precision_problem(p).empty());
    // A one-row pass of 99 MACs: 33 table reads of `bits` cycles each.
    CHECK(a->pe_array->pass_cycles(99, 1, 4, p) == 33u * static_cast<uint64_t>(bits));
    // 16 PEs x 3 MACs every `bits` cycles.
    CHECK(a->pe_array->peak_macs_per_cycle(p) == Approx(16.0 * 3 / bits).epsilon(1e-12));
  }
  // 1-bit weights: the signed table spans 4 features, 99 MACs in 25 reads.
  CHECK(a->pe_array->pass_cycles(99, 1, 4, precision(1)) == 25u);
  CHECK(a->pe_array->peak_macs_per_cycle(precision(1)) == Approx(64.0).epsilon(1e-12));
}

TEST_CASE("a lookup-table MAC's energy is its reads and adds per weight bit plus its table build shared by 12 weights",
          "[mac][lut]") {
  const auto a = arch_from_text(lut_arch_yaml());
  const double step = add_pj(10) + add_pj(32);  // a 10-bit entry selected (priced as an adder) and accumulated
  // 8 subset sums of 3 features: 4 adds (the sums of two and three), 7 entries
  // stored (the empty sum is a constant 0).
  const double subset_build = 4 * add_pj(10) + 7 * 10 * 0.0526;
  for (int bits : {2, 4, 8}) {
    INFO(bits << "-bit weights");
    const LayerPrecision p = precision(bits);
    CHECK(a->pe_array->action_energy_pj(a->pe_array->mac_action(p)) ==
          Approx((bits * step + subset_build / 12) / 3).epsilon(1e-4));
  }
  // 8 signed sums of 4 features: 3 adds for the first, 1 for each other; all 8 stored.
  const double signed_build = (3 + 7) * add_pj(10) + 8 * 10 * 0.0526;
  const LayerPrecision one = precision(1);
  CHECK(a->pe_array->action_energy_pj(a->pe_array->mac_action(one)) == Approx((step + signed_build / 12) / 4).epsilon(1e-4));
}

TEST_CASE("a lookup-table MAC reads a feature once a table and a partial sum once a group", "[mac][lut]") {
  const auto a = arch_from_text(lut_arch_yaml());
  // 120 MACs at 4-bit weights: 120 weight reads of 4 bits, 120 / 12 feature
  // reads, 120 / 3 partial-sum reads and writes.
  const auto four = a->pe_array->mac_accesses(120, 120, 120, precision(4));
  REQUIRE(four.size() == 4);
  CHECK(four[0].first.bits == 4);
  CHECK(four[0].second == 120);
  CHECK(four[1].first.bits == 8);
  CHECK(four[1].second == 10);
  CHECK(four[2].second == 40);
  CHECK(four[3].second == 40);
  // At 1-bit weights a group is 4 MACs; 121 MACs leave a part-filled group and table.
  const auto one = a->pe_array->mac_accesses(121, 121, 121, precision(1));
  CHECK(one[1].second == 11);
  CHECK(one[2].second == 31);
  CHECK(one[3].second == 31);
}

TEST_CASE("a lookup-table MAC array's peak follows from its ports and groups, not a table of rates", "[mac][lut][peak]") {
  // 16 ports x 3 MACs / 8 cycles at 8-bit weights, 2 ops each, at 1 GHz: 12 GOPS.
  const auto a = arch_from_text(lut_arch_yaml());
  CHECK(2.0 * a->pe_array->peak_macs_per_cycle(precision(8)) * a->tech.clock_hz / 1e9 == Approx(12.0).epsilon(1e-12));
}

TEST_CASE("a lookup-table MAC's bad keys name the file, the line and the key", "[mac][lut]") {
  SECTION("an unknown key") {
    const ConfigError e =
        arch_error(lut_arch_yaml(replace_all(kLutMac, "weights_per_table: 12", "weights_per_table: 12, table_entries: 8")));
    CHECK(e.where().file == "tiny_arch.yaml");
    CHECK(e.where().line == 15);
    CHECK(e.key_path() == "components.pe_array.mac.table_entries");
  }
  SECTION("a 1-bit table wider than its entries can hold") {
    const ConfigError e = arch_error(lut_arch_yaml(replace_all(kLutMac, "one_bit_inputs: 4", "one_bit_inputs: 5")));
    CHECK(e.where().line == 15);
    CHECK(e.key_path() == "components.pe_array.mac.one_bit_inputs");
    CHECK_THAT(e.message(), Catch::Contains("2^3 entries"));
  }
  SECTION("a missing key") {
    const ConfigError e = arch_error(lut_arch_yaml(replace_all(kLutMac, "weights_per_table: 12, ", "")));
    CHECK(e.key_path() == "components.pe_array.mac.weights_per_table");
  }
}

TEST_CASE("a lookup-table MAC refuses weights wider than its serial register", "[mac][lut]") {
  const auto a = arch_from_text(lut_arch_yaml());
  CHECK_THAT(a->pe_array->precision_problem(precision(9)), Catch::Contains("weights of up to 8 bits"));
}
