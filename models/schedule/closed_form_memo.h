#pragma once
// What the level analysis's closed form (level_closed_form.cpp) sums along one
// tensor axis, remembered across the nests of one layer. A search counts
// thousands of nests a layer, and two nests that differ in one factor or one
// loop order still share most of their per-axis sums: along an axis the sum
// depends only on the loops that move that axis, the children's fan-out along
// it and the child's block extent there, so it is looked up by exactly those.
#include <cstdint>

#include "schedule/key_table.h"
#include "schedule/level_loops.h"

namespace qnnsim {

// Sums along one axis over a class of steps: over the children's merged
// windows (what the parent sends) and over every child (what they take in).
struct AxisSums {
  // Over children's windows merged within each sharing group: new and old
  // unions, and what of them no child gains (or gives up) in the step.
  uint64_t shared_new = 0, shared_old = 0;
  uint64_t shared_new_not_gained = 0, shared_old_not_lost = 0;
  // Over every child on its own.
  uint64_t each_new = 0, each_kept = 0, each_old = 0;
  uint64_t largest = 0;  // the widest window a child holds along the axis
};

class ClosedFormMemo {
 public:
  using Key = MemoKey;

  // Sums are only valid for one layer's bounds: a memo asked about another
  // layer forgets what it holds.
  void use_layer(const LoopBounds& b);
  // Forgets every layer's sums, keeping the storage (key_table.h's clear).
  void clear();
  const AxisSums* find(const Key& k) const;
  void store(const Key& k, const AxisSums& s);
  std::size_t size() const { return sums_.size(); }

  // A whole pair's counts, by everything they depend on (closed_form_pair): the
  // search's neighbouring mappings leave most pairs of levels as they were.
  const PairCounts* find_pair(const Key& k) const;
  void store_pair(const Key& k, const PairCounts& c);

  // The distinct operands a keeper's compute units read at once, by the
  // tensor and the fan-out loops under the keeper (level_nest.cpp).
  const uint64_t* find_operands(const Key& k) const { return operands_.find(k); }
  void store_operands(const Key& k, uint64_t n);

 private:
  // Past this many entries the memo starts over rather than grow without bound.
  static constexpr std::size_t kMaxEntries = 1u << 20;
  bool have_layer_ = false;
  LoopBounds layer_{};
  KeyTable<AxisSums> sums_;
  KeyTable<PairCounts> pairs_;
  KeyTable<uint64_t> operands_;
};

}  // namespace qnnsim
