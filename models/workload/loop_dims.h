#pragma once
// The dimensions of a layer's loop nest and the operands that index them:
// N images, G groups, M output and C input channels (per group), P x Q output
// rows and columns, R x S filter rows and columns. They belong to the layer,
// not to a mapping of it: the architecture's dataflow constrains them, the
// schedule tiles them.
#include <array>
#include <cstdint>
#include <string>

#include "workload/precision.h"

namespace qnnsim {

enum Dim : int { kN, kG, kM, kC, kP, kQ, kR, kS };
constexpr int kDims = 8;
const char* dim_name(int d);
int dim_from_name(const std::string& name);  // -1 if unknown

// The operands of the nest are the first three tensors (weights, inputs, outputs).
using Operand = Tensor;
constexpr int kOperands = 3;
// Reduction dimensions: outputs do not depend on them.
inline bool is_reduction(int d) { return d == kC || d == kR || d == kS; }
// Whether the operand's index depends on the dimension (inputs on all but M).
inline bool relevant(Operand o, int d) {
  switch (o) {
    case Operand::Weights: return d == kG || d == kM || d == kC || d == kR || d == kS;
    case Operand::Inputs: return d != kM;
    case Operand::Outputs:
    case Operand::Accumulator: return !is_reduction(d);  // partial sums index like outputs
  }
  return false;
}

using DimArray = std::array<int64_t, kDims>;
constexpr DimArray kOnes = {1, 1, 1, 1, 1, 1, 1, 1};

}  // namespace qnnsim
