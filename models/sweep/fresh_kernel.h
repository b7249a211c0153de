#pragma once
// SystemC elaborates and simulates once per kernel ("simulation context"),
// and the kernel is a process-wide global. A sweep worker runs many points in
// one process, so before each point it installs a new, empty kernel: the
// point then elaborates, sets its time resolution and runs exactly as it
// would in a fresh process. The kernel the previous point used is deleted
// then, so a worker's memory does not grow with the points it has run.
namespace qnnsim {

// Replaces the current SystemC kernel with a new one. Call only between
// points, when no module of the old kernel is alive.
void install_fresh_systemc_kernel();

}  // namespace qnnsim
