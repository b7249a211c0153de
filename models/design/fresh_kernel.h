#pragma once
// SystemC elaborates and simulates once per kernel ("simulation context"),
// and the kernel is a process-wide global. Whatever runs designs more than
// once in one process (a sweep worker's points, the mixed-precision search's
// candidates) installs a new, empty kernel before each run: the run then
// elaborates, sets its time resolution and runs exactly as it would in a
// fresh process. The kernel the previous run used is deleted then, so memory
// does not grow with the runs.
namespace qnnsim {

// Replaces the current SystemC kernel with a new one. Call only between
// runs, when no module of the old kernel is alive.
void install_fresh_systemc_kernel();

}  // namespace qnnsim
