#include "arch/component_module.h"

#include <algorithm>

#include "core/trace_recorder.h"

namespace qnnsim {

namespace {
// A transaction's name on the timeline ("pass" is one compute step of the array).
const char* kind_name(Work::Kind k) {
  switch (k) {
    case Work::Kind::Read: return "read";
    case Work::Kind::Write: return "write";
    case Work::Kind::Transfer: return "transfer";
    case Work::Kind::LoadWeights: return "load weights";
    case Work::Kind::Fill: return "fill";
    case Work::Kind::Drain: return "drain";
    case Work::Kind::Compute: return "pass";
    case Work::Kind::Vector: return "vector op";
    case Work::Kind::Requantize: return "requantize";
    case Work::Kind::ZeroPointSums: return "zero-point sums";
  }
  return "?";
}
}  // namespace

ComponentModule::ComponentModule(sc_core::sc_module_name name, const ComponentSpec& spec)
    : sc_core::sc_module(name),
      socket("socket"),
      spec_(spec),
      tracks_{basename()},
      ticks_per_second_(1.0 / sc_core::sc_get_time_resolution().to_seconds()) {
  socket.register_b_transport(this, &ComponentModule::b_transport);
}

bool ComponentModule::idle_after(const sc_core::sc_time& t) const {
  return std::all_of(calendars_.begin(), calendars_.end(), [&](const Calendar& c) { return c.idle_after(t); });
}

void ComponentModule::calendars_key(const sc_core::sc_time& now, std::vector<uint64_t>& out) const {
  for (const Calendar& c : calendars_) c.relative_key(now, out);
}

void ComponentModule::set_lanes(const std::vector<std::string>& what) {
  calendars_.resize(std::max<std::size_t>(1, what.size()));
  tracks_.assign(calendars_.size(), basename());
  if (what.size() > 1)
    for (std::size_t i = 0; i < what.size(); ++i) tracks_[i] += " " + what[i];
}

sc_core::sc_time ComponentModule::reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy,
                                          std::size_t lane) {
  lane_ = lane;
  return calendars_.at(lane).reserve(delay, busy, name());
}

void ComponentModule::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  Work* work = nullptr;
  trans.get_extension(work);
  if (work == nullptr) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const sc_core::sc_time start = delay;
  lane_ = 0;
  serve(*work, delay);
  if (TraceRecorder* t = trace_recorder())
    t->slice(tracks_[lane_], kind_name(work->kind), work->layer, sc_core::sc_time_stamp() + start,
             sc_core::sc_time_stamp() + delay, work->bits);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace qnnsim
