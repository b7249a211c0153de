#pragma once
// A request-by-request DRAM controller for the tests, independent of the
// closed form it checks. Every burst of a transfer is a request, queued at
// its bank in address order. Clock by clock, each channel issues at most one
// row command (ACT or PRE) and one column command (RD or WR), each the
// oldest ready one, once every JEDEC constraint allows it: tRCD, tRP, tRAS,
// tRTP / write recovery, tRRD_S/L, tFAW, tCCD_S/L and the data bus. A bank
// precharges only when its next request needs another row (open page), or
// after every access (closed page, auto-precharge). Like the closed form, it
// does not count command-bus slots.
#include <cstdint>
#include <utility>
#include <vector>

#include "dram/address_map.h"
#include "dram/dram_device_spec.h"
#include "dram/row_buffers.h"

namespace qnnsim::test {

struct ReferenceResult {
  double end_s = 0;  // the last burst's data done, from the transfer's first command
  std::vector<uint64_t> bursts, activations;  // per bank
};

// `runs` are (byte address, bytes); `open_rows` the rows open at the start (-1: precharged), updated.
ReferenceResult reference_transfer(const DramDeviceSpec& device, const AddressMap& map, PagePolicy policy,
                                   const std::vector<std::pair<uint64_t, uint64_t>>& runs,
                                   std::vector<int64_t>& open_rows, bool write);

}  // namespace qnnsim::test
