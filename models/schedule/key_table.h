#pragma once
// A map from short keys of integers to values, for the memos the level search
// looks up millions of times a layer (closed_form_memo.h, level_search.cpp).
// Open addressing over one array of slots, with the keys' values side by side
// in one arena: a lookup hashes the key once, probes adjacent slots, and
// compares a stored hash before the values, with no allocation and no node
// to follow. std::unordered_map spent more on its buckets and nodes than on
// hashing (a fifth of the level search's instructions under callgrind on
// ResNet-50 and the Eyeriss level design).
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace qnnsim {

// Keys are short (a few dozen values): held inline, so building one allocates nothing.
using MemoKey = boost::container::small_vector<int64_t, 40>;

// Each value multiplied in by the golden ratio's odd constant and folded back,
// so small integers that differ in low bits spread over the table.
inline uint64_t memo_key_hash(const MemoKey& k) {
  uint64_t h = k.size();
  for (int64_t v : k) {
    h = (h ^ static_cast<uint64_t>(v)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
  }
  return h;
}

// A pointer find() returns stays valid until the next insert(), which may
// move the values (unlike std::unordered_map's): copy what it points to
// before inserting.
template <class Value>
class KeyTable {
 public:
  const Value* find(const MemoKey& k) const {
    if (slots_.empty()) return nullptr;
    const uint64_t h = memo_key_hash(k);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kEmpty) return nullptr;
      if (s.hash == h && same_key(s, k)) return &values_[s.value];
    }
  }

  // The value held under k, to change in place.
  Value* find(const MemoKey& k) { return const_cast<Value*>(std::as_const(*this).find(k)); }

  // Adds k with value v. k must not be held already (find it first): a
  // second copy would be kept beside the first, and never found.
  void insert(const MemoKey& k, const Value& v) {
    // Offsets and indices are 32-bit: billions of values, far beyond the
    // memos' caps (closed_form_memo.h) and a search's scored nests.
    assert(keys_.size() + k.size() <= UINT32_MAX && values_.size() < UINT32_MAX);
    if ((values_.size() + 1) * 4 > slots_.size() * 3) grow();
    Slot s{memo_key_hash(k), static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(k.size()),
           static_cast<uint32_t>(values_.size())};
    keys_.insert(keys_.end(), k.begin(), k.end());
    values_.push_back(v);
    place(s);
  }

  std::size_t size() const { return values_.size(); }
  // Empties the table but keeps its storage: a search clears its memos for
  // every layer shape, and memory given back only to be faulted in again page
  // by page cost more than the counting (the level search of ResNet-50 on
  // the Eyeriss level design: 22,500 page faults before, 5,400 after).
  void clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    keys_.clear();
    values_.clear();
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_at = 0, key_size = 0;  // where the key's values lie in keys_
    uint32_t value = kEmpty;            // index into values_
  };

  bool same_key(const Slot& s, const MemoKey& k) const {
    return s.key_size == k.size() &&
           (k.empty() || std::memcmp(keys_.data() + s.key_at, k.data(), k.size() * sizeof(int64_t)) == 0);
  }
  void place(const Slot& s) {
    std::size_t i = s.hash & mask_;
    while (slots_[i].value != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.value != kEmpty) place(s);
  }

  std::vector<Slot> slots_;  // a power of two of them, at most three quarters used
  std::size_t mask_ = 0;
  std::vector<int64_t> keys_;
  std::vector<Value> values_;
};

}  // namespace qnnsim
