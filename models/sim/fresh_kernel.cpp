#include "sim/fresh_kernel.h"

#include <systemc>

namespace qnnsim {

namespace {
// The kernel this file made last. The one the process started with belongs
// to sc_main's caller (sc_elab_and_sim), so it is replaced but never deleted.
sc_core::sc_simcontext* g_ours = nullptr;
}  // namespace

void install_fresh_systemc_kernel() {
  auto* fresh = new sc_core::sc_simcontext;
  sc_core::sc_simcontext* previous = g_ours;
  sc_core::sc_curr_simcontext = fresh;
  sc_core::sc_default_global_context = fresh;
  g_ours = fresh;
  delete previous;
}

}  // namespace qnnsim
