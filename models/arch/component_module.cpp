#include "arch/component_module.h"

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
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time start = std::max(now + delay, busy_until_);
  // 64-bit femtoseconds cover about five hours; past half of that a sum could wrap.
  if (start.value() > sc_core::sc_max_time().value() / 2 - busy.value())
    throw std::runtime_error(std::string(name()) + ": simulated time passed " +
                             std::to_string(static_cast<long>((sc_core::sc_max_time() / 2).to_seconds())) +
                             " s, the range of SystemC time at femtosecond resolution; is a bandwidth or clock far too low?");
  busy_until_ = start + busy;
  return busy_until_ - now;
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
