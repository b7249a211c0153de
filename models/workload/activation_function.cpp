#include "workload/activation_function.h"

namespace qnnsim {

namespace {

struct Entry {
  ActivationFunction f;
  const char* name;
  uint64_t add, mult, exp, divide;  // per value
};

// The counts of the table in activation_function.h.
constexpr Entry kFunctions[] = {
    {ActivationFunction::Sigmoid, "sigmoid", 1, 0, 1, 1},
    {ActivationFunction::Tanh, "tanh", 2, 0, 1, 1},
    {ActivationFunction::SiLU, "silu", 1, 1, 1, 1},
    {ActivationFunction::HardSigmoid, "hardsigmoid", 3, 1, 0, 0},
    {ActivationFunction::HardSwish, "hardswish", 3, 2, 0, 0},
};

const Entry& entry(ActivationFunction f) {
  for (const Entry& e : kFunctions)
    if (e.f == f) return e;
  return kFunctions[0];  // unreachable: every enumerator has an entry
}

}  // namespace

const char* activation_function_name(ActivationFunction f) { return entry(f).name; }

bool parse_activation_function(const std::string& name, ActivationFunction* out) {
  for (const Entry& e : kFunctions)
    if (name == e.name) {
      *out = e.f;
      return true;
    }
  return false;
}

std::string activation_function_names() {
  std::string names;
  for (const Entry& e : kFunctions) names += (names.empty() ? "" : ", ") + std::string(e.name);
  return names;
}

VectorOps activation_work(ActivationFunction f, uint64_t values) {
  const Entry& e = entry(f);
  VectorOps ops;
  ops.add = e.add * values;
  ops.mult = e.mult * values;
  ops.exp = e.exp * values;
  ops.divide = e.divide * values;
  return ops;
}

}  // namespace qnnsim
