#pragma once
// The QuantizeLinear, DequantizeLinear and Clip nodes of a QDQ model, as
// evaluation reads them (network.h). On an activation, QuantizeLinear then
// DequantizeLinear pass the values on and say how the tensor is stored
// (GivenActivation); a Clip right before the QuantizeLinear narrows the codes
// to fewer bits than their 8-bit type (the form `qnnsim quantize --qdq`
// writes below 8 bits), and a Cast of the codes to their own type between the
// two (PyTorch's export) passes them on. On a constant, they make the weights: integer codes
// through DequantizeLinear (onnxruntime's form), or float weights through
// both (PyTorch's fake-quantization export); the weights are the dequantized
// values and their codes' width and scales a GivenWeights. A weight width
// below its type's is read from the model's metadata_props, key
// "qnnsim.weight_bits.<the DequantizeLinear's input>".
//
// Every inconsistency is an EvalError naming the file and the node: a
// DequantizeLinear whose scale or zero point is not its QuantizeLinear's, a
// tensor quantized twice differently, per-channel scales on an activation, a
// Clip that leaves a code range no width has.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "importer/onnx_graph.h"
#include "importer/qdq_params.h"
#include "numerics/network.h"

namespace qnnsim::numerics {

// A constant the quantization nodes computed: real values, in ONNX layout.
struct QdqConstant {
  std::vector<double> values;
  std::vector<int64_t> dims;
  std::optional<onnx_import::QdqParams> params;  // set once dequantized
  std::vector<int64_t> codes;                    // the integer codes, in the same layout
  int bits = 8;
};

class QdqNodes {
 public:
  QdqNodes(const onnx_import::Graph& g, const std::string& path);

  // Handles n if it is a QuantizeLinear, DequantizeLinear or Clip, aliasing
  // and annotating `net`'s tensors through `tensors`; false for any other op.
  bool node(const onnx::NodeProto& n, std::map<std::string, int>& tensors, Network& net);

  // The dequantized constant of this name, or nullptr.
  const QdqConstant* constant(const std::string& name) const;

  // Whether `name` holds integer codes a QuantizeLinear wrote (which only a
  // DequantizeLinear may read).
  bool codes(const std::string& name) const { return quantized_.count(name) > 0; }

  // The weights a DequantizeLinear gave, as a layer reads them: symmetric,
  // per channel only along `axis` (the output channels), M of them.
  GivenWeights weights(const std::string& name, const onnx::NodeProto& reader, int axis, int M) const;

 private:
  [[noreturn]] void fail(const std::string& node, const std::string& why) const;
  struct Clip {
    int tensor = -1;
    double lo = 0, hi = 0;
    std::string node;
  };
  // How an activation quantized by `p` (through `clip` where one narrows it) is stored.
  GivenActivation activation_codes(const onnx_import::QdqParams& p, const Clip* clip) const;
  // The width of integer weights: their type's, or the model's metadata's (see above).
  int weight_bits(const std::string& name, const onnx_import::QdqParams& p) const;
  struct Quantized {
    int tensor = -1;  // the activation quantized, or -1 for a constant
    onnx_import::QdqParams params;
    GivenActivation given;  // for an activation
    QdqConstant constant;   // for a constant (codes)
  };

  const onnx_import::Graph& g_;
  std::string path_;
  std::map<std::string, std::vector<std::string>> readers_;  // tensor -> op types of the nodes reading it
  std::map<std::string, Clip> clips_;
  std::map<std::string, Quantized> quantized_;
  std::map<std::string, QdqConstant> constants_;
};

}  // namespace qnnsim::numerics
