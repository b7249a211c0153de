#pragma once
// Base of every SystemC target: one TLM-2.0 target socket, a b_transport that
// adds the tile's service time to the annotated delay, and the component's
// action counters. Shared bandwidth is a Calendar of busy intervals per lane
// (core/calendar.h); results depend on the quantum only through the order in
// which overlapping requests are booked (under 1% on the shipped networks).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/action_log.h"
#include "core/calendar.h"
#include "core/component_stats.h"
#include "arch/work.h"
#include "workload/layer.h"

namespace qnnsim {

class ComponentSpec;

class ComponentModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ComponentModule> socket;

  ComponentModule(sc_core::sc_module_name name, const ComponentSpec& spec);

  // Before simulation: declare the actions each layer will count (not on the hot path).
  virtual void prepare(const std::vector<Layer>& layers) = 0;

  // After the run, once per layer: the span of simulated time the layer took,
  // for what a component spends by time rather than by tile (a DRAM's
  // refresh and standby). Most components spend nothing by time.
  virtual void account_time(int /*layer*/, double /*start_s*/, double /*end_s*/) {}
  // After the run: figures beyond the action counts, if the component has any.
  virtual std::optional<ComponentStats> stats(double /*run_s*/) const { return std::nullopt; }
  // After the run, once per layer: the same kind of figures for that layer
  // alone (named as the CSV's columns, e.g. dram_row_hit_fraction), over the
  // layer's span of `layer_s`.
  virtual void layer_figures(int /*layer*/, double /*layer_s*/, std::map<std::string, double>& /*out*/) const {}

  const ComponentSpec& spec() const { return spec_; }
  const ActionLog& log() const { return log_; }

  // Tile replay (controller/tile_replay.h). A component can have a tile's
  // effect replayed when its answers depend only on its calendars, its
  // action counts and what state_key() appends. Each says so itself: a new
  // component is simulated tile by tile until it does, and one with other
  // state (a DRAM device's open rows and refresh timer, sums kept as
  // floating point) never does.
  virtual bool replayable() const { return false; }
  // Whatever besides the calendars decides how the component serves a tile.
  virtual void state_key(std::vector<uint64_t>& /*out*/) const {}
  // No lane has anything booked to end after `t`.
  bool idle_after(const sc_core::sc_time& t) const;
  // Every lane's bookings still ahead of `now`, relative to it (periodic
  // replay compares the state of two moments by this and state_key()).
  void calendars_key(const sc_core::sc_time& now, std::vector<uint64_t>& out) const;
  // A replayed tile's action counts, added to one layer.
  void replay_counts(int layer, const std::vector<uint64_t>& counts) { log_.add_row(layer, counts); }

 protected:
  // Serve one tile: count actions and return when it completes, as an offset
  // from sc_time_stamp() (the initiator's annotated delay comes in the same way).
  virtual void serve(Work& work, sc_core::sc_time& delay) = 0;

  // Reserve the shared resource for `busy` of its time, starting no earlier
  // than the request. Returns the completion time as an offset from now.
  // A component with several independent resources (networks, ports) books
  // each on its own calendar: `lane` picks it (see set_lanes).
  sc_core::sc_time reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy, std::size_t lane = 0);
  // Lanes are separate units of hardware, so each is its own track on the
  // timeline, named "<instance> <what>" (`noc weights`); one lane keeps the
  // instance's name.
  void set_lanes(const std::vector<std::string>& what);

  // Durations from seconds without sc_time's unit conversion on the hot path.
  // Beyond SystemC's range the value saturates; reserve() then reports the overflow.
  sc_core::sc_time seconds(double s) const {
    const double ticks = s * ticks_per_second_ + 0.5;
    // The kernel's largest time, asked once (a library call on every tile was 3% of a run).
    if (max_ticks_ == 0) max_ticks_ = sc_core::sc_max_time().value();
    const double most = static_cast<double>(max_ticks_);
    return sc_core::sc_time::from_value(ticks >= most ? max_ticks_ : static_cast<sc_dt::uint64>(ticks));
  }

  ActionLog log_;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  const ComponentSpec& spec_;
  std::vector<Calendar> calendars_{1};
  std::vector<std::string> tracks_;  // the timeline track of each lane
  std::size_t lane_ = 0;             // the lane the tile being served booked
  const double ticks_per_second_;
  mutable sc_dt::uint64 max_ticks_ = 0;
};

}  // namespace qnnsim
