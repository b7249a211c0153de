#pragma once
// What every process a sweep forks does first, whether it runs one point
// (forked_pool.h) or many (worker_pool.h).

namespace qnnsim {

// Its own process group, so a terminal's Ctrl-C reaches only the parent,
// which stops its children itself; dead with the parent, so a killed sweep
// leaves no orphans; default signal handling; standard output discarded and
// standard error into `error_fd`, where the parent reads a point's error
// text. Exits at once when the parent is already gone.
void start_child_process(int error_fd);

}  // namespace qnnsim
