#pragma once
// The SystemC targets of the level engine (level_engine.h): one for each
// level of a level design (a storage level's ports, or a fan-out's network)
// and one for the compute units. A transaction carries one step's counts of
// one kind (schedule/level_walk.h); the target counts its level's share and
// books the time its ports need on their calendars.
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/calendar.h"
#include "schedule/level_design.h"

namespace qnnsim {

struct LevelTransfer : tlm::tlm_extension<LevelTransfer> {
  int layer = 0;
  const LevelDesign* design = nullptr;    // the layer's design: its bandwidths and units
  const LevelNestCounts* counts = nullptr;  // the step's counts of one kind, every level's
  tlm::tlm_extension_base* clone() const override { return new LevelTransfer(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const LevelTransfer&>(other); }
};

// One level, all its instances: they move their shares at once (the mapping
// spreads a level's traffic evenly), so one instance's time is the level's.
// Its ports (shared, or read and write) and a fan-out's networks each keep a
// calendar: a transfer books each for its own part, so reads going down and
// partial sums coming up on other wires pass each other.
class LevelPort : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<LevelPort> socket;
  LevelPort(sc_core::sc_module_name name, std::size_t level, std::size_t layers, const sc_core::sc_time& cycle);
  const LevelAccesses& counted(std::size_t layer) const { return counted_[layer]; }
  // The cycles of its transfers, each the time of its slowest port or network.
  uint64_t busy_cycles(std::size_t layer) const { return busy_[layer]; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  std::size_t level_;
  sc_core::sc_time cycle_;
  std::vector<Calendar> calendars_;  // one a port or network (level_lane_cycles)
  std::vector<LevelAccesses> counted_;  // per layer
  std::vector<uint64_t> busy_;          // per layer
};

// The compute units: a transaction is a step's burst of `counts->cycles`.
class LevelComputeUnits : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<LevelComputeUnits> socket;
  LevelComputeUnits(sc_core::sc_module_name name, std::size_t layers, const sc_core::sc_time& cycle);
  uint64_t computes(std::size_t layer) const { return computes_[layer]; }
  uint64_t cycles(std::size_t layer) const { return cycles_[layer]; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  sc_core::sc_time cycle_;
  Calendar calendar_;
  std::vector<uint64_t> computes_, cycles_;  // per layer
};

}  // namespace qnnsim
