// Embedding lookups: a Gather of the rows of a constant table, the way a
// BERT or GPT-2 export starts (token ids -> Gather of the word table, plus
// the position and segment tables). Each becomes an embedding layer that
// reads one row per token (workload/layer.h); the table itself stays in
// DRAM and is never read whole.
#include <fmt/format.h>

#include "importer/tensor_values.h"
#include "importer/translator.h"

namespace qnnsim::onnx_import {

namespace {

// The fewest bits that tell `entries` rows apart: the width the ids are
// stored at. The model's int64 is the exporter's type, not a width a
// lookup's index needs (and a trace takes at most 16-bit inputs).
int id_bits(int64_t entries) {
  int bits = 1;
  while ((int64_t{1} << bits) < entries) ++bits;
  return bits;
}

}  // namespace

void Translator::lookup(const onnx::NodeProto& n, const Constant& table) {
  const std::string what = Graph::describe(n);
  const onnx::TensorProto& t = *table.init;
  if (t.dims_size() != 2 || Graph::int_attr(n, "axis", 0) != 0)
    throw ImportError(what + fmt::format(": a Gather from a constant is supported as an embedding lookup, rows "
                                         "(axis 0) of a table of rank 2; '{}' has rank {} and the axis is {}",
                                         t.name(), t.dims_size(), Graph::int_attr(n, "axis", 0)));
  const int64_t entries = t.dims(0), features = t.dims(1);
  if (entries < 1 || features < 1) throw ImportError(what + ": the table '" + t.name() + "' is empty");
  if (id_bits(entries) > 16)
    throw ImportError(what + fmt::format(": a table of {} entries needs {}-bit ids; a trace's inputs take at most 16 bits",
                                         entries, id_bits(entries)));
  if (n.input_size() < 2 || n.input(1).empty()) throw ImportError(what + " has no indices (input 1)");

  const Activation* ids = nullptr;
  std::vector<int64_t> out;
  if (is_activation(n.input(1))) {
    // Token ids the network computes or takes as its input: one row per id.
    ids = &activation(n, 1);
    out = dims_of(*ids);
  } else if (const auto c = constant(n.input(1))) {
    // Ids that are constants of the model (positions 0..T-1, one segment):
    // looked up for every image, one per token of the network input, and
    // read like the token ids.
    if (input_.dims.size() != 2)
      throw ImportError(what + ": a lookup of constant ids follows the tokens of a network input of token ids "
                               "(batch, tokens); this network's input is not one");
    const std::vector<double> v = tensor_values(*c->init, what + ": indices");
    if (static_cast<int64_t>(v.size()) != input_.H)
      throw ImportError(what + fmt::format(": {} constant ids, but the network input has {} tokens; a lookup of "
                                           "constant ids must select one row per token",
                                           v.size(), input_.H));
    for (double d : v) {
      const int64_t id = to_int64(d, what + ": indices");
      if (id < -entries || id >= entries)
        throw ImportError(what + fmt::format(": id {} is outside the table '{}' of {} entries", id, t.name(), entries));
    }
    ids = &input_;
    out = {batch_, input_.H};
  } else {
    throw ImportError(what + ": the indices '" + n.input(1) + "' are neither an activation nor a constant");
  }
  out.push_back(features);
  const Activation rows = sequence(n, out);
  const int64_t tokens = rows.H;
  if (ids->C * ids->H * ids->W != tokens)
    throw ImportError(what + fmt::format(": {} ids per image do not give one row per token of the output ({} tokens)",
                                         ids->C * ids->H * ids->W, tokens));
  Record& r = emit(n, fmt::format("type: embedding, entries: {}, features: {}, tokens: {}", entries, features, tokens),
                   {ids}, rows);
  r.weights = table.q;
  r.inputs = Quantized{id_bits(entries), Scheme::UniformAsymmetric};
  r.stats = onnx_import::weight_stats(t, t.name(), table.dq);
}

}  // namespace qnnsim::onnx_import
