#include <cstdio>
#include <exception>

#include "sweep/forked_pool.h"
#include "sim/fresh_kernel.h"
#include "sweep/point_run.h"
#include "sweep/progress.h"
#include "sweep/sweep_backends.h"
#include "sweep/worker_pool.h"

namespace qnnsim {

BackendEnd run_local(const SweepPlan& plan, const std::vector<std::size_t>& todo, ResultsDb& db, int jobs,
                     bool progress, bool process_per_point) {
  Progress bar(static_cast<int64_t>(todo.size()), progress);
  int64_t done = 0, failed = 0;
  const ChildBody body = [&](std::size_t i) {
    const ResolvedPoint r = plan.resolver->resolve_over_last(plan.points[i]);
    return run_point(plan.spec, plan.points[i], r);
  };
  const auto on_done = [&](const ItemOutcome& o) {
    PointRecord rec = record_for(plan, o.item);
    rec.wall_s = o.wall_s;
    rec.status = o.ok ? "ok" : "failed";
    rec.error = o.error;
    if (o.ok) {
      try {
        fill_from_report(rec, o.result);
      } catch (const std::exception& e) {
        rec.status = "failed";
        rec.error = std::string("unreadable report from the point's process: ") + e.what();
      }
    }
    db.insert(rec);
    ++done;
    if (rec.status != "ok") ++failed;
    bar.set(done, failed);
  };
  const PoolOptions pool{jobs, plan.spec.timeout_s};
  const auto tick = [&] { bar.set(done, failed); };
  const bool finished = process_per_point ? run_in_children(todo, pool, body, on_done, tick)
                                          : run_in_workers(todo, pool, install_fresh_systemc_kernel, body, on_done, tick);
  bar.finish();
  return finished ? BackendEnd::Done : BackendEnd::Interrupted;
}

}  // namespace qnnsim
