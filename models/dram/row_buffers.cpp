#include "dram/row_buffers.h"

namespace qnnsim {

namespace {

// `n` bursts of one bank, all in `row`; returns the activations they need.
uint64_t touch(PagePolicy policy, int64_t bank, int64_t row, uint64_t n, RowBuffers& rows, BankLoad& b) {
  if (policy == PagePolicy::Closed) {
    if (b.start == BankLoad::Start::Untouched) b.start = BankLoad::Start::Empty;
    b.activations += n;
    b.visits += n;
    b.bursts += n;
    return n;
  }
  uint64_t activations = 0;
  int64_t& open = rows[bank];
  if (open == row) {
    if (b.bursts == 0) {  // the transfer's first visit to this bank finds its row open
      b.start = BankLoad::Start::Hit;
      ++b.visits;
    }
  } else {
    if (b.start == BankLoad::Start::Untouched) b.start = open < 0 ? BankLoad::Start::Empty : BankLoad::Start::Conflict;
    ++b.activations;
    ++b.visits;
    open = row;
    activations = 1;
  }
  b.bursts += n;
  return activations;
}

// Every bank's bursts within one stripe, [lo, hi) in burst units.
void add_stripe(const AddressMap& map, PagePolicy policy, uint64_t lo, uint64_t hi, RowBuffers& rows,
                TransferShape& shape) {
  const int64_t row = map.row_of(lo);
  Phase phase;
  phase.bursts.assign(static_cast<std::size_t>(map.banks()), 0);
  phase.activations.assign(static_cast<std::size_t>(map.banks()), 0);
  for (int64_t k = 0; k < map.banks(); ++k) {
    const auto i = static_cast<std::size_t>(k);
    phase.bursts[i] = map.bursts_below(hi, k) - map.bursts_below(lo, k);
    if (phase.bursts[i] > 0) phase.activations[i] = touch(policy, k, row, phase.bursts[i], rows, shape.banks[i]);
  }
  shape.phases.push_back(std::move(phase));
}

}  // namespace

void add_run(const AddressMap& map, PagePolicy policy, uint64_t byte, uint64_t bytes, RowBuffers& rows,
             TransferShape& shape) {
  if (bytes == 0) return;
  const uint64_t burst = static_cast<uint64_t>(map.burst_bytes());
  const uint64_t x0 = byte / burst;
  const uint64_t x1 = (byte + bytes + burst - 1) / burst;
  const uint64_t s0 = map.stripe_of(x0), s1 = map.stripe_of(x1 - 1);
  const uint64_t S = map.stripe_bursts();
  if (s0 == s1) {
    add_stripe(map, policy, x0, x1, rows, shape);
    return;
  }
  add_stripe(map, policy, x0, (s0 + 1) * S, rows, shape);
  // The first whole stripe may meet rows earlier transfers left open; the
  // ones after it open a new row in every bank (a run shorter than the
  // device never wraps back onto a row it opened).
  uint64_t s = s0 + 1;
  if (s < s1) {
    add_stripe(map, policy, s * S, (s + 1) * S, rows, shape);
    ++s;
  }
  if (s < s1) {
    const uint64_t stripes = s1 - s;
    const uint64_t per_bank = static_cast<uint64_t>(map.bursts_per_row());
    const int64_t last_row = map.row_of((s1 - 1) * S);
    Phase phase;
    phase.repeat = stripes;
    phase.bursts.assign(static_cast<std::size_t>(map.banks()), per_bank);
    phase.activations.assign(static_cast<std::size_t>(map.banks()), policy == PagePolicy::Closed ? per_bank : 1);
    for (int64_t k = 0; k < map.banks(); ++k) {
      BankLoad& b = shape.banks[static_cast<std::size_t>(k)];
      const uint64_t acts = policy == PagePolicy::Closed ? stripes * per_bank : stripes;
      b.activations += acts;
      b.visits += acts;
      b.bursts += stripes * per_bank;
      if (policy == PagePolicy::Open) rows[k] = last_row;
    }
    shape.phases.push_back(std::move(phase));
  }
  add_stripe(map, policy, s1 * S, x1, rows, shape);
}

}  // namespace qnnsim
