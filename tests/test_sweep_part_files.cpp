// A hybrid's parts given by file are part of a sweep point's content hash:
// editing a part file (or the energy table it names) must run the points
// again, not reuse the results stored under the old hash.
#include <catch2/catch.hpp>

#include <fstream>

#include "sweep/sweep_plan.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// The hash of the one point of a sweep over a hybrid of the shipped ISAAC and
// a copy of Eyeriss v1 in `dir` (the copy's text is `digital`).
std::string hash_with_digital_part(const std::filesystem::path& dir, const std::string& digital) {
  std::ofstream(dir / "digital.yaml") << digital;
  std::ofstream(dir / "hybrid.yaml") << "name: h\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                                     << "\n  digital: digital.yaml\nplacement:\n  types:\n    dwconv: digital\n";
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: t\narch: hybrid.yaml\nworkloads: [" << shipped("workloads/lenet5.yaml")
                      << "]\nparameters:\n  - {path: placement.types.dwconv, values: [digital]}\n";
  const auto plan = plan_sweep(spec, {});
  REQUIRE(plan->runnable.size() == 1);
  return plan->hashes[plan->runnable[0]];
}

}  // namespace

TEST_CASE("a sweep point's hash follows the text of a hybrid's part files", "[sweep]") {
  const auto dir = scratch_dir("sweep_part_files");
  const std::string eyeriss = read_file(shipped("arch/eyeriss_v1.yaml"));
  const std::string base = hash_with_digital_part(dir, eyeriss);
  CHECK(hash_with_digital_part(dir, eyeriss) == base);  // the same files: the same point
  const std::string edited = replace_all(eyeriss, "clock: 200 MHz", "clock: 250 MHz");
  REQUIRE(edited != eyeriss);
  CHECK(hash_with_digital_part(dir, edited) != base);

  // The energy table the part names, copied beside it: editing the table is a new point too.
  const std::string table = read_file(shipped("configs/energy/eyeriss_65nm.yaml"));
  const std::string own_table = replace_all(eyeriss, "energy_table: eyeriss_65nm", "energy_table: ./table.yaml");
  REQUIRE(own_table != eyeriss);
  std::ofstream(dir / "table.yaml") << table;
  const std::string with_table = hash_with_digital_part(dir, own_table);
  CHECK(with_table != base);  // the part's text names another file
  std::ofstream(dir / "table.yaml") << table << "\n# edited\n";
  CHECK(hash_with_digital_part(dir, own_table) != with_table);
}
