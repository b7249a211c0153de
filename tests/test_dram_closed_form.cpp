// The DRAM device's closed form (row_buffers + transfer_time) against the
// request-by-request reference scheduler (dram_reference.cpp) on random
// tiles: a tile is one to four runs of bytes at random places and lengths,
// some of them strided pieces, read or written, after earlier tiles left rows
// open. Row-buffer counts must agree exactly; the time within 15% on every
// tile and within 5% summed over the tiles (the closed form spreads a bank's
// bursts evenly over its row visits and lets a phase's activations and bursts
// overlap as a controller with perfect look-ahead within the phase would).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "dram/transfer_time.h"
#include "dram_reference.h"
#include "support.h"

namespace qnnsim {
namespace {

struct Setup {
  const char* device;
  int64_t channels, ranks;
  std::array<DramField, 4> order;
  int64_t grain;  // interleave bytes
  PagePolicy policy;
  double tile_tolerance;   // largest deviation of one tile's time, as a fraction
  double total_tolerance;  // of the time summed over the tiles
};

void compare_on_random_tiles(const Setup& s) {
  const DramDeviceSpec d = parse_dram_device(ConfigNode::load_file(test::shipped(std::string("configs/dram/") + s.device + ".yaml")));
  const AddressMap map(d.burst_bytes(), d.row_bytes(), d.rows, {s.channels, s.ranks, d.bank_groups, d.banks_per_group},
                       s.order, s.grain);
  std::mt19937_64 rng(12345);
  RowBuffers rows(map.banks());
  std::vector<int64_t> ref_rows(static_cast<std::size_t>(map.banks()), -1);
  double closed_total = 0, reference_total = 0, worst = 0;
  for (int tile = 0; tile < 60; ++tile) {
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    const int count = 1 + static_cast<int>(rng() % 4);
    const uint64_t base = rng() % (uint64_t{64} << 20);
    const uint64_t stride = (rng() % 2 == 0) ? 0 : (uint64_t{1} << (6 + rng() % 12));  // 64 B to 128 KiB
    for (int i = 0; i < count; ++i) {
      const uint64_t length = 1 + rng() % (rng() % 3 == 0 ? 256 : (uint64_t{96} << 10));
      runs.push_back({stride == 0 ? rng() % (uint64_t{64} << 20) : base + static_cast<uint64_t>(i) * stride, length});
    }
    const bool write = rng() % 3 == 0;
    TransferShape shape(map.banks());
    for (const auto& [byte, bytes] : runs) add_run(map, s.policy, byte, bytes, rows, shape);
    const TransferTime closed = transfer_time(d, map, shape, write);
    const test::ReferenceResult ref = test::reference_transfer(d, map, s.policy, runs, ref_rows, write);
    for (int64_t k = 0; k < map.banks(); ++k) {
      INFO("tile " << tile << " bank " << k);
      REQUIRE(shape.banks[static_cast<std::size_t>(k)].bursts == ref.bursts[static_cast<std::size_t>(k)]);
      REQUIRE(shape.banks[static_cast<std::size_t>(k)].activations == ref.activations[static_cast<std::size_t>(k)]);
    }
    const double c = closed.span_s + closed.tail_s;
    INFO("tile " << tile << ": closed form " << c * 1e9 << " ns, reference " << ref.end_s * 1e9 << " ns");
    CHECK(std::abs(c - ref.end_s) <= s.tile_tolerance * ref.end_s);
    worst = std::max(worst, std::abs(c - ref.end_s) / ref.end_s);
    closed_total += c;
    reference_total += ref.end_s;
  }
  INFO("worst tile " << worst * 100 << "%, totals " << closed_total * 1e9 << " vs " << reference_total * 1e9 << " ns");
  CHECK(std::abs(closed_total - reference_total) <= s.total_tolerance * reference_total);
  WARN(s.device << ": worst tile " << worst * 100 << "%, total " << (closed_total / reference_total - 1) * 100 << "%");
}

const std::array<DramField, 4> kBurstInterleave{DramField::Channel, DramField::BankGroup, DramField::Bank, DramField::Rank};

TEST_CASE("DDR4 closed form matches request-by-request scheduling with open pages", "[dram]") {
  compare_on_random_tiles({"ddr4_3200", 1, 1, kBurstInterleave, 64, PagePolicy::Open, 0.15, 0.05});
}

TEST_CASE("DDR4 closed form matches request-by-request scheduling on two ranks with row interleaving", "[dram]") {
  compare_on_random_tiles({"ddr4_3200", 1, 2, {DramField::Rank, DramField::Channel, DramField::Bank, DramField::BankGroup},
                           8192, PagePolicy::Open, 0.15, 0.05});
}

TEST_CASE("DDR4 closed form matches request-by-request scheduling with closed pages", "[dram]") {
  compare_on_random_tiles({"ddr4_3200", 1, 1, kBurstInterleave, 256, PagePolicy::Closed, 0.15, 0.05});
}

TEST_CASE("LPDDR4 closed form matches request-by-request scheduling on two channels", "[dram]") {
  compare_on_random_tiles({"lpddr4_3200", 2, 1, kBurstInterleave, 256, PagePolicy::Open, 0.15, 0.05});
}

TEST_CASE("HBM2 closed form matches request-by-request scheduling on eight channels", "[dram]") {
  compare_on_random_tiles({"hbm2", 8, 1, kBurstInterleave, 64, PagePolicy::Open, 0.15, 0.05});
}

}  // namespace
}  // namespace qnnsim
