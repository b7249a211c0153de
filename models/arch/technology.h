#pragma once
// The technology section of an architecture: process node, clock, supply.
namespace qnnsim {

struct Technology {
  double node_m = 0;     // feature size
  double clock_hz = 0;   // core clock of the on-chip logic
  double voltage_v = 0;  // supply
  double period_s() const { return 1.0 / clock_hz; }
};

}  // namespace qnnsim
