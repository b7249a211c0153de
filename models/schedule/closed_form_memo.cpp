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
  sums_.clear();
  pairs_.clear();
  layer_ = b;
  have_layer_ = true;
}

const AxisSums* ClosedFormMemo::find(const Key& k) const {
  const auto it = sums_.find(k);
  return it == sums_.end() ? nullptr : &it->second;
}

void ClosedFormMemo::store(const Key& k, const AxisSums& s) {
  if (sums_.size() >= kMaxEntries) sums_.clear();
  sums_.emplace(k, s);
}

const PairCounts* ClosedFormMemo::find_pair(const Key& k) const {
  const auto it = pairs_.find(k);
  return it == pairs_.end() ? nullptr : &it->second;
}

void ClosedFormMemo::store_pair(const Key& k, const PairCounts& c) {
  if (pairs_.size() >= kMaxEntries) pairs_.clear();
  pairs_.emplace(k, c);
}

std::size_t ClosedFormMemo::KeyHash::operator()(const Key& k) const {
  // Each value multiplied in by the golden ratio's odd constant and folded
  // back, so small integers that differ in low bits spread over the table.
  uint64_t h = k.size();
  for (int64_t v : k) {
    h = (h ^ static_cast<uint64_t>(v)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return static_cast<std::size_t>(h);
}

}  // namespace qnnsim
