#pragma once
// The float reference: the network as trained, in single precision, one
// image at a time. It is also what calibration observes.
#include <vector>

#include "numerics/network.h"

namespace qnnsim::numerics {

// Every tensor's values for one image (input: pixels / 255, as the training
// script feeds them); the logits are tensors[net.output].
std::vector<std::vector<float>> run_float(const Network& net, const std::vector<float>& image);

}  // namespace qnnsim::numerics
