#pragma once
// Element operations a vector-unit layer asks for, by kind. Adds (and
// compares) are what pooling and residual adds need; multiplies,
// exponentials, divisions and square roots are what softmax, layer norm and
// GELU need. The vector unit prices each kind and says how many lane-cycles
// it takes (vector/vector_unit.cpp); the schedule only counts them.
#include <cstdint>

namespace qnnsim {

struct VectorOps {
  uint64_t add = 0, mult = 0, exp = 0, divide = 0, sqrt = 0;

  VectorOps& operator+=(const VectorOps& o) {
    add += o.add;
    mult += o.mult;
    exp += o.exp;
    divide += o.divide;
    sqrt += o.sqrt;
    return *this;
  }
  // The operations of n such, for tiles counted once with their number.
  VectorOps times(uint64_t n) const { return {add * n, mult * n, exp * n, divide * n, sqrt * n}; }
  bool any() const { return add + mult + exp + divide + sqrt > 0; }
};

}  // namespace qnnsim
