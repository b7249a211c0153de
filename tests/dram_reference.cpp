#include "dram_reference.h"

#include <algorithm>
#include <deque>
#include <limits>

namespace qnnsim::test {

namespace {

// Before any command: constraints measured from it never bind.
constexpr int64_t kNever = std::numeric_limits<int64_t>::min() / 4;

struct Request {
  int64_t row = 0;
  uint64_t order = 0;  // position in the transfer: oldest first
};

struct Bank {
  std::deque<Request> queue;
  int64_t act = kNever, pre = kNever, col = kNever;  // when the last ACT, PRE and column command issued
  int64_t col_done = kNever;  // when the last column command lets the row close (tRTP or write recovery)
};

}  // namespace

ReferenceResult reference_transfer(const DramDeviceSpec& device, const AddressMap& map, PagePolicy policy,
                                   const std::vector<std::pair<uint64_t, uint64_t>>& runs,
                                   std::vector<int64_t>& open_rows, bool write) {
  const DramTiming& t = device.timing;
  const int64_t banks = map.banks();
  const int64_t ranks = map.count(DramField::Rank), groups = map.count(DramField::BankGroup);
  const int64_t channels = map.count(DramField::Channel);
  const int64_t burst = device.burst_length / 2;
  const int64_t close = write ? t.cwl + burst + t.wr : t.rtp;

  std::vector<Bank> bank(static_cast<std::size_t>(banks));
  const uint64_t size = static_cast<uint64_t>(map.burst_bytes());
  uint64_t order = 0, left = 0;
  for (const auto& [byte, bytes] : runs)
    for (uint64_t x = byte / size; x < (byte + bytes + size - 1) / size; ++x, ++left)
      bank[static_cast<std::size_t>(map.bank_of(x))].queue.push_back({map.row_of(x), order++});
  // A bank that starts with a row open may precharge at once.
  for (int64_t k = 0; k < banks; ++k)
    if (open_rows[static_cast<std::size_t>(k)] >= 0) bank[static_cast<std::size_t>(k)].act = -t.ras;

  std::vector<int64_t> ch_col(static_cast<std::size_t>(channels), kNever);
  std::vector<int64_t> bg_col(static_cast<std::size_t>(channels * ranks * groups), kNever);
  std::vector<int64_t> bg_act(static_cast<std::size_t>(channels * ranks * groups), kNever);
  std::vector<std::vector<int64_t>> rank_acts(static_cast<std::size_t>(channels * ranks));
  ReferenceResult out;
  out.bursts.assign(static_cast<std::size_t>(banks), 0);
  out.activations.assign(static_cast<std::size_t>(banks), 0);
  int64_t last_col = 0;

  for (int64_t now = 0; left > 0; ++now) {
    for (int64_t ch = 0; ch < channels; ++ch) {
      // The oldest ready column command, and the oldest ready row command.
      int64_t col_bank = -1, row_bank = -1;
      uint64_t col_age = ~uint64_t{0}, row_age = ~uint64_t{0};
      for (int64_t k = 0; k < banks; ++k) {
        const BankCoordinates& c = map.coordinates(k);
        Bank& b = bank[static_cast<std::size_t>(k)];
        if (c.channel != ch || b.queue.empty()) continue;
        const auto rank = static_cast<std::size_t>(c.channel * ranks + c.rank);
        const auto bg = static_cast<std::size_t>(rank * static_cast<std::size_t>(groups) + static_cast<std::size_t>(c.bank_group));
        const Request& r = b.queue.front();
        const int64_t open = open_rows[static_cast<std::size_t>(k)];
        if (open == r.row) {
          const bool ready = now >= b.act + t.rcd && now >= ch_col[static_cast<std::size_t>(ch)] + std::max(t.ccd_s, burst) &&
                             now >= bg_col[bg] + t.ccd_l;
          if (ready && r.order < col_age) {
            col_bank = k;
            col_age = r.order;
          }
        } else if (open >= 0) {
          if (now >= std::max(b.act + t.ras, b.col_done) && r.order < row_age) {
            row_bank = k;
            row_age = r.order;
          }
        } else {
          const std::vector<int64_t>& acts = rank_acts[rank];
          const bool ready = now >= b.pre + t.rp && now >= bg_act[bg] + t.rrd_l &&
                             (acts.empty() || now >= acts.back() + t.rrd_s) &&
                             (acts.size() < 4 || now >= acts[acts.size() - 4] + t.faw);
          if (ready && r.order < row_age) {
            row_bank = k;
            row_age = r.order;
          }
        }
      }
      if (col_bank >= 0) {
        const auto k = static_cast<std::size_t>(col_bank);
        const BankCoordinates& c = map.coordinates(col_bank);
        const auto bg = static_cast<std::size_t>((c.channel * ranks + c.rank) * groups + c.bank_group);
        Bank& b = bank[k];
        b.col = now;
        b.col_done = now + close;
        ch_col[static_cast<std::size_t>(ch)] = now;
        bg_col[bg] = now;
        ++out.bursts[k];
        b.queue.pop_front();
        --left;
        last_col = std::max(last_col, now);
        if (policy == PagePolicy::Closed) {  // auto-precharge once tRAS and the access allow
          b.pre = std::max(b.act + t.ras, b.col_done);
          open_rows[k] = -1;
        }
      }
      if (row_bank >= 0 && row_bank != col_bank) {
        const auto k = static_cast<std::size_t>(row_bank);
        const BankCoordinates& c = map.coordinates(row_bank);
        const auto rank = static_cast<std::size_t>(c.channel * ranks + c.rank);
        const auto bg = static_cast<std::size_t>(rank * static_cast<std::size_t>(groups) + static_cast<std::size_t>(c.bank_group));
        Bank& b = bank[k];
        if (open_rows[k] >= 0) {  // precharge the row the next request does not want
          b.pre = now;
          open_rows[k] = -1;
        } else {
          b.act = now;
          rank_acts[rank].push_back(now);
          bg_act[bg] = now;
          open_rows[k] = b.queue.front().row;
          ++out.activations[k];
        }
      }
    }
  }
  out.end_s = static_cast<double>(last_col + (write ? t.cwl : t.cl) + burst) * t.tck_s;
  return out;
}

}  // namespace qnnsim::test
