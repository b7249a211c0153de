#pragma once
// What every array of PEs with local scratchpads shares, whatever carries
// operands between its PEs: rows x cols PEs, one MAC unit each, scratchpad
// entries per tensor, optional zero gating, and the SystemC module that turns
// passes into time and action counts. A concrete array says how long a pass
// takes, how weights enter, and which scratchpad accesses one MAC makes.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arch/roles.h"
#include "mac/mac_spec.h"
#include "pe_array/sparse_operands.h"

namespace qnnsim {

class ScratchpadArray : public ArraySpec {
 public:
  ScratchpadArray(const ConfigNode& node, const BuildContext& ctx);

  int64_t rows() const override { return rows_; }
  int64_t cols() const override { return cols_; }
  std::string precision_problem(const LayerPrecision& p) const override { return mac_->precision_problem(p); }
  ActionDesc mac_action(const LayerPrecision& p) const override { return mac_->action(p); }
  double peak_macs_per_cycle(const LayerPrecision& p) const override {
    const MacRate r = mac_->rate(p);
    return static_cast<double>(rows_ * cols_) * r.macs / r.cycles;
  }
  uint64_t active_macs(uint64_t macs, const LayerPrecision& p) const override;
  uint64_t timed_macs(uint64_t macs, const LayerPrecision& p) const override;
  uint64_t weight_entries(uint64_t values, const LayerPrecision& p) const override {
    return sparse_.weight_entries(values, p.weights.density);
  }
  int weight_entry_bits(const LayerPrecision& p) const override { return sparse_.entry_bits(p.weights.bits); }
  std::unique_ptr<ComponentModule> build(const char* name) const override;

  const MacSpec& mac() const { return *mac_; }
  const MacSpec* mac_unit() const override { return mac_.get(); }
  double period_s() const { return tech_.period_s(); }

 protected:
  // Energy of one bit passed from PE to PE (a partial sum on its way to be reduced).
  virtual double link_bit_pj() const = 0;
  // Codebook weights and inputs arrive as indices: each weight or input a
  // MAC uses is looked up in the PE's table of entries at the MAC's weight or
  // input width, one more scratchpad read per active MAC and operand.
  // Loop iterations a PE spends cycles on: all, or, where skipped MACs save
  // time, only the share left after skipping (rounded up).
  uint64_t busy_iterations(uint64_t iterations, const LayerPrecision& p) const;
  // Input reads of `macs` MACs: every MAC's, or, where zero inputs are
  // skipped (stored compressed, never read), only the non-zero ones.
  uint64_t input_reads(uint64_t macs, const LayerPrecision& p) const;
  // Partial-sum updates: every MAC's, or on a sparse array only the active ones.
  uint64_t psum_updates(uint64_t macs, uint64_t active) const { return sparse_.declared() ? active : macs; }
  void add_codebook_lookups(std::vector<std::pair<ActionDesc, uint64_t>>& accesses, uint64_t active,
                            const LayerPrecision& p) const {
    if (p.weights.scheme == Scheme::Codebook) accesses.push_back({{"spad", "read", mac_->weight_bits()}, active});
    if (p.inputs.scheme == Scheme::Codebook) accesses.push_back({{"spad", "read", mac_->input_bits()}, active});
  }
  double model_energy_pj(const ActionDesc& a) const override;
  double model_area_um2() const override;
  std::vector<std::string> action_names() const override;

  int64_t weight_entries_ = 1, input_entries_ = 1, psum_entries_ = 1;
  double register_bit_pj_ = 0;
  SparseOperands sparse_;

 private:
  int64_t rows_ = 0, cols_ = 0;
  bool zero_gating_ = false;  // skip the MAC and weight read when the input is zero (Eyeriss)
  std::unique_ptr<MacSpec> mac_;
};

}  // namespace qnnsim
