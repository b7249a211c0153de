#pragma once
// `qnnsim import` of a QDQ model: the quantization its QuantizeLinear /
// DequantizeLinear nodes give (qdq_plan.h) as trace fields, so that the trace
// carries the model's own scales and zero points. Free of Eigen, for the
// command-line code that includes it.
#include <map>
#include <string>

namespace qnnsim::numerics {

struct GivenQuantization {
  std::map<std::string, std::string> layer_precision;  // ImportOptions::layer_precision
  std::string note;                                    // ImportOptions::precision_note
};

// Throws EvalError where the model's QDQ nodes cannot be read whole.
GivenQuantization qdq_quantization(const std::string& model);

}  // namespace qnnsim::numerics
