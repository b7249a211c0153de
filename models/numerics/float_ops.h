#pragma once
// Relu, pools and Flatten on a tensor stored as floating-point values of a
// format (quant_params.h's ActQuant::format), the float counterpart of the
// quantized path's work on codes: the output stays in the input's format.
// Relu, max-pooling and Flatten pick or copy values, so nothing rounds; an
// average pool's mean is taken in double and rounded to the
// format, as a vector unit writing the tensor back would.
#include <vector>

#include "numerics/float_format.h"
#include "numerics/network.h"

namespace qnnsim::numerics {

// op: a relu, maxpool, avgpool or flatten reading x.
std::vector<double> float_pass(const Network& net, const NetOp& op, const FloatFormat& f, const std::vector<double>& x);

}  // namespace qnnsim::numerics
