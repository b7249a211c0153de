#pragma once
// Energy of one rank's actions from its devices' IDD currents, the method of
// DRAMPower (Chandrasekar et al., "Improved Power Modeling of DDR SDRAMs",
// DSD 2011; Chandrasekar, PhD thesis, TU Delft 2014): each current measured
// by JEDEC's IDD loops, less the standby current flowing anyway, over the
// time the action lasts, times the supply voltage, summed over supplies and
// devices. Background power is counted separately, by time.
//   activate + precharge: V (IDD0 tRC - IDD3N tRAS - IDD2N tRP)
//   read burst:           V (IDD4R - IDD3N) tBURST
//   write burst:          V (IDD4W - IDD3N) tBURST
//   all-bank refresh:     V (IDD5 - IDD3N) tRFC
//   standby:              V IDD3N with a row open, V IDD2N with all banks precharged
// I/O and termination power (DRAMPower's separate interface model) is not included.
#include "dram/dram_device_spec.h"

namespace qnnsim {

struct DramActionEnergy {
  double activate_pj = 0;  // one activation with its precharge
  double read_burst_pj = 0;
  double write_burst_pj = 0;
  double refresh_pj = 0;  // one all-bank refresh command
  double active_standby_w = 0;
  double precharged_standby_w = 0;
};

// Per rank: every device of the rank takes part in each action.
DramActionEnergy dram_action_energy(const DramDeviceSpec& device);

}  // namespace qnnsim
