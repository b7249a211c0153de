#pragma once
// A quantum keeper whose quantum counts from its last synchronisation, not
// from the kernel's absolute grid of quantum boundaries.
//
// TLM-2.0's tlm_quantumkeeper ends each quantum at the next multiple of the
// global quantum in absolute time, so where a thread running ahead yields
// depends on the absolute time it started at. Where it yields decides the
// order in which overlapping requests reach a calendar (component_module.h),
// so the same stretch of tiles, started at two different times, could be
// booked in two different orders. Counting the quantum from the last sync
// makes a thread's behaviour depend only on times relative to its own
// progress, which periodic replay (periodic_replay.h) needs: a stretch of
// tiles that starts in the same relative state then unfolds the same way at
// any absolute time. The quantum's length, and so the looseness of the timing,
// stays the global quantum's.
#include <tlm_utils/tlm_quantumkeeper.h>

namespace qnnsim {

class RelativeQuantumKeeper : public tlm_utils::tlm_quantumkeeper {
 protected:
  sc_core::sc_time compute_local_quantum() override { return tlm::tlm_global_quantum::instance().get(); }
};

}  // namespace qnnsim
