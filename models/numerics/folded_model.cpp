#include "numerics/folded_model.h"

#include <algorithm>

#include "importer/constant_folding.h"
#include "importer/onnx_graph.h"

namespace qnnsim::numerics {

onnx::ModelProto folded_model(const std::string& path) {
  onnx_import::Graph raw(path);
  std::string input;
  std::vector<int64_t> dims = raw.input_dims(&input);
  if (dims.size() == 4 && dims[0] < 1) dims[0] = 1;  // one image at a time
  if (dims.size() != 4 || std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; })) dims.clear();
  onnx::ModelProto model = raw.take_model();
  onnx_import::fold_constants(model, input, dims);
  return model;
}

}  // namespace qnnsim::numerics
