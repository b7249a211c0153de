#pragma once
// Binary activations (`--scheme binary`): a stored tensor holds sign(x) as the
// codes -1 / +1 (x >= 0 -> +1) and one per-tensor scale alpha, real = alpha *
// code. alpha is the mean |x| over the calibration images, the scale XNOR-Net
// gives a binarized input (Rastegari et al., "XNOR-Net", ECCV 2016, sec. 3.2:
// the L1 mean of the values is the best scale of their sign in least squares).
// The next layer's integer MAC takes the codes -1 / +1 as they are.
//
// The sign is the activation: a ReLU fused into the layer that writes a binary
// tensor is not applied (sign(relu(x)) would be +1 everywhere), so both the
// sign and alpha are taken on the layer's output before the ReLU, as binary
// networks put sign where a float network has its ReLU (Hubara et al.,
// "Binarized Neural Networks", NeurIPS 2016). The image stays uniform
// (quant_plan.cpp), as BNNs keep their first layer's input in full precision.
#include <cstdint>
#include <functional>
#include <vector>

#include "numerics/dataset.h"
#include "numerics/network.h"
#include "numerics/quant_params.h"

namespace qnnsim::numerics {

// A binary tensor's quantization at scale `alpha`: codes -1 .. +1, zero point 0.
ActQuant binary_act(double alpha);

// mean |v| (0 when empty).
double mean_abs(const std::vector<float>& v);

// Calls `visit` with tensor `t`'s values for each of the first `images` of
// `data`, taken before the ReLU fused into the op that writes it (the float
// network otherwise unchanged): what a sign-coded activation (binary here,
// ternary in ternary_activations.h) is taken of.
void visit_pre_relu(const Network& net, const Dataset& data, int t, int64_t images,
                    const std::function<void(const std::vector<float>&)>& visit);

// Per listed tensor, alpha: the mean |x| over the first `images` of `data`,
// x taken before the ReLU fused into the op that writes it (the float network
// otherwise unchanged).
std::vector<double> binary_scales(const Network& net, const Dataset& data, const std::vector<int>& tensors,
                                  int64_t images);

}  // namespace qnnsim::numerics
