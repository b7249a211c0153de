#include "sim/level_modules.h"

#include <algorithm>

#include "schedule/level_cycles.h"

namespace qnnsim {

namespace {

const LevelTransfer* transfer_of(tlm::tlm_generic_payload& trans) {
  LevelTransfer* t = nullptr;
  trans.get_extension(t);
  if (t == nullptr || t->design == nullptr || t->counts == nullptr) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return nullptr;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return t;
}

}  // namespace

LevelPort::LevelPort(sc_core::sc_module_name name, std::size_t level, std::size_t layers, const sc_core::sc_time& cycle)
    : sc_core::sc_module(name), socket("socket"), level_(level), cycle_(cycle), counted_(layers), busy_(layers, 0) {
  socket.register_b_transport(this, &LevelPort::b_transport);
}

void LevelPort::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const LevelTransfer* t = transfer_of(trans);
  if (t == nullptr) return;
  const auto layer = static_cast<std::size_t>(t->layer);
  LevelAccesses& mine = counted_[layer];
  const LevelAccesses& step = t->counts->level[level_];
  for (int o = 0; o < kOperands; ++o) {
    TensorAccesses& a = mine.tensor[o];
    const TensorAccesses& s = step.tensor[o];
    a.reads += s.reads;
    a.fills += s.fills;
    a.updates += s.updates;
    a.drains += s.drains;
    a.block = std::max(a.block, s.block);
  }
  mine.instances_used = step.instances_used;
  // Each port (and, for a fan-out, each network) moves its part on its own;
  // the transfer is done when the last of them is.
  const LevelLanes lanes = level_lane_cycles(*t->design, *t->counts, level_);
  if (calendars_.size() < lanes.size()) calendars_.resize(lanes.size());
  const sc_core::sc_time start = delay;
  uint64_t longest = 0;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    if (lanes[i] == 0) continue;
    longest = std::max(longest, lanes[i]);
    delay = std::max(delay, calendars_[i].reserve(start, sc_core::sc_time::from_value(cycle_.value() * lanes[i]), name()));
  }
  busy_[layer] += longest;
}

LevelComputeUnits::LevelComputeUnits(sc_core::sc_module_name name, std::size_t layers, const sc_core::sc_time& cycle)
    : sc_core::sc_module(name), socket("socket"), cycle_(cycle), computes_(layers, 0), cycles_(layers, 0) {
  socket.register_b_transport(this, &LevelComputeUnits::b_transport);
}

void LevelComputeUnits::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const LevelTransfer* t = transfer_of(trans);
  if (t == nullptr) return;
  const auto layer = static_cast<std::size_t>(t->layer);
  computes_[layer] += t->counts->computes;
  cycles_[layer] += t->counts->cycles;
  if (t->counts->cycles > 0) delay = calendar_.reserve(delay, sc_core::sc_time::from_value(cycle_.value() * t->counts->cycles), name());
}

}  // namespace qnnsim
