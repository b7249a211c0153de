#pragma once
// SystemC elaborates and simulates once per kernel ("simulation context"),
// and the kernel is a process-wide global. A sweep worker runs many points in
// one process, a hybrid design runs each of its parts' runs as a simulation
// of its own, and the mixed-precision search runs a design once per
// candidate, so before each one a new, empty kernel is installed: the
// simulation then elaborates, sets its time resolution and runs exactly as it
// would in a fresh process. The kernel the previous one used is deleted then,
// so memory does not grow with the simulations run.
namespace qnnsim {

// Replaces the current SystemC kernel with a new one. Call only between
// simulations, when no module of the old kernel is alive.
void install_fresh_systemc_kernel();

}  // namespace qnnsim
