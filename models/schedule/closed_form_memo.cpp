#include "schedule/closed_form_memo.h"

namespace qnnsim {

namespace {

bool same_layer(const LoopBounds& a, const LoopBounds& b) {
  return a.extent == b.extent && a.H == b.H && a.W == b.W && a.stride == b.stride && a.dilation == b.dilation &&
         a.padding == b.padding;
}

}  // namespace

void ClosedFormMemo::use_layer(const LoopBounds& b) {
  if (have_layer_ && same_layer(layer_, b)) return;
  clear();
  layer_ = b;
  have_layer_ = true;
}

void ClosedFormMemo::clear() {
  sums_.clear();
  pairs_.clear();
  operands_.clear();
  have_layer_ = false;
}

const AxisSums* ClosedFormMemo::find(const Key& k) const { return sums_.find(k); }

void ClosedFormMemo::store(const Key& k, const AxisSums& s) {
  if (sums_.size() >= kMaxEntries) sums_.clear();
  sums_.insert(k, s);
}

const PairCounts* ClosedFormMemo::find_pair(const Key& k) const { return pairs_.find(k); }

void ClosedFormMemo::store_pair(const Key& k, const PairCounts& c) {
  if (pairs_.size() >= kMaxEntries) pairs_.clear();
  pairs_.insert(k, c);
}

void ClosedFormMemo::store_operands(const Key& k, uint64_t n) {
  if (operands_.size() >= kMaxEntries) operands_.clear();
  operands_.insert(k, n);
}

}  // namespace qnnsim
