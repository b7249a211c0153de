#include "arch/component_module.h"

#include <limits>
#include <stdexcept>

namespace qnnsim {

ComponentModule::ComponentModule(sc_core::sc_module_name name, const ComponentSpec& spec)
    : sc_core::sc_module(name),
      socket("socket"),
      spec_(spec),
      ticks_per_second_(1.0 / sc_core::sc_get_time_resolution().to_seconds()) {
  socket.register_b_transport(this, &ComponentModule::b_transport);
}

sc_core::sc_time ComponentModule::reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy) {
  using Tick = sc_dt::uint64;
  const Tick now = sc_core::sc_time_stamp().value();
  const Tick begin = now + delay.value();
  Tick need = busy.value();
  // 64-bit femtoseconds cover about five hours; past half of that a sum could wrap.
  const Tick limit = sc_core::sc_max_time().value() / 2;
  if (begin > limit || need > limit - begin)
    throw std::runtime_error(std::string(name()) + ": simulated time passed " +
                             std::to_string(static_cast<long>(sc_core::sc_time::from_value(limit).to_seconds())) +
                             " s, the range of SystemC time at femtosecond resolution; is a bandwidth or clock far too low?");

  // No request starts before now, so intervals that have ended are history.
  while (!busy_.empty() && busy_.begin()->second <= now) busy_.erase(busy_.begin());
  if (need == 0) return delay;

  // Walk the calendar from `begin`, taking free time until `need` is covered.
  auto it = busy_.upper_bound(begin);
  if (it != busy_.begin() && std::prev(it)->second > begin) --it;
  Tick cursor = begin;
  while (need > 0) {
    if (it != busy_.end() && it->first <= cursor) {
      cursor = std::max(cursor, it->second);
      ++it;
      continue;
    }
    const Tick gap_end = it == busy_.end() ? std::numeric_limits<Tick>::max() : it->first;
    const Tick take = std::min(need, gap_end - cursor);
    // Book [cursor, cursor + take), merged with touching neighbours.
    Tick piece_begin = cursor, piece_end = cursor + take;
    if (it != busy_.begin()) {
      auto prev = std::prev(it);
      if (prev->second == piece_begin) {
        piece_begin = prev->first;
        busy_.erase(prev);
      }
    }
    if (it != busy_.end() && it->first == piece_end) {
      piece_end = it->second;
      it = busy_.erase(it);
    }
    it = std::next(busy_.emplace(piece_begin, piece_end).first);
    need -= take;
    // Done: the tile completes where its last piece ends. Otherwise the next
    // free time is after the (possibly merged) interval just booked.
    cursor = need == 0 ? cursor + take : piece_end;
  }
  return sc_core::sc_time::from_value(cursor - now);
}

void ComponentModule::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  Work* work = nullptr;
  trans.get_extension(work);
  if (work == nullptr) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  serve(*work, delay);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace qnnsim
