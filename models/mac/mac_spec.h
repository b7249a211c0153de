#pragma once
// A MAC unit class: which precisions it executes, how many array cycles one
// input vector takes, and energy and area per unit. Selected by `class:` under
// the PE array's `mac:` key.
#include <string>

#include "arch/component_spec.h"
#include "core/registry.h"
#include "workload/precision.h"

namespace qnnsim {

class MacSpec {
 public:
  using Registry = qnnsim::Registry<MacSpec, const ConfigNode&, const BuildContext&>;
  virtual ~MacSpec() = default;

  // Empty when the unit executes this precision, else the reason it cannot.
  virtual std::string precision_problem(const LayerPrecision& p) const = 0;
  // Array cycles per input vector (1 for a fully parallel multiplier).
  virtual int cycles_per_vector(const LayerPrecision& p) const = 0;
  // The action one MAC of this precision counts as, and its energy.
  virtual ActionDesc action(const LayerPrecision& p) const = 0;
  virtual double energy_pj(const ActionDesc& a) const = 0;
  virtual double area_um2() const = 0;
  // Register widths in each PE that hold this unit's operands.
  virtual int weight_bits() const = 0;
  virtual int input_bits() const = 0;
  virtual int accumulator_bits() const = 0;
};

}  // namespace qnnsim
