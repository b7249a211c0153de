// Achieved bandwidth of the DRAM device model for streaming reads, random
// 64 B reads and a strided pattern, on each shipped device with the channel
// counts of the shipped variants, against figures derived by hand from the
// JEDEC timing below and against the request-level controller
// (dram_reference.cpp). Refresh stretches busy time by tREFI / (tREFI - tRFC).
//
// DDR4-3200, one 64-bit channel, 25.6 GB/s peak, 64 B bursts of 4 clocks
// (0.625 ns), 16 banks with 64 B interleaving, 8 KiB rows; refresh x 12480/11920.
//   Streaming 1 MiB: 16384 bursts on the bus, 16384 x 4 = 65536 clocks, the
//     first column after tRCD 22, the last burst done tCL + 4 = 26 later:
//     (65514 + 22) x 1.04698 + 26 = 68641 clocks = 42.90 us -> 24.44 GB/s (95.5%).
//   Random 64 B, 2048 reads: one activation each, four per tFAW = 34 clocks:
//     the last of 2048 after floor(2047 / 4) x 34 = 17374, its column 22
//     later: (17396) x 1.04698 + 26 = 18239 clocks = 11.40 us -> 11.50 GB/s (44.9%).
//   64 B every 8 KiB, 2048 reads: 8 KiB = 128 bursts, a multiple of 16, so
//     every read hits bank 0, 16 to a row (a row stripe is 128 KiB). Each row
//     visit: tRCD + 15 tCCD_L + tRTP = 22 + 120 + 12 = 154 > tRAS 52, then tRP
//     22: 176 clocks; 128 rows: 127 x 176 + 22 + 120 = 22494 clocks,
//     x 1.04698 + 26 = 23577 clocks = 14.74 us -> 8.89 GB/s (34.7%).
//
// LPDDR4-3200, two 16-bit channels, 12.8 GB/s peak, 32 B bursts of 8 clocks,
// 8 banks per channel with 256 B interleaving, 2 KiB rows; refresh x 6246/5798.
//   Streaming 1 MiB: 16384 bursts per channel: (29 + 16383 x 8) x 1.07727 +
//     tCL 28 + 8 = 141258 clocks = 88.29 us -> 11.88 GB/s (92.8%).
//   64 B every 8 KiB: 8 KiB is 32 chunks of 256 B, a multiple of the 16
//     banks of both channels: all in channel 0, bank 0, four to a 2 KiB row
//     (a stripe is 32 KiB). A visit: tRCD + 7 tCCD + tRTP = 29 + 56 + 12 = 97
//     > tRAS 68, then tRP 29: 126 clocks; 512 visits: 511 x 126 + 29 + 56 =
//     64471, x 1.07727 + 36 = 69489 clocks = 43.43 us -> 3.018 GB/s (23.6%).
//
// HBM2, eight 128-bit channels, 256 GB/s peak, 64 B bursts of 2 clocks (1 ns),
// 16 banks per channel with 64 B interleaving, 1 KiB rows; refresh x 3900/3640.
//   Streaming 1 MiB: 2048 bursts per channel: (14 + 2047 x 2) x 1.07143 +
//     tCL 14 + 2 = 4417 ns -> 237.4 GB/s (92.7%).
//   64 B every 8 KiB: 8 KiB = 128 bursts, a multiple of all 128 banks: all in
//     channel 0, bank 0, 16 to a row. A visit: 14 + 15 x 2 + tRTP 6 = 50 > tRAS
//     34, then tRP 14: 64 ns; 128 visits: 127 x 64 + 14 + 30 = 8172, x 1.07143
//     + 16 = 8772 ns -> 14.94 GB/s (5.8%).
// Random reads spread unevenly over several channels, so on LPDDR4 and HBM2
// they are checked against the request-level controller only.
#include <catch2/catch.hpp>

#include <random>

#include "dram/transfer_time.h"
#include "dram_reference.h"
#include "support.h"

namespace qnnsim {
namespace {

using Runs = std::vector<std::pair<uint64_t, uint64_t>>;

struct Device {
  DramDeviceSpec spec;
  AddressMap map;
};

Device device(const std::string& name, int64_t channels, int64_t grain) {
  DramDeviceSpec d = parse_dram_device(ConfigNode::load_file(test::shipped("configs/dram/" + name + ".yaml")));
  AddressMap map(d.burst_bytes(), d.row_bytes(), d.rows, {channels, 1, d.bank_groups, d.banks_per_group},
                 {DramField::Channel, DramField::BankGroup, DramField::Bank, DramField::Rank}, grain);
  return {std::move(d), std::move(map)};
}

// Bytes per second of one read transfer of `runs` from precharged banks, and
// the same from the request-level controller.
std::pair<double, double> bandwidth(const Device& dev, const Runs& runs) {
  RowBuffers rows(dev.map.banks());
  TransferShape shape(dev.map.banks());
  double bytes = 0;
  for (const auto& [byte, n] : runs) {
    add_run(dev.map, PagePolicy::Open, byte, n, rows, shape);
    bytes += static_cast<double>(n);
  }
  const TransferTime t = transfer_time(dev.spec, dev.map, shape, false);
  const double closed = t.span_s + refresh_s(dev.spec.timing, t.span_s) + t.tail_s;
  std::vector<int64_t> open(static_cast<std::size_t>(dev.map.banks()), -1);
  const test::ReferenceResult ref = test::reference_transfer(dev.spec, dev.map, PagePolicy::Open, runs, open, false);
  const double ref_s = ref.end_s + refresh_s(dev.spec.timing, ref.end_s - t.tail_s);
  return {bytes / closed, bytes / ref_s};
}

Runs stream(uint64_t bytes) { return {{0, bytes}}; }
Runs random_reads(int n, uint64_t size) {
  std::mt19937_64 rng(7);
  Runs r;
  for (int i = 0; i < n; ++i) r.push_back({(rng() % (uint64_t{1} << 30)) / size * size, size});
  return r;
}
Runs strided(int n, uint64_t size, uint64_t stride) {
  Runs r;
  for (int i = 0; i < n; ++i) r.push_back({static_cast<uint64_t>(i) * stride, size});
  return r;
}

void check(const char* what, const Device& dev, const Runs& runs, double expected_gb_s) {
  const auto [closed, ref] = bandwidth(dev, runs);
  const double peak = dev.spec.peak_bits_per_s() / 8 * static_cast<double>(dev.map.count(DramField::Channel));
  WARN(dev.spec.standard << " " << what << ": " << closed / 1e9 << " GB/s (" << 100 * closed / peak
                         << "% of peak), request-level " << ref / 1e9 << " GB/s");
  if (expected_gb_s > 0) CHECK(closed / 1e9 == Approx(expected_gb_s).epsilon(0.005));
  CHECK(closed == Approx(ref).epsilon(0.15));
}

TEST_CASE("DDR4-3200 bandwidth: streaming, random 64 B and strided reads match the hand derivation", "[dram]") {
  const Device ddr4 = device("ddr4_3200", 1, 64);
  check("streaming 1 MiB", ddr4, stream(1 << 20), 24.44);
  check("random 64 B", ddr4, random_reads(2048, 64), 11.50);
  check("64 B every 8 KiB", ddr4, strided(2048, 64, 8192), 8.89);
}

TEST_CASE("LPDDR4-3200 and HBM2 bandwidth: streaming, random 64 B and strided reads", "[dram]") {
  const Device lpddr4 = device("lpddr4_3200", 2, 256);
  check("streaming 1 MiB", lpddr4, stream(1 << 20), 11.88);
  check("random 64 B", lpddr4, random_reads(2048, 64), 0);
  check("64 B every 8 KiB", lpddr4, strided(2048, 64, 8192), 3.018);
  const Device hbm2 = device("hbm2", 8, 64);
  check("streaming 1 MiB", hbm2, stream(1 << 20), 237.4);
  check("random 64 B", hbm2, random_reads(2048, 64), 0);
  check("64 B every 8 KiB", hbm2, strided(2048, 64, 8192), 14.94);
}

}  // namespace
}  // namespace qnnsim
