#include "arch/dataflow.h"

#include <algorithm>
#include <initializer_list>

namespace qnnsim {

namespace {

std::array<bool, kDims> dims(std::initializer_list<int> ds) {
  std::array<bool, kDims> a{};
  for (int d : ds) a[static_cast<std::size_t>(d)] = true;
  return a;
}

std::array<bool, kOperands> operands(std::initializer_list<Operand> os) {
  std::array<bool, kOperands> a{};
  for (Operand o : os) a[static_cast<std::size_t>(o)] = true;
  return a;
}

const char* const kNames[] = {"weight_stationary", "output_stationary", "input_stationary", "row_stationary",
                              "unconstrained"};

}  // namespace

int64_t Dataflow::whole_reach(int d, int64_t extent, int64_t rows_n, int64_t cols_n) const {
  const auto i = static_cast<std::size_t>(d);
  if (!whole[i]) return 1;
  if (pe[i]) return extent;
  const int64_t most = (rows[i] ? rows_n : 1) * (cols[i] ? cols_n : 1);
  return std::min(extent, most);
}

int64_t Dataflow::whole_passes(int64_t extent, int64_t covered) {
  const int64_t c = std::max<int64_t>(1, std::min(extent, covered));
  return (extent + c - 1) / c;
}

bool Dataflow::covers_whole(int d, int64_t extent, int64_t covered, int64_t rows_n, int64_t cols_n) const {
  return whole_passes(extent, covered) <= whole_passes(extent, whole_reach(d, extent, rows_n, cols_n));
}

std::string dataflow_names() {
  std::string s;
  for (const char* n : kNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

Dataflow named_dataflow(const std::string& name) {
  Dataflow f;
  f.name = name;
  if (name == "weight_stationary") {
    f.rows = dims({kC, kR, kS});
    f.cols = dims({kM});
    f.pe = dims({kN, kP, kQ});
    f.keep = operands({Operand::Weights});
  } else if (name == "output_stationary") {
    f.rows = dims({kN, kP, kQ});
    f.cols = dims({kM});
    f.pe = dims({kC, kR, kS});
    f.keep = operands({Operand::Outputs});
  } else if (name == "input_stationary") {
    f.rows = dims({kC});
    f.cols = dims({kN, kP, kQ});
    f.pe = dims({kM});
    f.keep = operands({Operand::Inputs});
  } else if (name == "row_stationary") {
    // Chen et al., ISCA 2016: a PE runs the 1-D convolution of one filter row
    // with one input row (S taps along Q), interleaving several channels and
    // filters in its scratchpads; filter rows spread down the array's rows and
    // output rows across its columns, with channels, filters and images folded
    // onto spare rows and columns.
    f.rows = dims({kR, kC, kM});
    f.cols = dims({kP, kN, kM});
    f.pe = dims({kN, kM, kC, kQ, kS});
    f.keep = operands({Operand::Weights, Operand::Inputs, Operand::Outputs});
    f.slide = kQ;
    f.whole = dims({kR, kS});
  } else if (name == "unconstrained") {
    f.rows = f.cols = f.pe = dims({kN, kG, kM, kC, kP, kQ, kR, kS});
    f.keep = operands({Operand::Weights, Operand::Inputs, Operand::Outputs});
  } else {
    f.name.clear();
  }
  return f;
}

Dataflow parse_dataflow(const ConfigNode& root) {
  const ConfigNode node = root.child("dataflow");
  if (!node.is_map()) {
    const std::string name = root.text("dataflow");
    Dataflow f = named_dataflow(name);
    if (f.name.empty()) root.fail("dataflow", "unknown dataflow '" + name + "'; known: " + dataflow_names() +
                                                   ", or a mapping {rows, cols, pe, keep, slide, whole}");
    return f;
  }
  Dataflow f;
  f.name = "custom";
  const auto dim_list = [&](const char* key) {
    std::array<bool, kDims> a{};
    for (const std::string& s : node.text_list(key)) {
      const int d = dim_from_name(s);
      if (d < 0) node.fail(key, "unknown loop dimension '" + s + "'; expected N, G, M, C, P, Q, R or S");
      if (a[static_cast<std::size_t>(d)]) node.fail(key, "dimension '" + s + "' is listed twice");
      a[static_cast<std::size_t>(d)] = true;
    }
    return a;
  };
  f.rows = dim_list("rows");
  f.cols = dim_list("cols");
  f.pe = dim_list("pe");
  for (const std::string& s : node.text_list("keep")) {
    bool known = false;
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      if (s == tensor_name(o)) {
        f.keep[static_cast<std::size_t>(o)] = known = true;
      }
    if (!known) node.fail("keep", "unknown tensor '" + s + "'; expected weights, inputs or outputs");
  }
  const std::string slide = node.text("slide", "");
  if (!slide.empty()) {
    f.slide = dim_from_name(slide);
    if (f.slide < 0 || !f.pe[static_cast<std::size_t>(f.slide)])
      node.fail("slide", "the sliding dimension must be one of the PE loops listed under pe");
  }
  if (node.has("whole")) f.whole = dim_list("whole");
  node.reject_unknown_keys();
  return f;
}

}  // namespace qnnsim
