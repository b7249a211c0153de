#pragma once
// One run of a workload on an in-memory chip: place the layers, simulate the
// stages as SystemC processes, and report in the same RunResult as the
// digital designs, with the in-memory figures beside. Like run_simulation,
// call it once per process (SystemC elaborates once).
#include "imc/imc_arch.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

// weights_in_place false: the weights are written before the run (and
// charged) even when the chip holds them all, as when a hybrid's other runs
// on the chip have overwritten them; it needs weight_reload.
RunResult run_in_memory(const ImcArch& arch, const Workload& w, bool weights_in_place = true);

}  // namespace qnnsim
