// Einsum in the forms attention is written with: a product of two
// activations over one set of shared axes ("bhid,bhjd->bhij",
// "bhij,bhjd->bhid", or "bihd,bjhd->bhij" straight on the projections'
// layout) becomes a matmul layer, and an activation times a constant matrix
// ("bid,jd->bij", "bid,dj->bij") a linear layer over the tokens. Anything
// else (a diagonal, a sum over an axis of one operand, broadcasting, an
// ellipsis, more than two operands) is an error naming the node and the
// equation.
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "importer/translator.h"

namespace qnnsim::onnx_import {

namespace {

struct Equation {
  std::string text;                 // as the node gives it, for messages
  std::vector<std::string> inputs;  // one label per axis of each operand
  std::string output;
};

Equation parse(const onnx::NodeProto& n) {
  Equation e;
  for (const auto& a : n.attribute())
    if (a.name() == "equation") e.text = a.s();
  const std::string what = Graph::describe(n);
  if (e.text.empty()) throw ImportError(what + ": an Einsum needs its equation attribute");
  std::string eq;
  for (char c : e.text)
    if (c != ' ') eq += c;
  const auto unsupported = [&](const std::string& why) {
    return ImportError(what + ": equation '" + e.text + "' is not supported (" + why + ")");
  };
  const auto arrow = eq.find("->");
  // Without "->" the output is implied (labels seen once, sorted): rare in exports, and easy to misread.
  if (arrow == std::string::npos) throw unsupported("it has no explicit output after '->'");
  if (eq.find('.') != std::string::npos) throw unsupported("an ellipsis");
  e.output = eq.substr(arrow + 2);
  const std::string lhs = eq.substr(0, arrow);
  for (std::size_t start = 0;;) {
    const auto comma = lhs.find(',', start);
    e.inputs.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (e.inputs.size() != 2) throw unsupported(fmt::format("{} operands; a product of two is", e.inputs.size()));
  for (const std::string* labels : {&e.inputs[0], &e.inputs[1], &e.output}) {
    for (std::size_t i = 0; i < labels->size(); ++i) {
      const char c = (*labels)[i];
      if (!std::isalpha(static_cast<unsigned char>(c))) throw unsupported(fmt::format("'{}' is not a label", c));
      if (labels->find(c, i + 1) != std::string::npos)
        throw unsupported(fmt::format("label '{}' twice in one term (a diagonal)", c));
    }
  }
  if (static_cast<int>(n.input_size()) != 2) throw unsupported(fmt::format("the node has {} inputs", n.input_size()));
  return e;
}

bool has(const std::string& labels, char c) { return labels.find(c) != std::string::npos; }

}  // namespace

void Translator::einsum(const onnx::NodeProto& n) {
  const std::string what = Graph::describe(n);
  const Equation e = parse(n);
  const auto unsupported = [&](const std::string& why) {
    return ImportError(what + ": equation '" + e.text + "' is not supported (" + why + ")");
  };
  // An operand's shape: an activation's ONNX shape or a constant's dims.
  std::vector<std::vector<int64_t>> dims(2);
  std::optional<Constant> constant_operand;
  int constant_index = -1;
  for (int i = 0; i < 2; ++i) {
    if (is_activation(n.input(i))) {
      dims[static_cast<std::size_t>(i)] = dims_of(activation(n, i));
    } else if (const auto c = constant(n.input(i))) {
      if (constant_operand) throw unsupported("both operands are constants; there is nothing to simulate");
      constant_operand = c;
      constant_index = i;
      dims[static_cast<std::size_t>(i)].assign(c->init->dims().begin(), c->init->dims().end());
    } else {
      throw ImportError(what + ": input '" + n.input(i) + "' is neither an activation nor a constant");
    }
  }
  std::map<char, int64_t> size;
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& labels = e.inputs[i];
    if (labels.size() != dims[i].size())
      throw unsupported(fmt::format("term '{}' has {} labels for an operand of {} axes", labels, labels.size(), dims[i].size()));
    for (std::size_t k = 0; k < labels.size(); ++k) {
      const auto [it, fresh] = size.emplace(labels[k], dims[i][k]);
      if (!fresh && it->second != dims[i][k])
        throw unsupported(fmt::format("label '{}' is {} on one operand and {} on the other", labels[k],
                                      it->second, dims[i][k]));
    }
  }
  const std::string &a = e.inputs[0], &b = e.inputs[1], &out = e.output;
  for (char c : out)
    if (!has(a, c) && !has(b, c)) throw unsupported(fmt::format("output label '{}' is on no operand", c));
  // Each label of the operands is a batch (both and the output), a row (a's
  // and the output), a column (b's and the output) or contracted (both, not
  // the output). One on one operand only and not the output would be a sum
  // over that axis, which no layer computes.
  MatrixProduct p;
  std::string contracted;
  for (const auto& [c, d] : size) {
    const bool in_a = has(a, c), in_b = has(b, c), kept = has(out, c);
    if (in_a && in_b) (kept ? p.batches : p.inner) *= d;
    else if (kept) (in_a ? p.rows : p.cols) *= d;
    else throw unsupported(fmt::format("label '{}' is summed over one operand alone", c));
    if (in_a && in_b && !kept) contracted += c;
  }
  if (contracted.empty()) throw unsupported("no label is contracted: an outer product, not a matrix product");
  std::vector<int64_t> out_dims;
  for (char c : out) out_dims.push_back(size.at(c));

  if (!constant_operand) {
    // Both operands stream; each is read in place in its own layout, as a
    // fused attention kernel reads it (rows of the head size at a stride), so
    // the equation's axis order moves no data.
    return emit_matmul(n, activation(n, 0), activation(n, 1), p, out_dims);
  }
  // A constant matrix applied to every token: x's features are its last
  // axis, replaced in the output by the matrix's other axis.
  const std::string& x = constant_index == 0 ? b : a;
  const std::string& w = constant_index == 0 ? a : b;
  if (w.size() != 2 || contracted.size() != 1 || x.back() != contracted[0])
    throw unsupported("a constant operand must be a matrix contracted with the last axis of the activation");
  const char m = w[0] == contracted[0] ? w[1] : w[0];
  std::string expected = x;
  expected.back() = m;
  if (out != expected)
    throw unsupported("a product with a constant matrix must keep the activation's axes in order, its features last (" +
                      expected + ")");
  linear_over_tokens(n, activation(n, constant_index == 0 ? 1 : 0), *constant_operand, size.at(contracted[0]), size.at(m));
}

}  // namespace qnnsim::onnx_import
