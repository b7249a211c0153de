#pragma once
// Runs work items in a few long-lived worker processes, each forked once from
// this process (which has parsed everything) and then handed items one at a
// time over a pipe. Forking per item costs more than a small point's whole
// simulation (copy-on-write faults, symbols bound again in every child), so a
// worker runs item after item, a fresh SystemC kernel for each.
//
// An item's outcome is what run_in_children would give it: the same result,
// the same error text (everything the item wrote to standard error, as that
// process's error pipe would have held), the same crash and timeout messages.
// A crash or a timeout ends only that worker; the item it was running gets the
// error and a new worker takes the rest. SIGINT and SIGTERM stop the pool as
// they stop run_in_children.
#include <cstddef>
#include <functional>
#include <vector>

#include "sweep/forked_pool.h"

namespace qnnsim {

// Called in the worker before each item (the first included), e.g. to give it a fresh SystemC kernel.
using BeforeItem = std::function<void()>;

bool run_in_workers(const std::vector<std::size_t>& items, const PoolOptions& options, const BeforeItem& before,
                    const ChildBody& body, const std::function<void(const ItemOutcome&)>& on_done,
                    const std::function<void()>& on_tick);

}  // namespace qnnsim
