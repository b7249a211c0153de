#include "dram/address_map.h"

#include <algorithm>

namespace qnnsim {

namespace {
int log2_exact(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}
}  // namespace

AddressMap::AddressMap(int64_t burst_bytes, int64_t row_bytes, int64_t rows, std::array<int64_t, 4> counts,
                       std::array<DramField, 4> order, int64_t interleave_bytes)
    : burst_bytes_(burst_bytes), bursts_per_row_(row_bytes / burst_bytes), rows_(rows), counts_(counts) {
  banks_ = counts[0] * counts[1] * counts[2] * counts[3];
  low_bits_ = log2_exact(interleave_bytes / burst_bytes);
  bank_bits_ = log2_exact(banks_);
  stripe_shift_ = low_bits_ + bank_bits_ + (log2_exact(bursts_per_row_) - low_bits_);
  coords_.resize(static_cast<std::size_t>(banks_));
  for (int64_t flat = 0; flat < banks_; ++flat) {
    int64_t rest = flat;
    BankCoordinates c;
    for (DramField f : order) {
      const int64_t n = count(f);
      const int64_t v = rest % n;
      rest /= n;
      switch (f) {
        case DramField::Channel: c.channel = v; break;
        case DramField::Rank: c.rank = v; break;
        case DramField::BankGroup: c.bank_group = v; break;
        case DramField::Bank: c.bank = v; break;
      }
    }
    coords_[static_cast<std::size_t>(flat)] = c;
  }
}

uint64_t AddressMap::bursts_below(uint64_t n, int64_t flat_bank) const {
  // Within each period of 2^(low + bank) bursts, a bank owns one block of
  // 2^low consecutive bursts, starting at flat_bank * 2^low.
  const int period_bits = low_bits_ + bank_bits_;
  const uint64_t block = uint64_t{1} << low_bits_;
  const uint64_t full = n >> period_bits;
  const uint64_t rem = n & ((uint64_t{1} << period_bits) - 1);
  const uint64_t start = static_cast<uint64_t>(flat_bank) << low_bits_;
  const uint64_t partial = rem > start ? std::min(rem - start, block) : 0;
  return (full << low_bits_) + partial;
}

bool parse_dram_field(const std::string& name, DramField& out) {
  if (name == "channel") out = DramField::Channel;
  else if (name == "rank") out = DramField::Rank;
  else if (name == "bank_group") out = DramField::BankGroup;
  else if (name == "bank") out = DramField::Bank;
  else return false;
  return true;
}

}  // namespace qnnsim
