#pragma once
// A MAC unit class: which precisions it executes, how many MACs it completes
// in how many cycles at a precision, and energy and area. Selected by
// `class:` under the PE array's `mac:` key. Energy and throughput depend on
// both operand widths and the class (Horowitz-style curves in the energy
// table; each class documents its derivation).
#include <optional>
#include <string>

#include "arch/component_spec.h"
#include "core/registry.h"
#include "workload/precision.h"

namespace qnnsim {

// A unit completes `macs` MACs every `cycles` cycles: a fused unit several
// narrow MACs per cycle, a bit-serial one a MAC over several cycles.
struct MacRate {
  int macs = 1;
  int cycles = 1;
};

// How many MACs share one scratchpad access of an operand. A plain unit reads
// its input and reads and writes its partial sum in the PE's scratchpad for
// every MAC; a unit that keeps an operand inside itself (a lookup table built
// from inputs, an accumulator that sums a group of products before the
// partial sum is written back) touches the scratchpad for it less often.
// Arrays that pass inputs and partial sums through every PE each MAC
// (systolic) ignore it: there the operand moves whatever the unit keeps.
struct OperandSharing {
  int inputs = 1;  // MACs per input read
  int psums = 1;   // MACs per partial-sum read and write
};

// What an integer accumulator does with a sum past its range: `wrap` keeps
// the low bits (what a plain two's-complement adder does), `saturate` clamps.
enum class AccumulatorOverflow { Wrap, Saturate };

// A MAC unit's optional `overflow: wrap | saturate` key (default wrap).
AccumulatorOverflow read_accumulator_overflow(const ConfigNode& node);

class MacSpec {
 public:
  using Registry = qnnsim::Registry<MacSpec, const ConfigNode&, const BuildContext&>;
  virtual ~MacSpec() = default;

  // Empty when the unit executes this precision, else the reason it cannot.
  virtual std::string precision_problem(const LayerPrecision& p) const = 0;
  virtual MacRate rate(const LayerPrecision& p) const = 0;
  // The action one MAC of this precision counts as, and its energy.
  virtual ActionDesc action(const LayerPrecision& p) const = 0;
  virtual double energy_pj(const ActionDesc& a) const = 0;
  virtual double area_um2() const = 0;
  virtual OperandSharing operand_sharing(const LayerPrecision& p) const {
    (void)p;
    return {};
  }
  // True when the MACs of one step (rate().macs of them) are the terms of one
  // dot product, summed inside the unit into a single partial sum, as Bit
  // Fusion's fused bricks sum the products of up to 16 input channels of one
  // output (Sharma et al., ISCA 2018). False when they are independent lanes,
  // each with a partial sum of its own. An array whose rows reduce can then
  // widen its reduction by the unit's products (see ArraySpec::reduction_lanes).
  virtual bool fused_reduction() const { return false; }
  // Register widths in each PE that hold this unit's operands.
  virtual int weight_bits() const = 0;
  virtual int input_bits() const = 0;
  virtual int accumulator_bits() const = 0;
  // How the accumulator overflows, for classes whose values are integer
  // products summed at accumulator_bits (what `qnnsim eval --arch` runs);
  // empty for the others (float units). An XNOR unit's +-1 products are integers too.
  virtual std::optional<AccumulatorOverflow> integer_overflow() const { return std::nullopt; }
  // True for classes that multiply and accumulate floating-point values
  // (FloatMAC); accumulator_bits() is then its float accumulator's width, 16
  // (fp16) or 32 (fp32), which `qnnsim eval --arch` rounds every sum to.
  virtual bool floating_point() const { return false; }
  // The product of a weight code and an input code as the unit forms it, at
  // the layer's widths: codes of a symmetric scheme are two's complement of
  // their width, others unsigned. A plain multiplier's is w * x; units that
  // build it from bits or bricks override this, and a test holds them equal.
  virtual int64_t product(int64_t w, int64_t x, const LayerPrecision& p) const {
    (void)p;
    return w * x;
  }
  // The `class:` the unit was built from (make_mac sets it), for messages
  // and reports that say which unit ran a layer.
  const std::string& class_name() const { return class_name_; }

 private:
  friend std::unique_ptr<MacSpec> make_mac(const ConfigNode& node, const BuildContext& ctx);
  std::string class_name_;
};

// True when a tensor's codes are two's complement (a symmetric scheme).
inline bool signed_codes(const TensorPrecision& t) { return t.scheme == Scheme::UniformSymmetric; }

// Steps of a PE that runs `iterations` MACs at `r`, and the cycles they take.
inline uint64_t mac_steps(uint64_t iterations, const MacRate& r) {
  return (iterations + static_cast<uint64_t>(r.macs) - 1) / static_cast<uint64_t>(r.macs);
}

// MAC action names carry the operand widths they were executed at,
// "mac_<weight bits>x<input bits>", so a unit can price each from its name.
std::string mac_action_name(int weight_bits, int input_bits);
// The widths in such a name; false when it is not one.
bool parse_mac_action_name(const std::string& name, int* weight_bits, int* input_bits);

// Empty when a unit of class `cls` with an `accumulator_bits` accumulator can
// hold the layer's accumulator, else why not.
std::string accumulator_problem(const char* cls, int accumulator_bits, const LayerPrecision& p);

// Reads a MAC unit's `class:` from the registry.
std::unique_ptr<MacSpec> make_mac(const ConfigNode& node, const BuildContext& ctx);

}  // namespace qnnsim
