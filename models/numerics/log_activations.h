#pragma once
// Power-of-two (log) activations (`--scheme power_of_two`, the name the
// weight side uses): a stored tensor holds 0 or 2^e, e one of the 2^b - 1
// exponents just below the full-scale range, as Miyashita, Lee and Murmann
// quantize activations ("Convolutional Neural Networks using Logarithmic Data
// Representation", arXiv:1603.01025, 2016, sec. 3: LogQuant(x) = 0 for x = 0,
// else 2^Clip(Round(log2 x), FSR - 2^b, FSR), where Clip gives 0 at or below
// its minimum and FSR - 1 at or above FSR). So e runs from
// e_min = FSR - 2^b + 1 to e_max = FSR - 1, and a value whose rounded
// exponent is below e_min is 0. Rounding is in the log domain, half up:
// x >= 2^(e - 1/2) takes e at least.
//
// The values are non-negative, as after a ReLU (the paper quantizes ReLU
// outputs): the ReLU stays, and a negative value, which only a tensor written
// without one would hold, is refused where the network is planned.
//
// FSR is calibrated per tensor: e_max is the rounded log2 of the top of the
// range the calibration method picks (min-max: the largest value seen;
// percentile; mse: the e_max whose log quantization errs least on the samples).
//
// Integer path: the code a stored tensor holds is the integer the next layer's
// MAC multiplies, 0 or 2^(e - e_min), at scale 2^e_min; a product with an
// integer weight code is then that weight shifted left by e - e_min, exact,
// as in the paper's log-domain inputs on linear weights. The b-bit log code a
// memory holds (the trace's `bits:`) decodes to a (2^b - 1)-bit integer, so
// wide codes make wide sums: at 5 bits the largest is 2^30, and every product
// must fit the accumulator (quant_network.cpp refuses a layer where one
// product of its largest weight code and the largest input code would not);
// sums past the accumulator wrap or saturate as `--overflow` says, counted in
// the overflow column like any other. At 6 bits and more the largest code is
// 2^62 and two such products pass 64 bits, the widest accumulator eval runs,
// so widths 6 to 8 are refused (log_width_problem).
#include <cstdint>
#include <string>

#include "numerics/quant_params.h"

namespace qnnsim::numerics {

// The widest log activation eval runs: its largest code, 2^(2^5 - 2) = 2^30,
// is the largest power of two an int32 code holds.
constexpr int kMaxLogActivationBits = 5;

// "" when eval runs power-of-two activations of `bits`, else why not.
std::string log_width_problem(int bits);

// The largest shift, e_max - e_min = 2^bits - 2.
int log_top_shift(int bits);

// The quantization with smallest exponent e_min at a width: scale 2^e_min,
// codes 0 and 1 .. 2^(2^bits - 2).
ActQuant log_act(int e_min, int bits);

// The same, e_max the rounded log2 of `hi` (the top of a calibrated range);
// hi <= 0 (an all-zero tensor) takes e_max = 0, any exponent standing for it.
ActQuant log_act_for_range(double hi, int bits);

// a's code for v (a.log): 0 for v <= 0, NaN and below e_min, else 2^(e - e_min), e clipped at e_max.
int32_t log_code(const ActQuant& a, double v);

}  // namespace qnnsim::numerics
