#pragma once
// The translation of an ONNX graph (constants already folded) into trace
// layers, node by node in data order. Each activation tensor is tracked by the
// layer that produced it, its shape (C, H, W), any padding a Pad owes the next
// layer and, once a quantization node has said so, its width and scheme.
// Constants are tracked the same way, so quantized weights are found through
// their QuantizeLinear / DequantizeLinear / Quant nodes. Ops that do not move
// data through the accelerator pass the tracking through. Split over
// translator.cpp (tensors, dispatch, widths), translate_layers.cpp (layers),
// translate_ops.cpp (folded ops), translate_sequence.cpp (transformer ops on
// token sequences), translate_einsum.cpp (Einsum), translate_layer_norm.cpp
// (a decomposed layer norm), translate_inputs.cpp (several token-id inputs
// and an attention mask) and trace_writer.cpp (the YAML).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "importer/onnx_graph.h"
#include "importer/onnx_import.h"
#include "importer/quant_info.h"
#include "importer/weight_stats.h"

namespace qnnsim::onnx_import {

// Strides, pads, dilations, kernels and groups past this are malformed (the
// trace's own limits are far lower); bounding them keeps the shape
// arithmetic below from overflowing.
constexpr int64_t kMaxAttribute = int64_t{1} << 20;

struct Activation {
  std::vector<std::string> producers;  // layer names, or "input"; several for a concatenation
  int64_t C = 0, H = 1, W = 1;
  std::optional<Quantized> q;
  // Zero padding a Pad node put around H and W, owed to the convolution or
  // pooling that reads the tensor next (which takes it as its own padding).
  int64_t pad = 0;
  std::string pad_node;
  // The ONNX shape, batch included, where it is not N,C,H,W (token
  // sequences, attention heads); empty for N,C,H,W.
  std::vector<int64_t> dims;
  // A GELU's output: the producers of the x it is a function of, so that
  // the Erf form's x * (1 + erf(x / sqrt 2)) / 2 is the GELU itself.
  std::vector<std::string> function_of;
  const onnx::NodeProto* pad_proto = nullptr;  // the Pad owed (pad_node), a layer if the reader takes no padding
};

// A tensor inside a decomposed layer norm of activation `of`: its mean (or
// variance, or standard deviation: a statistic), x minus the mean
// (centred), or that squared.
struct NormPart {
  enum class Kind { Statistic, Centred, Squares } kind;
  std::string of;  // the activation tensor being normalised
};

// Batched matrix products: `batches` of a rows x inner by an inner x cols matrix.
struct MatrixProduct {
  int64_t batches = 1, rows = 1, inner = 1, cols = 1;
};

struct Constant {
  const onnx::TensorProto* init = nullptr;
  std::optional<Quantized> q;
  std::optional<Dequantization> dq;  // how integer values map to real ones, where the graph says
};

// One layer of the trace, written out at the end once every width is known.
struct Record {
  std::string name, fields;
  std::string onnx_node;  // the node's own name where the layer's differs
  std::vector<std::string> from;
  std::optional<WeightStats> stats;
  std::optional<Quantized> weights, inputs, outputs;
  bool carries_width = false;  // pooling and add: outputs at the inputs' width
  bool second_is_weights = false;  // matmul: the second producer's outputs are read as the weights
  std::vector<std::string> activations;  // functions its outputs pass on their way out (trace key `activations`)
};

class Translator {
 public:
  Translator(const Graph& g, const ImportOptions& o)
      : g_(g), layer_precision_(o.layer_precision), precision_note_(o.precision_note),
        accumulator_bits_(o.accumulator_bits) {
    read_input(o);
  }

  ImportedTrace run();

 private:
  // ---- tensors ----

  void read_input(const ImportOptions& o);
  // Several graph inputs (translate_inputs.cpp): each must be token ids, a
  // rank-2 integer (batch, tokens), all of one shape, as a Hugging Face BERT
  // export's input_ids, token_type_ids and attention_mask are. Each is held
  // like the token ids, read by whatever reads it (a lookup, a mask).
  void read_token_inputs(const ImportOptions& o, const std::vector<GraphInput>& inputs);

  bool is_activation(const std::string& t) const { return act_.count(t) > 0; }
  // Ops that take a Pad's zeros as their own padding, or pass them on to one that does.
  static bool takes_padding(const std::string& op);
  const Activation& activation(const onnx::NodeProto& n, int i) const;
  // A constant: an initializer, possibly through quantization nodes. An
  // integer initializer is a quantized tensor by its data type.
  std::optional<Constant> constant(const std::string& t) const;
  Constant weights(const onnx::NodeProto& n, int i) const;
  std::optional<Quantized> zero_point_type(const onnx::NodeProto& n, int i) const;

  // ---- layers ----

  // A layer name from the node's name or output that SystemC takes as a
  // module name without a W506 warning (letters, digits and '_' only: '.'
  // separates SystemC's hierarchy), unique in the trace.
  std::string layer_name(const onnx::NodeProto& n, const std::string& suffix = "");

  // Equal pads on all sides and equal strides, as the trace's layers have them.
  static void square(const onnx::NodeProto& n, int64_t* stride, int64_t* padding, int64_t* dilation);

  Record& emit(const onnx::NodeProto& n, const std::string& fields, const std::vector<const Activation*>& from,
               Activation out, int output = 0, const std::string& name_suffix = "");

  // ---- token sequences (translate_sequence.cpp) ----

  // The ONNX shape of an activation, batch included.
  std::vector<int64_t> dims_of(const Activation& a) const;
  // A tensor of ONNX shape `dims` held as a sequence: C = the last axis, H =
  // the rest (the batch aside), W = 1.
  Activation sequence(const onnx::NodeProto& n, const std::vector<int64_t>& dims) const;
  // An axis attribute made non-negative for a tensor of `rank` axes.
  static int64_t axis_of(const onnx::NodeProto& n, int64_t axis, std::size_t rank);
  // A layer of `type` writing a sequence of ONNX shape `dims` from `from`.
  Record& emit_sequence(const onnx::NodeProto& n, const char* type, const std::vector<const Activation*>& from,
                        const std::vector<int64_t>& dims, int output = 0);
  // A permutation that keeps the axes of more than one value in order moves
  // nothing; any other is a transpose layer.
  void transpose(const onnx::NodeProto& n);
  void slice(const onnx::NodeProto& n);
  void split(const onnx::NodeProto& n);
  // Gather of one index along an axis of an activation (a class token): a
  // split; Gather of the rows of a constant table: an embedding lookup.
  void gather(const onnx::NodeProto& n);
  // Gather from a constant table of rank 2 (translate_embedding.cpp): an
  // embedding layer reading the rows its ids select. Ids that are an
  // activation (the token ids) are its input; constant ids (positions,
  // one segment) are read like them, one per token of the network input.
  void lookup(const onnx::NodeProto& n, const Constant& table);
  void softmax(const onnx::NodeProto& n);
  // Unsqueeze of an activation: only the axes it is held in change, so
  // nothing moves (an attention mask's [:, None, None, :]).
  void unsqueeze(const onnx::NodeProto& n);
  void layer_normalization(const onnx::NodeProto& n);
  // Erf of x / sqrt 2: the GELU of x (the Div before it passed x through).
  void erf(const onnx::NodeProto& n);
  // MatMul or Gemm of two activations: a matmul layer, heads from the leading axes.
  void matmul_activations(const onnx::NodeProto& n);
  // The matmul layer of `batches` products of a rows x inner and an inner x
  // cols matrix, b read as its weights; its output has ONNX shape out_dims.
  void emit_matmul(const onnx::NodeProto& n, const Activation& a, const Activation& b, const MatrixProduct& p,
                   const std::vector<int64_t>& out_dims);
  // Einsum of the attention forms (translate_einsum.cpp): two activations
  // with one set of contracted axes become a matmul, an activation and a
  // constant matrix a linear layer over the tokens; other equations are
  // errors naming the node and the equation.
  void einsum(const onnx::NodeProto& n);
  // MatMul or Gemm with constant weights applied to every token: a 1x1 convolution over the tokens.
  void linear_over_tokens(const onnx::NodeProto& n, const Activation& x, const Constant& w, int64_t K, int64_t M);
  // Concat along any axis but the channels of N,C,H,W tensors, or with
  // constant parts (a class token): a concat layer.
  void sequence_concat(const onnx::NodeProto& n);
  // Expand of a constant along the batch (a class token per image): the constant.
  void expand(const onnx::NodeProto& n);

  // ---- a decomposed layer norm (translate_layer_norm.cpp) ----

  // ReduceMean over the last axis, Sub, Pow 2, Add of epsilon, Sqrt and the
  // Div that ends it: the Div emits the layernorm layer.
  void reduce_mean(const onnx::NodeProto& n);
  void norm_step(const onnx::NodeProto& n);
  bool part_of_norm(const onnx::NodeProto& n) const;

  // The tensor `t` (an activation) is stored at `q` from here on: its producer writes it so.
  void quantize_activation(const onnx::NodeProto& n, const std::string& t, const std::string& out, const Quantized& q);

  void node(const onnx::NodeProto& n);

  // Flatten, and a Reshape whose shape is known once constants are folded:
  // to (N, C*H*W) it is a flatten, to (N, C, H, W) nothing; any other target
  // moves data in a way a trace layer cannot say.
  void reshape(const onnx::NodeProto& n);

  // A zero Pad of H and W, equal on every side, is owed to the convolution or
  // pooling after it; one that pads nothing is nothing. Any other zero Pad of
  // C, H and W (sides that differ, channels) is a `pad` layer, and so is an
  // owed one whose reader takes no padding (materialize_pad).
  void pad(const onnx::NodeProto& n);
  void materialize_pad(const std::string& tensor);

  // A product of two activations: x times an activation of x (SiLU and
  // hard-swish as exporters write them: x * Sigmoid(x), x * HardSigmoid(x))
  // is an activation function, folded; x (C,H,W) times a (C,1,1) tensor is
  // a squeeze-excite channel scaling, a `mul` layer that broadcasts the
  // scale's row of C values to every pixel; two tensors of one shape make a
  // `mul` of them.
  void multiply(const onnx::NodeProto& n);

  // Sigmoid, Tanh, HardSigmoid, HardSwish: the tensor passes through, and
  // the layers that wrote it apply the function on their way out (the
  // trace's `activations`); x times sigmoid(x) then makes it SiLU, x times
  // hardsigmoid(x) hard-swish. The network input and data-movement layers
  // apply none; a note counts those left uncosted.
  void activation_function(const onnx::NodeProto& n, const std::string& function);
  // Turns the last function of the layers writing `x` from `from` into `to`.
  void compose_function(const Activation& x, const std::string& from, const std::string& to);

  bool constant_operand(const onnx::NodeProto& n) const;
  void pass_through(const onnx::NodeProto& n);
  // Whether `n`'s first input is a convolution's (or Gemm's) output that
  // nothing else reads: the case where a BatchNormalization folds into it.
  bool reads_conv_alone(const onnx::NodeProto& n) const;

  void quantization(const onnx::NodeProto& n);

  // Channels side by side: no layer; the consumer reads every producer.
  void concat(const onnx::NodeProto& n);

  void conv(const onnx::NodeProto& n);
  // A convolution whose kernel is its stride, unpadded (a patch embedding):
  // the image cut into patches that do not overlap, a transpose, and a 1x1
  // convolution over the patches, the same MACs in a form every dataflow maps.
  bool patch_embedding(const onnx::NodeProto& n, const Activation& x, const Constant& w, int64_t M, int64_t R,
                       int64_t stride, int64_t padding, int64_t dilation, int64_t groups);

  void fc(const onnx::NodeProto& n);

  // A conv or fc layer: widths from the quantized ops' own zero points where they have them.
  void weight_layer(const onnx::NodeProto& n, const std::string& fields, const Activation& x, const Constant& w,
                    const Activation& out);

  // The scale and zero point of node n's inputs (index -1: none) as the map
  // from an integer tensor's values to real ones.
  Dequantization dequantization(const onnx::NodeProto& n, int scale, int zero_point, int64_t axis) const;

  void pool(const onnx::NodeProto& n);

  void global_pool(const onnx::NodeProto& n);

  void add(const onnx::NodeProto& n);
  // An Add of x and one row of x's last-axis size per image (an attention
  // mask of shape (batch, 1, 1, tokens) added to every head's scores): an
  // add layer that reads the row once per image (translate_inputs.cpp).
  void broadcast_add(const onnx::NodeProto& n, const Activation& x, const Activation& row);

  // A layer reads its inputs at the width its producer wrote them: where one
  // side is known, the other follows; pooling and adds write at the width
  // they read. Two different known widths for one tensor are an error.
  void chain_widths();

  // ---- the trace ----

  static std::string precision_field(const char* tensor, const std::optional<Quantized>& q);

  std::string yaml();

  static std::string stats_field(const WeightStats& s);

  std::string network_name() const;

  const Graph& g_;
  Activation input_;
  int64_t batch_ = 1;
  std::map<std::string, Activation> act_;
  std::map<std::string, Constant> const_;
  std::map<std::string, NormPart> norm_parts_;
  std::set<std::string> shape_only_;  // values computed from constants only to feed an Expand's shape
  std::vector<Record> records_;
  std::map<std::string, std::size_t> index_;
  std::set<std::string> names_{"input"};
  std::vector<std::string> notes_;
  bool folded_bn_ = false, quantized_ = false;
  // BatchNormalizations that read no convolution's output alone (after an
  // Add, on the network input): no conv takes in their scale and shift,
  // which the trace leaves uncosted.
  std::vector<std::string> unfolded_bn_;
  std::map<std::string, std::string> layer_precision_;  // ImportOptions::layer_precision
  std::string precision_note_;
  int accumulator_bits_ = 32;
  bool qdq_ = false;  // ImportedTrace::qdq
  int uncosted_functions_ = 0;  // activation functions with no layer to apply them
};

}  // namespace qnnsim::onnx_import
