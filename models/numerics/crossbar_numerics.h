#pragma once
// A Conv / Gemm layer's integer product computed the way an in-memory
// crossbar design computes it (ISAAC: A. Shafiee et al., ISCA 2016; PUMA:
// A. Ankit et al., ASPLOS 2019):
//
//  - Weights (the layer's integer codes, each a W-bit two's-complement value:
//    W-bit symmetric codes, or a non-uniform scheme's codes at the width
//    workload/precision.h's integer_code_bits gives) are made non-negative, by an
//    offset of 2^(W-1) (ISAAC's encoding, subtracted digitally as 2^(W-1) x the
//    sum of the inputs) or as a differential pair of columns (positive and
//    negative parts), and sliced into ceil(W / bits_per_cell) cells of
//    bits_per_cell bits each, one column per slice.
//  - The K rows of the reduction are split into crossbars of `rows` rows;
//    each crossbar's partial sums are digitized separately and added digitally.
//  - Inputs (the layer's A-bit activation codes, made non-negative by
//    subtracting the lowest code) are streamed dac_bits at a time, LSBs first.
//  - Each column's sum over its crossbar's rows, in units of one cell level x
//    one DAC level, goes through an ADC of adc_bits: rounded to an integer
//    code and saturated to 0 .. 2^adc_bits - 1 (the full scale ISAAC sizes its
//    ADC to). A conversion clips when the sum was outside that range.
//  - With flipped columns (ISAAC's encoding), a column whose cell levels sum
//    to more than half of the crossbar's largest is stored as (2^b - 1 - level)
//    with a flag, and the digital side takes (2^b - 1) x (the sum of the DAC
//    levels) minus the ADC's value: the analog sum then never exceeds half the
//    range, so one ADC bit less suffices.
//  - Shift-and-add: every conversion is shifted by its slice's and its input
//    step's place value and added in 64 bits.
// With ideal devices and an ADC wide enough for every column sum the result
// equals the exact integer product (a test holds it).
#include <cstdint>
#include <string>
#include <vector>

#include "numerics/conv_shape.h"
#include "numerics/device_options.h"

namespace qnnsim::numerics {

// What the design fixes (from its arch file, see crossbar_design.h).
struct CrossbarDesign {
  int rows = 128;
  int bits_per_cell = 2;
  int dac_bits = 1;
  int adc_bits = 8;
  bool differential = false;  // signed weights as column pairs; false: ISAAC's offset
  bool flipped_columns = false;
  int columns_per_adc = 128;  // adjacent columns that share one ADC (and its offset)
  // An XNOR-SRAM macro (cell: xnor_sram; xnor_sram_numerics.h): +1/-1 cells
  // and a flash ADC of adc_levels codes adc_step column-sum units apart,
  // centred on zero. The slicing fields above do not apply to it.
  bool xnor_sram = false;
  int adc_levels = 0, adc_step = 1;
};

// Conversions of one layer over a run.
struct ConversionCounts {
  int64_t conversions = 0, clipped = 0;
};

// One layer's weights written into crossbars (with its device draws).
class ProgrammedLayer {
 public:
  // weights: M x K codes, each within the two's-complement range of
  // `weight_bits` (1 to 32; an EvalError otherwise); `layer` keys the random draws.
  ProgrammedLayer(const CrossbarDesign& d, const DeviceOptions& dev, const Matrix<int32_t>& weights, int weight_bits,
                  uint64_t layer);

  // The M x P sums sum_k w[m,k] * x[k,p] as the design computes them. cols:
  // K x P input codes, each in low .. low + 2^input_bits - 1. `image` keys
  // the read-noise draws.
  Matrix<int64_t> multiply(const Matrix<int32_t>& cols, int32_t low, int input_bits, uint64_t image,
                           ConversionCounts* counts) const;

  int weight_bits() const { return W_; }
  // Cell columns one weight takes: its slices, twice over when differential.
  int columns_per_weight() const { return Q_; }
  // Empty when multiply() is exact for inputs of `input_bits` (its digital
  // shift-and-add, taken in double, stays below 2^53), else why not.
  std::string inexact_for(int input_bits) const;

 private:
  struct Chunk {
    int k0 = 0, rows = 0;
    Matrix<float> g;             // (Q * M) x rows conductances, in cell-level steps; row q * M + m
                                 // is output channel m's slice group q
    Matrix<float> g2;            // their squares, for read noise
    std::vector<uint8_t> flip;   // per column
    bool any_flip = false;
    std::vector<float> offset;   // per column: its ADC's offset, LSBs
  };

  CrossbarDesign d_;
  DeviceOptions dev_;
  int M_ = 0, K_ = 0, Q_ = 0, W_ = 0;
  uint64_t layer_ = 0;
  std::vector<int> shift_;  // per column group q: the slice's place value, bits
  std::vector<int> sign_;   // per column group q: +1, or -1 for a differential pair's negative part
  std::vector<Chunk> chunks_;
  std::vector<int64_t> weight_sums_;  // sum_k w[m,k]
};

}  // namespace qnnsim::numerics
