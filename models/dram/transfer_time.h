#pragma once
// A transfer's time in closed form from its row-hit/miss pattern and its
// bank parallelism. Each shared resource gives a lower bound on the time from
// the first command to the last column command, and the transfer takes the
// largest (the resources work in parallel, so the busiest one sets the pace):
//   - the channel's data bus and column-command spacing (tBURST, tCCD_S),
//     and each bank group's (tCCD_L);
//   - each bank, serially: its first row's opening (a hit, tRCD, or
//     tRP + tRCD), then per further row visit max(tRAS, tRCD + column
//     commands + read-to-precharge or write recovery) + tRP;
//   - each rank's activations: tRRD_S apart, at most four per tFAW, tRRD_L
//     apart within a bank group.
// The data of the last column command arrives tCL (reads) or tCWL (writes)
// plus one burst later: the tail, which later transfers may overlap.
#include "dram/dram_device_spec.h"
#include "dram/row_buffers.h"

namespace qnnsim {

struct TransferTime {
  double span_s = 0;  // first command to last column command
  double tail_s = 0;  // last column command to the end of its data
};

TransferTime transfer_time(const DramDeviceSpec& device, const AddressMap& map, const TransferShape& shape,
                           bool write);

// Each rank stops for tRFC in every tREFI, so busy time stretches by
// tREFI / (tREFI - tRFC) on average: the refresh time `busy_s` of work costs.
inline double refresh_s(const DramTiming& t, double busy_s) { return busy_s * t.s(t.rfc) / t.s(t.refi - t.rfc); }

}  // namespace qnnsim
