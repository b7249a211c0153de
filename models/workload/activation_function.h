#pragma once
// Element-wise activation functions a layer applies to its outputs on their
// way out, as an accelerator's output path does after requantization. ReLU
// and clipping are not among them: they are the requantizer's clamp and cost
// nothing more. The others take the vector unit's operations per value,
// counted from each function's definition in the integer forms an integer
// vector unit evaluates (exponentials as in I-BERT, Kim et al., ICML 2021;
// vector/vector_unit.cpp prices each kind):
//   sigmoid      1 / (1 + exp(-x))              an exp, an add, a divide
//   tanh         2 sigmoid(2x) - 1              an exp, 2 adds, a divide (doublings are shifts)
//   silu         x sigmoid(x)                   a sigmoid and a multiply
//   hardsigmoid  clamp(a x + b, 0, 1)           a multiply, an add, 2 compares
//   hardswish    x hardsigmoid(x)               a hardsigmoid and a multiply
// (compares are counted with adds, as the vector unit's `op` counts both).
#include <string>

#include "workload/vector_ops.h"

namespace qnnsim {

enum class ActivationFunction { Sigmoid, Tanh, SiLU, HardSigmoid, HardSwish };

const char* activation_function_name(ActivationFunction f);
bool parse_activation_function(const std::string& name, ActivationFunction* out);  // false when unknown
std::string activation_function_names();  // the accepted names, for error messages
// The vector unit's operations to apply `f` to `values` values.
VectorOps activation_work(ActivationFunction f, uint64_t values);

}  // namespace qnnsim
