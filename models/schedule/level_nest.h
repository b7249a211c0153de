#pragma once
// A mapping over any number of storage levels, and what it costs in accesses.
//
// The levels run from the outside in (DRAM first); each keeps some of the
// three tensors and lets the others pass, iterates its own temporal loops, and
// may fan out spatially to the instances of the levels below it; the compute
// units sit under the last level. The block a level holds is everything its
// own loops and the loops below it touch; it is refilled whenever a loop above
// it moves to a block it does not already hold.
//
// The counts follow Timeloop's conventions (Parashar et al., ISPASS 2019), so
// its published reference outputs check them (configs/validation/timeloop):
// - fills: values written into a level from the level above that keeps the
//   tensor; only what the new block does not share with the previous block of
//   the same instance (a sliding window's halo stays);
// - reads: values a level sends down, once per value however many children
//   take it at once (multicast), plus the compute units' operand reads;
// - updates: partial sums written into a level from below, once per value
//   however many children reduce into it at once (spatial reduction);
// - partial sums: a block a child has worked on before is refilled from the
//   parent; the first time a child touches an output it starts from zero, and
//   the compute units read the running sum for every update but the first.
// - drains: values a level reads to send finished or evicted partial sums up.
//   Timeloop does not count them; they are reported on their own so a user
//   can charge them (the README's accounting rules).
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedule/loop_nest.h"

namespace qnnsim {

class ClosedFormMemo;  // closed_form_memo.h

struct LevelLoop {
  int dim = kN;
  int64_t factor = 1;
};

struct StorageLevel {
  std::string name;
  std::array<bool, kOperands> keeps{};
  std::vector<LevelLoop> temporal;  // outermost first
  std::vector<LevelLoop> spatial;   // fan-out to the instances below, outermost first
  // How the network of this fan-out shares a value among the children that
  // need it at once. Per value: one read serves every child that needs the
  // value, even where the children's windows only overlap (the diagonal
  // input reuse of a row-stationary array). Per dimension: only children
  // that differ along a dimension the tensor does not depend on share a read
  // (a broadcast along rows or columns); Timeloop's default network.
  bool multicast_per_value = true;
};

struct LevelNest {
  std::vector<StorageLevel> levels;  // outermost first
};

struct TensorAccesses {
  uint64_t reads = 0, fills = 0, updates = 0, drains = 0;  // totals over instances
  uint64_t block = 0;                                      // values one instance holds (its largest block)
};

struct LevelAccesses {
  std::array<TensorAccesses, kOperands> tensor;
  int64_t instances_used = 1;  // the product of the spatial factors above the level
  const TensorAccesses& operator[](Operand o) const { return tensor[static_cast<std::size_t>(o)]; }
  TensorAccesses& operator[](Operand o) { return tensor[static_cast<std::size_t>(o)]; }
};

struct LevelNestCounts {
  std::vector<LevelAccesses> level;  // as the nest's levels
  uint64_t computes = 0;             // MACs over all compute units
  int64_t computes_used = 1;         // compute units the spatial loops use
  uint64_t cycles = 0;               // temporal steps of one compute unit
};

// A mapping on one line, the levels that iterate or fan out, outside in:
// "DRAM Q14 | shared_glb S3 P2 M8 (C3 M4) | pe_spad R3 Q2 P2".
std::string level_nest_text(const LevelNest& n);

// Throws std::invalid_argument (with what is wrong, by level name) when the
// factors of a dimension do not multiply to its extent or a factor is below 1.
void check_level_nest(const LevelNest& nest, const LoopBounds& b);

// ClosedForm: summed by loop and axis without visiting the blocks.
// Enumerate: stepped through block by block, the children's windows merged
// as boxes (for tests and debugging; a test holds the two equal).
enum class LevelCountMethod { ClosedForm, Enumerate };
// `memo` (optional) keeps the closed form's per-axis sums between calls on
// one layer, which a search makes thousands of (closed_form_memo.h).
LevelNestCounts count_level_accesses(const LevelNest& nest, const LoopBounds& b,
                                     LevelCountMethod method = LevelCountMethod::ClosedForm,
                                     ClosedFormMemo* memo = nullptr);
// The counts a part at a time, for a search that stops counting a mapping
// once it is known to be no better than the best found so far
// (level_search.cpp): what is not counted yet is left at zero, and every cost
// grows as it is added. Counting every tensor gives what
// count_level_accesses gives. Throws as check_level_nest does.
class LevelNestCounter {
 public:
  LevelNestCounter(const LevelNest& nest, const LoopBounds& b, ClosedFormMemo* memo = nullptr);
  ~LevelNestCounter();
  LevelNestCounter(const LevelNestCounter&) = delete;
  LevelNestCounter& operator=(const LevelNestCounter&) = delete;
  // Each tensor once, or its two parts once each: what the compute units
  // read and update at the innermost level keeping it, and the transfers
  // between the levels keeping it.
  void count(Operand o);
  void count_at_compute(Operand o);
  void count_transfers(Operand o);
  const LevelNestCounts& counts() const;

 private:
  class Impl;  // level_nest.cpp's counter
  std::unique_ptr<Impl> impl_;
};

}  // namespace qnnsim
