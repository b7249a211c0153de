#pragma once
// ONNX import: translates a model's graph into a qnnsim workload trace.
// Constants and shape computations are folded first (constant_folding.h);
// then every node either becomes a layer (Conv, Gemm/MatMul, pooling, Add),
// is folded into its neighbours (ReLU and the other element-wise
// activations, Clip, BatchNormalization, Dropout, Identity, Flatten, a
// flattening Reshape, a Pad into the next layer's padding, SiLU and
// squeeze-excite products), or is an ImportError naming the node and its op
// type.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace qnnsim {

class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportOptions {
  std::string model_path;
  // C,H,W or N,C,H,W of the network input (N becomes the trace's batch);
  // N,T,F of a token sequence, N,T of token ids; with several inputs (all
  // token ids) N,T of each; empty: the model's own, which must then be
  // fully known.
  std::vector<int64_t> input_shape;
  // Written in place of the precision the graph gives, per layer name: the
  // flow-map fields after the shape (", weights: {...}, inputs: {...}"), as
  // `qnnsim quantize` calibrates them; `precision_note` (comment lines, each
  // starting "# ") then replaces the header's note on where widths come from.
  std::map<std::string, std::string> layer_precision = {};
  std::string precision_note = {};
  int accumulator_bits = 32;  // the default precision's accumulator width
};

struct ImportedTrace {
  std::string yaml;                // the workload trace
  int layers = 0;
  std::vector<std::string> notes;  // what the user should know about the translation
  // Whether QuantizeLinear / DequantizeLinear nodes with constant scales
  // quantize the model (QDQ): their scales can then be read (numerics/qdq_plan.h).
  bool qdq = false;
};

ImportedTrace import_onnx(const ImportOptions& options);

}  // namespace qnnsim
