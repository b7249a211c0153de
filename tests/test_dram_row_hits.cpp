// Row-buffer hits on patterns derived by hand, on DDR4-3200
// (configs/dram/ddr4_3200.yaml): one channel, one rank, 4 bank groups x 4
// banks = 16 banks, 64 B bursts, 8 KiB rows (128 bursts per row and bank).
// With 64 B interleaving, burst x goes to bank x mod 16, and one stripe (row
// index) covers 16 x 8 KiB = 128 KiB.
#include <catch2/catch.hpp>

#include "dram/row_buffers.h"
#include "dram/dram_device_spec.h"
#include "support.h"

namespace qnnsim {
namespace {

struct Counts {
  uint64_t bursts = 0, activations = 0;
  double hit_rate() const { return static_cast<double>(bursts - activations) / static_cast<double>(bursts); }
};

Counts run(int64_t grain, PagePolicy policy, const std::vector<std::pair<uint64_t, uint64_t>>& runs,
           std::vector<BankLoad>* per_bank = nullptr) {
  const DramDeviceSpec d = parse_dram_device(ConfigNode::load_file(test::shipped("configs/dram/ddr4_3200.yaml")));
  const AddressMap map(d.burst_bytes(), d.row_bytes(), d.rows, {1, 1, d.bank_groups, d.banks_per_group},
                       {DramField::Channel, DramField::BankGroup, DramField::Bank, DramField::Rank}, grain);
  RowBuffers rows(map.banks());
  TransferShape shape(map.banks());
  for (const auto& [byte, bytes] : runs) add_run(map, policy, byte, bytes, rows, shape);
  Counts c;
  for (const BankLoad& b : shape.banks) {
    c.bursts += b.bursts;
    c.activations += b.activations;
  }
  if (per_bank != nullptr) *per_bank = shape.banks;
  return c;
}

TEST_CASE("streaming 1 MiB hits the open row in all but one burst per row", "[dram]") {
  // 1 MiB = 16384 bursts = 8 stripes: each bank gets 1024 bursts in 8 rows,
  // so 8 activations and 1016 hits: 1016 / 1024 = 0.9921875 in every bank.
  std::vector<BankLoad> banks;
  const Counts c = run(64, PagePolicy::Open, {{0, 1 << 20}}, &banks);
  CHECK(c.bursts == 16384);
  CHECK(c.activations == 128);
  for (const BankLoad& b : banks) CHECK(static_cast<double>(b.hits()) / static_cast<double>(b.bursts) == 0.9921875);
  // Row interleaving (a whole 8 KiB row per bank before the next bank) opens
  // the same rows in another order: the same counts.
  CHECK(run(8192, PagePolicy::Open, {{0, 1 << 20}}).activations == 128);
  // Closed page: every burst activates its row, no hits.
  CHECK(run(64, PagePolicy::Closed, {{0, 1 << 20}}).hit_rate() == 0.0);
}

TEST_CASE("a stride of one stripe misses every time and a stride of 1 KiB hits 127 of 128", "[dram]") {
  // 64 B every 128 KiB: bursts 0, 2048, 4096, ... all bank 0 (a multiple of
  // 16), each in the next row: 100 reads, 100 activations.
  std::vector<std::pair<uint64_t, uint64_t>> far, near;
  for (uint64_t i = 0; i < 100; ++i) far.push_back({i << 17, 64});
  const Counts f = run(64, PagePolicy::Open, far);
  CHECK(f.bursts == 100);
  CHECK(f.activations == 100);
  // 64 B every 1 KiB: bursts 0, 16, 32, ... again all bank 0, 128 of them per
  // 128 KiB stripe in one row: 256 reads over 2 stripes, 2 activations,
  // 254 hits.
  for (uint64_t i = 0; i < 256; ++i) near.push_back({i << 10, 64});
  const Counts n = run(64, PagePolicy::Open, near);
  CHECK(n.bursts == 256);
  CHECK(n.activations == 2);
  CHECK(n.hit_rate() == 254.0 / 256.0);
}

TEST_CASE("two tensors in one bank's rows conflict on every switch", "[dram]") {
  // Row interleaving: bytes 0-8 KiB lie in bank 0 row 0, and 1 MiB-1 MiB+8 KiB
  // in bank 0 row 8 (1 MiB = 8 stripes). Alternating 4 KiB halves of each,
  // four times: every switch reopens the other row: 8 activations for 8 x 64 bursts.
  std::vector<std::pair<uint64_t, uint64_t>> alternating;
  for (uint64_t i = 0; i < 4; ++i) {
    alternating.push_back({(i % 2) * 4096, 4096});
    alternating.push_back({(uint64_t{1} << 20) + (i % 2) * 4096, 4096});
  }
  const Counts c = run(8192, PagePolicy::Open, alternating);
  CHECK(c.bursts == 512);
  CHECK(c.activations == 8);
}

}  // namespace
}  // namespace qnnsim
