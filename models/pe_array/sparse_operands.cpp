#include "pe_array/sparse_operands.h"

#include <algorithm>
#include <cmath>

namespace qnnsim {

uint64_t SparseOperands::weight_entries(uint64_t values, double density) const {
  if (!csc_weights || density >= 1.0) return values;
  // Non-zeros plus extra entries: values x density x (1 + qc / (1 - qc)).
  const double qc = std::pow(1.0 - density, std::ldexp(1.0, count_bits));
  const double entries = std::ceil(static_cast<double>(values) * density / (1.0 - qc));
  // A block never holds more entries than values.
  return std::min(values, static_cast<uint64_t>(entries));
}

double SparseOperands::work_fraction(const LayerPrecision& p) const {
  return (skip_weights ? p.weights.density : 1.0) * (skip_inputs ? p.inputs.density : 1.0);
}

SparseOperands parse_sparse_operands(const ConfigNode& array_node) {
  SparseOperands s;
  const auto node = array_node.optional_child("sparse");
  if (!node) return s;
  node->expect_map("sparse PE support {weights, count_bits, skip, saves_time}");
  if (node->has("weights")) {
    const std::string format = node->text("weights");
    if (format != "csc") node->fail("weights", "expected csc (compressed sparse columns), found '" + format + "'");
    s.csc_weights = true;
    s.count_bits = static_cast<int>(node->integer_in("count_bits", 1, 16));
  }
  if (node->has("skip")) {
    for (const std::string& t : node->text_list("skip")) {
      if (t == "weights") s.skip_weights = true;
      else if (t == "inputs") s.skip_inputs = true;
      else node->fail("skip", "expected a list of weights and inputs (the operands whose zeros skip a MAC), found '" + t + "'");
    }
  }
  s.saves_time = node->flag("saves_time", false);
  if (s.saves_time && !s.skip_weights && !s.skip_inputs)
    node->fail("saves_time", "saves_time needs skip: [weights] or [inputs] (nothing is skipped)");
  if (!s.declared()) node->fail_here("sparse declares nothing: give weights: csc or skip: [...]");
  node->reject_unknown_keys();
  return s;
}

}  // namespace qnnsim
