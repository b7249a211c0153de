#pragma once
// The TLM extension every transaction carries: which layer it belongs to and
// what tile-level work it asks for. One transaction moves or computes a whole
// tile; targets turn it into time (closed form) and action counts.
#include <cstdint>

#include <tlm>

namespace qnnsim {

struct Work : tlm::tlm_extension<Work> {
  enum class Kind {
    Read,         // memory: read `bits`
    Write,        // memory: write `bits`
    Transfer,     // NoC: move `bits` to `destinations` (multicast counts once on a bus)
    LoadWeights,  // PE array: write a rows_used x cols_used weight tile into the PEs
    Compute,      // PE array: stream `vectors` input vectors through the loaded weight tile
    Vector,       // vector unit: `ops` element operations
  };

  Kind kind = Kind::Read;
  int layer = 0;
  uint64_t bits = 0;
  uint64_t destinations = 1;
  uint64_t vectors = 0;
  int rows_used = 0;
  int cols_used = 0;
  uint64_t ops = 0;

  tlm::tlm_extension_base* clone() const override { return new Work(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const Work&>(other);
  }
};

}  // namespace qnnsim
