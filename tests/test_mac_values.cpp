// MAC classes' values: a bit-serial unit (a bit per cycle, either operand
// serial), a Bit Fusion unit (2-bit bricks) and a lookup-table unit (weight
// bits indexing sums of inputs) form the same products as the
// integer multiplier on random layers at every width they take, signed and
// unsigned, summed over the layer as the accumulator does.
#include <catch2/catch.hpp>

#include <random>

#include "pe_array/scratchpad_array.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::unique_ptr<ArchSpec> with_mac(const std::string& mac) {
  return arch_from_text(replace_all(
      tiny_arch_yaml(), "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}", "mac: " + mac));
}

// Random codes of a width: two's complement when signed, else unsigned.
int64_t random_code(int bits, bool is_signed, std::mt19937& rng) {
  const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

}  // namespace

TEST_CASE("bit-serial, bit-fusion and lookup-table MACs give the integer product on random layers", "[mac][mac_values]") {
  std::mt19937 rng(2026);
  const char* units[] = {"{class: BitSerialMAC, serial: inputs, parallel_bits: 16, accumulator_bits: 48}",
                         "{class: BitSerialMAC, serial: weights, parallel_bits: 16, accumulator_bits: 48}",
                         "{class: BitFusionMAC, bricks: 64, accumulator_bits: 48}",
                         "{class: LookupTableMAC, inputs_per_table: 3, one_bit_inputs: 4, weights_per_table: 4, "
                         "input_bits: 16, weight_bits: 16, accumulator_bits: 48}"};
  for (const char* unit : units) {
    const auto arch = with_mac(unit);
    const MacSpec& mac = dynamic_cast<const ScratchpadArray&>(*arch->pe_array).mac();
    for (int trial = 0; trial < 40; ++trial) {
      LayerPrecision p;
      const int wbits = std::uniform_int_distribution<int>(2, 8)(rng);
      const int ibits = std::uniform_int_distribution<int>(2, 8)(rng);
      const bool wsigned = trial % 2 == 0, isigned = trial % 3 == 0;
      p.weights = {wbits, wsigned ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric, 1.0};
      p.inputs = {ibits, isigned ? Scheme::UniformSymmetric : Scheme::UniformAsymmetric, 1.0};
      p.outputs = p.inputs;
      p.accumulator = {48, Scheme::UniformSymmetric, 1.0};
      REQUIRE(mac.precision_problem(p).empty());
      // A layer of 6 outputs over 37 terms, including each extreme code.
      const int M = 6, K = 37;
      int64_t mismatched = 0;
      for (int m = 0; m < M; ++m) {
        int64_t unit_sum = 0, integer_sum = 0;
        for (int k = 0; k < K; ++k) {
          int64_t w = random_code(wbits, wsigned, rng), x = random_code(ibits, isigned, rng);
          if (k == 0) w = wsigned ? -(int64_t{1} << (wbits - 1)) : (int64_t{1} << wbits) - 1;
          if (k == 1) x = isigned ? -(int64_t{1} << (ibits - 1)) : (int64_t{1} << ibits) - 1;
          unit_sum += mac.product(w, x, p);
          integer_sum += w * x;
        }
        mismatched += unit_sum != integer_sum;
      }
      INFO(unit << ": " << wbits << "-bit " << (wsigned ? "signed" : "unsigned") << " weights, " << ibits << "-bit "
                << (isigned ? "signed" : "unsigned") << " inputs");
      CHECK(mismatched == 0);
    }
  }
}

TEST_CASE("an XNOR unit's popcount gives the sum of +-1 products", "[mac][mac_values]") {
  const auto arch = with_mac("{class: XnorMAC, width: 32, accumulator_bits: 16}");
  const MacSpec& mac = dynamic_cast<const ScratchpadArray&>(*arch->pe_array).mac();
  REQUIRE(mac.integer_overflow() == AccumulatorOverflow::Wrap);
  LayerPrecision p;
  p.weights = {1, Scheme::Binary, 1.0};
  p.inputs = {1, Scheme::Binary, 1.0};
  p.outputs = p.inputs;
  p.accumulator = {16, Scheme::UniformSymmetric, 1.0};
  REQUIRE(mac.precision_problem(p).empty());
  std::mt19937 rng(7);
  std::bernoulli_distribution coin(0.5);
  for (int n : {1, 37, 400, 4608}) {
    // The hardware's form: bits (c + 1) / 2, XNOR, popcount; 2 * popcount - n.
    int64_t unit_sum = 0, integer_sum = 0, popcount = 0;
    for (int k = 0; k < n; ++k) {
      const int64_t w = coin(rng) ? 1 : -1, x = coin(rng) ? 1 : -1;
      unit_sum += mac.product(w, x, p);
      integer_sum += w * x;
      popcount += ((w + 1) / 2) == ((x + 1) / 2);
    }
    INFO(n << " terms");
    CHECK(unit_sum == integer_sum);
    CHECK(unit_sum == 2 * popcount - n);
  }
}
