// Import of an ONNX model: constants folded first, then the graph translated
// layer by layer (translator.h).
#include "importer/onnx_import.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "importer/constant_folding.h"
#include "importer/translator.h"

namespace qnnsim {

namespace {

// The dims an input is folded with: --input-shape where given (with several
// inputs, each token-id input's), else the model's own. Three values are
// C,H,W, but for a rank-3 input of the graph's own: a token sequence (batch,
// tokens, features), kept at rank 3 (Translator::read_input). Two are token
// ids (batch, tokens), for a rank-2 input of the graph's own. Empty where
// unknown: the translation says what it needs.
std::vector<int64_t> folding_dims(const std::vector<int64_t>& declared, const std::vector<int64_t>& given) {
  std::vector<int64_t> dims = given.empty() ? declared : given;
  const bool sequence = declared.size() == 3 && dims.size() == 3;
  const bool token_ids = declared.size() == 2 && dims.size() == 2;
  if (dims.size() == 3 && !sequence) dims.insert(dims.begin(), 1);
  if (dims.size() != (token_ids ? 2u : sequence ? 3u : 4u) ||
      std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
    dims.clear();
  return dims;
}

}  // namespace

ImportedTrace import_onnx(const ImportOptions& options) {
  // Fold constants and shape computations first, with the network inputs'
  // shapes set so that ONNX's shape inference can resolve them.
  onnx_import::Graph raw(options.model_path);
  // With several inputs, --input-shape is N,T of each (token ids); any
  // other is left for the translation to refuse, the model's own dims kept.
  const std::vector<onnx_import::GraphInput> inputs = raw.inputs();
  const bool several = inputs.size() > 1;
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const onnx_import::GraphInput& in : inputs)
    shapes[in.name] = folding_dims(in.dims, several && options.input_shape.size() != 2 ? std::vector<int64_t>{}
                                                                                        : options.input_shape);
  onnx::ModelProto model = raw.take_model();
  const onnx_import::FoldResult folded = onnx_import::fold_constants(model, shapes);
  const onnx_import::Graph g(std::move(model));
  ImportedTrace t = onnx_import::Translator(g, options).run();
  if (!folded.inference_error.empty())
    t.notes.push_back("ONNX shape inference gave up (" + folded.inference_error +
                      "); only shapes the import computes itself were used");
  if (folded.folded > 0)
    t.notes.push_back(fmt::format("{} nodes computing constants or shapes folded before translation ({})", folded.folded,
                                  fmt::join(folded.ops, ", ")));
  return t;
}

}  // namespace qnnsim
