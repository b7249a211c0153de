#pragma once
// Where a byte lives: channel, rank, bank group, bank, row and column. The
// map slices the address in burst units, lowest bits first:
//   [column low] [interleaved fields, in the configured order] [column high] [row]
// The column-low bits keep `interleave_bytes` together in one bank before the
// next channel/rank/bank takes over (64 B spreads consecutive bursts over all
// banks; a whole row keeps a row together). The row is always the top field,
// as in Ramulator's and DRAMSys' row-major maps, so one "stripe" of the address
// space (every bank's share of one row index) is contiguous; that is what lets
// a run of bytes be counted per bank in closed form instead of per burst.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace qnnsim {

enum class DramField { Channel, Rank, BankGroup, Bank };

struct BankCoordinates {
  int64_t channel = 0, rank = 0, bank_group = 0, bank = 0;
};

class AddressMap {
 public:
  // All counts are powers of two; `interleave_bytes` a power of two between a
  // burst and a row. `order` lists the four fields, lowest first.
  AddressMap(int64_t burst_bytes, int64_t row_bytes, int64_t rows, std::array<int64_t, 4> counts,
             std::array<DramField, 4> order, int64_t interleave_bytes);

  int64_t burst_bytes() const { return burst_bytes_; }
  int64_t banks() const { return banks_; }  // over all channels and ranks
  int64_t bursts_per_row() const { return bursts_per_row_; }
  int64_t count(DramField f) const { return counts_[static_cast<std::size_t>(f)]; }
  const BankCoordinates& coordinates(int64_t flat_bank) const { return coords_[static_cast<std::size_t>(flat_bank)]; }

  // The flat bank and the row of one burst (address in burst units).
  int64_t bank_of(uint64_t burst) const { return static_cast<int64_t>((burst >> low_bits_) & (banks_ - 1)); }
  int64_t row_of(uint64_t burst) const { return static_cast<int64_t>((burst >> stripe_shift_) % rows_); }
  // Stripe: every bank's share of one row index (before wrapping at the row count).
  uint64_t stripe_of(uint64_t burst) const { return burst >> stripe_shift_; }
  uint64_t stripe_bursts() const { return uint64_t{1} << stripe_shift_; }
  // Bursts of [0, n) that fall in `flat_bank` (closed form over the sliced bits).
  uint64_t bursts_below(uint64_t n, int64_t flat_bank) const;

 private:
  int64_t burst_bytes_, bursts_per_row_, rows_, banks_;
  std::array<int64_t, 4> counts_;
  int low_bits_ = 0, bank_bits_ = 0, stripe_shift_ = 0;
  std::vector<BankCoordinates> coords_;
};

// Parses "channel", "rank", "bank_group", "bank"; false when unknown.
bool parse_dram_field(const std::string& name, DramField& out);

}  // namespace qnnsim
