#pragma once
// An ONNX model as evaluation reads it: constants and shape computations
// folded (importer/constant_folding.h), one image at a time (batch 1).
// `qnnsim eval` reads this model, and `qnnsim quantize --qdq` writes its
// QuantizeLinear / DequantizeLinear pairs into it, so that both name the same
// tensors.
#include <string>

#include <onnx/onnx_pb.h>

namespace qnnsim::numerics {

// Throws ImportError (importer/onnx_import.h) on a model it cannot read.
onnx::ModelProto folded_model(const std::string& path);

}  // namespace qnnsim::numerics
