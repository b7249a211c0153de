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
  // empty: the model's own, which must then be fully known.
  std::vector<int64_t> input_shape;
};

struct ImportedTrace {
  std::string yaml;                // the workload trace
  int layers = 0;
  std::vector<std::string> notes;  // what the user should know about the translation
};

ImportedTrace import_onnx(const ImportOptions& options);

}  // namespace qnnsim
