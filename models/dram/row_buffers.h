#pragma once
// Row-buffer bookkeeping of one transfer: which bursts land in which bank,
// and how many row activations they need given the rows left open by earlier
// transfers. Counted per (bank, stripe) in closed form from the address map,
// never per burst, so a tile costs the same however many bytes it moves.
#include <cstdint>
#include <vector>

#include "dram/address_map.h"

namespace qnnsim {

// Open page keeps a row open until another row of its bank is needed; closed
// page precharges after every access (DRAMSys' Closed policy: each burst is a
// read or write with auto-precharge, so each needs its own activation).
enum class PagePolicy { Open, Closed };

// How one transfer uses one bank. Bursts are served per bank in address order.
struct BankLoad {
  // The bank's state when the transfer first reaches it.
  enum class Start { Untouched, Hit, Empty, Conflict };
  uint64_t bursts = 0;
  uint64_t activations = 0;
  uint64_t visits = 0;  // row visits: each activation, plus a first visit that found its row open
  Start start = Start::Untouched;
  uint64_t hits() const { return bursts - activations; }
};

// The rows each bank holds open between transfers (-1: precharged).
class RowBuffers {
 public:
  explicit RowBuffers(int64_t banks) : open_(static_cast<std::size_t>(banks), -1) {}
  int64_t& operator[](int64_t bank) { return open_[static_cast<std::size_t>(bank)]; }

 private:
  std::vector<int64_t> open_;
};

// One stripe's share of a run, per bank: a phase of the transfer. A bank
// serves its bursts in address order, so its next row opens only once its
// bursts of this stripe are done: phases follow one another. `repeat` counts
// identical whole stripes in a row.
struct Phase {
  std::vector<uint64_t> bursts, activations;
  uint64_t repeat = 1;
};

struct TransferShape {
  explicit TransferShape(int64_t banks) : banks(static_cast<std::size_t>(banks)) {}
  void clear() {
    for (BankLoad& b : banks) b = BankLoad{};
    phases.clear();
  }
  std::vector<BankLoad> banks;
  std::vector<Phase> phases;
};

// Adds the bursts covering bytes [byte, byte + bytes) to `shape`, updating the open rows.
void add_run(const AddressMap& map, PagePolicy policy, uint64_t byte, uint64_t bytes, RowBuffers& rows,
             TransferShape& shape);

}  // namespace qnnsim
