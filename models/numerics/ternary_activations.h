#pragma once
// Ternary activations (`--scheme ternary`, 2 bits): a stored tensor holds the
// codes -1 / 0 / +1 at one per-tensor scale alpha, real = alpha * code: sign(x)
// where |x| > delta, else 0. delta and alpha follow Ternary Weight Networks'
// rule (Li, Zhang and Liu, "Ternary Weight Networks", arXiv:1605.04711, 2016:
// delta = 0.7 * mean |x|, alpha = the mean |x| over |x| > delta),
// the rule the weight side uses (weight_schemes.cpp), here over every value of
// the tensor on the calibration images rather than over a layer's weights.
//
// Like a binary activation (binary_activations.h), the ternary code is the
// activation: a ReLU fused into the layer that writes the tensor is not
// applied and delta and alpha are taken on the values before it, as ternary
// networks quantize where a float network has its ReLU (after the ReLU the -1
// code would never occur). The image stays uniform (quant_plan.cpp). The
// next layer's integer MAC takes the codes -1 / 0 / +1 as they are; a trace
// carries alpha as `scale:` and delta as `threshold:`.
#include <cstdint>
#include <functional>
#include <vector>

#include "numerics/dataset.h"
#include "numerics/network.h"
#include "numerics/quant_params.h"

namespace qnnsim::numerics {

struct TernaryParams {
  double alpha = 0;  // the scale of a +-1 code
  double delta = 0;  // |x| above it is coded +-1
};

// TWN's rule over values that come in batches (one an image): `each_batch`
// hands every batch to the function it is given, and is called twice, once
// for delta (the mean |x| needs every value) and once for alpha.
using BatchVisitor = std::function<void(const std::function<void(const std::vector<float>&)>&)>;
TernaryParams twn_rule(const BatchVisitor& each_batch);
// The rule over one tensor's values.
TernaryParams twn_rule(const std::vector<float>& x);

// A ternary tensor's quantization: codes -1 .. +1, zero point 0. No value
// above delta (an all-zero tensor): every code is 0 and any alpha stands for it.
ActQuant ternary_act(const TernaryParams& p);

// Per listed tensor: TWN's delta and alpha over the first `images` of `data`,
// taken before the ReLU fused into the op that writes it.
std::vector<TernaryParams> ternary_params(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                          int64_t images);

}  // namespace qnnsim::numerics
