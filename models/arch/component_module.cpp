#include "arch/component_module.h"

namespace qnnsim {

ComponentModule::ComponentModule(sc_core::sc_module_name name, const ComponentSpec& spec)
    : sc_core::sc_module(name),
      socket("socket"),
      spec_(spec),
      ticks_per_second_(1.0 / sc_core::sc_get_time_resolution().to_seconds()) {
  socket.register_b_transport(this, &ComponentModule::b_transport);
}

sc_core::sc_time ComponentModule::reserve(const sc_core::sc_time& delay, const sc_core::sc_time& busy,
                                          std::size_t lane) {
  return calendars_.at(lane).reserve(delay, busy, name());
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
