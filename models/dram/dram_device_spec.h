#pragma once
// One DRAM standard as a device file describes it (configs/dram/NAME.yaml):
// the organization of a channel, its JEDEC timing in clock cycles, and the
// IDD currents of each supply for the DRAMPower energy method. Parsed and
// checked once; the address map, the closed-form timing and the energy model
// read it.
#include <cstdint>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace qnnsim {

// Currents of one supply (DDR4: VDD; LPDDR4: VDD1 and VDD2), per device.
struct DramSupply {
  double voltage_v = 0;
  double idd0_a = 0;   // one bank activate-precharge, at tRC
  double idd2n_a = 0;  // precharge standby
  double idd3n_a = 0;  // active standby
  double idd4r_a = 0;  // burst read
  double idd4w_a = 0;  // burst write
  double idd5_a = 0;   // all-bank refresh burst, over tRFC
};

// JEDEC timing parameters in clock cycles of tck_s.
struct DramTiming {
  double tck_s = 0;
  int64_t cl = 0, cwl = 0, rcd = 0, rp = 0, ras = 0, ccd_s = 0, ccd_l = 0, rrd_s = 0, rrd_l = 0, faw = 0, wr = 0,
          wtr = 0, rtp = 0, rfc = 0, refi = 0;
  double s(int64_t cycles) const { return static_cast<double>(cycles) * tck_s; }
};

struct DramDeviceSpec {
  std::string standard;      // e.g. "DDR4-3200"
  int64_t burst_length = 0;  // beats per column access
  int64_t channel_width_bits = 0;
  int64_t devices_per_rank = 0;
  int64_t device_width_bits = 0;
  int64_t bank_groups = 0;
  int64_t banks_per_group = 0;
  int64_t rows = 0;
  int64_t columns = 0;  // per row, each device_width bits wide
  DramTiming timing;
  std::vector<DramSupply> supplies;

  // Double data rate: two beats per clock.
  double burst_s() const { return static_cast<double>(burst_length) / 2.0 * timing.tck_s; }
  int64_t burst_bytes() const { return channel_width_bits * burst_length / 8; }
  int64_t row_bytes() const { return columns * device_width_bits * devices_per_rank / 8; }
  double peak_bits_per_s() const { return static_cast<double>(channel_width_bits) * 2.0 / timing.tck_s; }
};

// Reads the device file an arch's DRAM names at `key`: a shipped name
// (configs/dram/NAME.yaml) or a path relative to the arch file.
DramDeviceSpec load_dram_device(const ConfigNode& arch_node, const std::string& key);

// Parses a device file's root node (exposed for tests).
DramDeviceSpec parse_dram_device(const ConfigNode& root);

}  // namespace qnnsim
