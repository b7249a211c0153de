// Import of an ONNX model: constants folded first, then the graph translated
// layer by layer (translator.h).
#include "importer/onnx_import.h"

#include <algorithm>

#include <fmt/format.h>

#include "importer/constant_folding.h"
#include "importer/translator.h"

namespace qnnsim {

ImportedTrace import_onnx(const ImportOptions& options) {
  // Fold constants and shape computations first, with the network input's
  // shape set so that ONNX's shape inference can resolve them.
  onnx_import::Graph raw(options.model_path);
  std::string input;
  const std::vector<int64_t> declared = raw.input_dims(&input);
  std::vector<int64_t> dims = options.input_shape.empty() ? declared : options.input_shape;
  // Three values are C,H,W, but for a rank-3 input of the graph's own: a
  // token sequence (batch, tokens, features), kept at rank 3 (Translator::read_input).
  // Two are token ids (batch, tokens), for a rank-2 input of the graph's own.
  const bool sequence = declared.size() == 3 && dims.size() == 3;
  const bool token_ids = declared.size() == 2 && dims.size() == 2;
  if (dims.size() == 3 && !sequence) dims.insert(dims.begin(), 1);
  if (dims.size() != (token_ids ? 2u : sequence ? 3u : 4u) ||
      std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 1; }))
    dims.clear();  // unknown: the translation says what it needs
  onnx::ModelProto model = raw.take_model();
  const onnx_import::FoldResult folded = onnx_import::fold_constants(model, input, dims);
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
