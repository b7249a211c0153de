// A value a sweep writes into the arch or a workload is blamed on the spec's
// line that gave it, not on the untouched file it lands in; and a sweep whose
// points all fail says so even without progress output.
#include <catch2/catch.hpp>

#include <fstream>

#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string write_spec(const std::filesystem::path& dir, const std::string& body) {
  const std::string path = (dir / "spec.yaml").string();
  std::ofstream(path) << "name: blame\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\n"
                      << body;
  return path;
}

}  // namespace

TEST_CASE("a set: value of the wrong type stops the sweep at the spec's line", "[reliability][sweep]") {
  const auto dir = scratch_dir("blame_set");
  // Line 5 holds the bad value.
  const std::string spec = write_spec(dir, "set:\n  pe_array.rows: sixteen\nparameters: [{path: glb.banks, values: [8, 16]}]\n");
  for (const char* extra : {"", " --no-progress"}) {
    INFO(extra);
    CHECK(qnnsim_cli("sweep " + spec + " --db " + (dir / "r.db").string() + extra, dir / "out.txt", dir / "err.txt") == 2);
    const std::string err = read_file((dir / "err.txt").string());
    CHECK_THAT(err, Catch::Contains(spec + ":5:"));
    CHECK_THAT(err, Catch::Contains("key 'set.pe_array.rows'"));
    CHECK_THAT(err, Catch::Contains("expected an integer"));
    CHECK_THAT(err, Catch::Contains("sixteen"));
  }
  // Stopped before it started: no results file.
  CHECK_FALSE(std::filesystem::exists(dir / "r.db"));
}

TEST_CASE("a swept value of the wrong type fails its point at the spec's line", "[reliability][sweep]") {
  const auto dir = scratch_dir("blame_swept");
  const std::string spec = write_spec(dir, "parameters:\n  - {path: pe_array.rows, values: [8, many]}\n");
  const std::string db = (dir / "r.db").string();
  CHECK(qnnsim_cli("sweep " + spec + " --db " + db, dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 2);
  CHECK(points[0].status == "ok");
  CHECK(points[1].status == "failed");
  CHECK_THAT(points[1].error, Catch::Contains(spec + ":5:"));
  CHECK_THAT(points[1].error, Catch::Contains("expected an integer"));
  CHECK_THAT(points[1].error, Catch::Contains("this point sets rows=many"));
}

TEST_CASE("a sweep whose every point fails says why on standard error, with or without progress",
          "[reliability][sweep]") {
  const auto dir = scratch_dir("blame_all_fail");
  const std::string spec = write_spec(dir, "parameters:\n  - {path: pe_array.rows, values: [0, -1]}\n");
  for (const char* extra : {"", " --no-progress"}) {
    INFO(extra);
    const std::string db = (dir / (std::string("r") + (extra[0] ? "q" : "") + ".db")).string();
    CHECK(qnnsim_cli("sweep " + spec + " --db " + db + extra, dir / "out.txt", dir / "err.txt") == 1);
    const std::string err = read_file((dir / "err.txt").string());
    CHECK_THAT(err, Catch::Contains("every point of the sweep failed; the first: "));
    CHECK_THAT(err, Catch::Contains(spec + ":5:"));
    CHECK_THAT(err, Catch::Contains("expected an integer >= 1"));
  }
}
