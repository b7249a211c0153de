// A sweep worker reuses the workload it loaded while nothing that shapes it
// changes (sweep/point_workload_memo.h): a parameter that writes into the
// workload loads it afresh for every point, and a change of the trace's text
// or of the spec's run options loads it again.
#include <catch2/catch.hpp>

#include <fstream>

#include "sweep/point_workload_memo.h"
#include "sweep/sweep_plan.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string write_spec(const std::filesystem::path& dir, const std::string& parameters) {
  const std::string path = (dir / "spec.yaml").string();
  std::ofstream(path) << "name: t\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\nparameters:\n" << parameters;
  return path;
}

int first_array_weight_bits(const Workload& w) {
  for (const Layer& l : w.layers)
    if (layer_uses_array(l.type)) return l.precision.weights.bits;
  FAIL("no array layer");
  return 0;
}

}  // namespace

TEST_CASE("a sweep worker's reused workload follows the parameters, the trace and the options", "[sweep]") {
  const auto dir = scratch_dir("point_workload_memo");
  {
    // A workload parameter: each point gets its own value.
    auto plan = plan_sweep(write_spec(dir, "  - {path: 'layers[*].weights.bits', name: wbits, values: [4, 6]}\n"), {});
    REQUIRE(plan->points.size() == 2);
    const ResolvedPoint four = plan->resolver->resolve_trees(plan->points[0]);
    CHECK(first_array_weight_bits(memoized_point_workload(plan->spec, four)) == 4);
    const ResolvedPoint six = plan->resolver->resolve_trees(plan->points[1]);
    CHECK(first_array_weight_bits(memoized_point_workload(plan->spec, six)) == 6);
  }
  // Arch parameters only: the workload is reused, and the same as a fresh load.
  auto plan = plan_sweep(write_spec(dir, "  - {path: pe_array.rows, values: [8, 16]}\n"), {});
  const ResolvedPoint r = plan->resolver->resolve_trees(plan->points[0]);
  const Workload& first = memoized_point_workload(plan->spec, r);
  const Workload fresh = load_point_workload(plan->spec, r);
  CHECK(first.batch == fresh.batch);
  CHECK(first.layers.size() == fresh.layers.size());
  CHECK(&memoized_point_workload(plan->spec, plan->resolver->resolve_trees(plan->points[1])) == &first);
  // Another batch in the run options: loaded again, at that batch.
  plan->spec.options.batch = fresh.batch + 3;
  CHECK(memoized_point_workload(plan->spec, r).batch == fresh.batch + 3);
}
