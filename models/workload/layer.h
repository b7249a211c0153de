#pragma once
// One layer of a workload: its type, shapes and per-tensor precision. Every
// count (MACs, elements, vector ops) is derived from the shapes, never written.
//
// A token sequence (a transformer's activations) is C = features, H = tokens,
// W = 1: a linear layer applied to every token is a 1x1 convolution over H.
#include <cstdint>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "workload/activation_function.h"
#include "workload/precision.h"
#include "workload/vector_ops.h"

namespace qnnsim {

enum class LayerType {
  Conv, FC, DWConv, MaxPool, AvgPool, Add,
  Mul,                         // an element-wise product of two activations (a squeeze-excite channel scale)
  MatMul,                      // a product of two activations (attention): see Layer
  Softmax, LayerNorm, Gelu,    // vector-unit functions with exponentials, divisions, roots
  Transpose, Concat, Split,    // data movement: no operations, only buffer and DRAM traffic
  Pad,                         // data movement too: its producer's values with zeros around them
  KvCache,                     // a decoder's key or value cache in DRAM: see Layer
  Embedding,                   // rows of a table read by index (token ids): see Layer
};
const char* layer_type_name(LayerType t);
// Every type's name, comma-separated, for messages that list what a key takes.
std::string layer_type_names();
bool layer_uses_array(LayerType t);  // conv, fc, dwconv and matmul run on the MAC array
// A matmul's second operand takes the place of weights in the loop nest, but
// it is an activation another layer wrote: it differs per image, streams
// from DRAM like the inputs and is never resident.
bool layer_streams_weights(LayerType t);
// Transpose, concat, split, pad, a KV cache and an embedding lookup move
// data and compute nothing.
bool layer_moves_data(LayerType t);
// Softmax and layer norm normalise over the channels of each position: a
// tile of them holds every channel.
bool layer_normalizes_channels(LayerType t);
// Layers only the PE-array designs run (the in-memory and dataflow designs
// keep weights resident and have no units for these functions).
bool layer_is_transformer_only(LayerType t);
// Add and mul combine two producers value by value: the second of the same
// shape as the first, or one row broadcast to every position (broadcast_row).
bool layer_combines_two(LayerType t);

struct Shape {
  int64_t C = 0, H = 0, W = 0;
  int64_t volume() const { return C * H * W; }
  bool operator==(const Shape& o) const { return C == o.C && H == o.H && W == o.W; }
};

// What is known of a layer's weight values (from an imported model):
// informational, shown in the trace. The density that designs act on is
// precision.weights.density (a pruned layer's `weights: {density: D}`).
struct WeightStatistics {
  bool given = false;
  double density = 1;
  bool real_range = false, int_range = false;  // which ranges the trace gave
  double min = 0, max = 0;                     // real values
  int64_t int_min = 0, int_max = 0;            // stored integers (integer weights)
};

// A matmul multiplies, for each of `heads` (groups), a rows x inner matrix
// (its first producer) by an inner x cols matrix (its second): it is held as
// a grouped 1x1 convolution with G = heads, C = heads x inner, H = P = rows,
// M = heads x cols, whose weights come from the second producer. Its output
// is a sequence of `rows` tokens with heads x cols features.
//
// A kv_cache holds a decoder's keys (or values) of H positions, C features
// each, in DRAM: it appends its producer's `append` newest positions (P)
// and outputs the whole cache, which the attention's matmul then reads.
// It writes only what it appends; its output shape is the cache's.
//
// An embedding reads, for each of its P = H tokens, the row its id selects
// from a table of `entries` rows of M features held in DRAM: the ids are its
// input (C = 1 id per token, at inputs.bits), the rows are read at
// weights.bits, and only the rows the ids select are read, never the whole
// table. No MACs: the rows are copied to its output (M features x P tokens).
struct Layer {
  std::string name;
  LayerType type = LayerType::Conv;
  std::vector<std::string> from;  // producers; "input" is the network input
  SourceLocation where;           // where the layer is defined, for error messages

  // Input shape, filter, and the resulting output shape (P x Q, M channels).
  int64_t C = 0, H = 0, W = 0, M = 0, R = 1, S = 1;
  int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
  int64_t P = 0, Q = 0;
  int64_t entries = 0;  // an embedding: the rows of its table
  // An add or mul whose second producer is one row of C values per image,
  // applied at each of its H x W positions (an attention mask added to every
  // head's scores, a squeeze-excite scale multiplying every pixel's
  // channels): it reads those C values, not a second C x H x W tensor.
  bool broadcast_row = false;
  // Functions applied to every output value on its way out (an imported
  // SiLU, sigmoid, hard-swish ...), in order; ReLU is the requantizer's clamp.
  std::vector<ActivationFunction> activations;
  LayerPrecision precision;
  WeightStatistics weight_stats;
  bool inputs_density_given = false;  // only a layer fed by the network input may set it

  Shape input_shape() const { return {C, H, W}; }
  Shape output_shape() const { return type == LayerType::KvCache ? Shape{M, H, 1} : Shape{M, P, Q}; }

  // Per image.
  int64_t macs() const;
  int64_t weight_count() const;
  int64_t input_count() const;   // summed over all producers
  int64_t output_count() const { return M * P * Q; }  // values written (a KV cache: those appended)
  int64_t reduction_size() const { return (C / groups) * R * S; }  // K of the matrix view
  int64_t vector_ops() const;  // comparisons/adds/scales of pool layers, the adds or multiplies of add and mul
  // The vector unit's operations for `values` outputs of this layer; for a
  // layer that normalises over channels, `values` is whole positions (a
  // multiple of C), since some operations are per position.
  VectorOps vector_work(int64_t values) const;
  // The vector unit's operations for the activation functions of `values` outputs.
  VectorOps activation_work(int64_t values) const;
  // The width the layer reads its k-th producer at: a matmul's second
  // operand at the weights' width, everything else at the inputs'.
  int operand_bits(std::size_t k) const;
  // An embedding's ids must tell every row of its table apart: why its
  // inputs.bits cannot, or an empty string.
  std::string ids_problem() const;
};

}  // namespace qnnsim
