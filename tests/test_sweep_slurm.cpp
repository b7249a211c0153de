// The Slurm backend through a real cluster: scripts/slurm_single_node.sh
// brings up munged, slurmctld and slurmd on this machine, and the sweep goes
// through sbatch. No mock: the job array's tasks run qnnsim themselves.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {


int64_t layer_rows(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM layers", -1, &s, nullptr);
  sqlite3_step(s);
  const int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}

void forget_points(const std::string& db, int n) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  const std::string sql = "DELETE FROM points WHERE hash IN (SELECT hash FROM points ORDER BY point_index LIMIT " +
                          std::to_string(n) + "); DELETE FROM layers WHERE hash NOT IN (SELECT hash FROM points);";
  REQUIRE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
}

}  // namespace

TEST_CASE("a sweep through a real Slurm cluster matches the same sweep run locally", "[sweep][slurm]") {
  const std::string start = (geteuid() == 0 ? "" : "sudo ") + shipped("scripts/slurm_single_node.sh") + " start";
  REQUIRE(std::system(start.c_str()) == 0);

  const auto dir = scratch_dir("sweep_slurm");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: slurm_check\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\nparameters:\n"
                      << "  - {path: pe_array.rows, values: [4, 8, 16]}\n  - {path: pe_array.cols, values: [8, 16]}\n"
                      << "  - {path: glb.size, values: [64 KiB, 256 KiB]}\n";
  const std::string slurm_db = (dir / "slurm.db").string(), local_db = (dir / "local.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + slurm_db + " --backend slurm --slurm-tasks 3 -j 1", dir / "out.txt",
                     dir / "err.txt") == 0);
  CHECK(read_file((dir / "out.txt").string()).find("submitted Slurm job") != std::string::npos);
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + local_db + " -j 2", dir / "out.txt", dir / "err.txt") == 0);
  const auto slurm = sweep_rows(slurm_db), local = sweep_rows(local_db);
  REQUIRE(slurm.size() == 12);
  CHECK(slurm == local);
  CHECK(layer_rows(slurm_db) == layer_rows(local_db));

  // A rerun submits only the points the file lacks.
  forget_points(slurm_db, 5);
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + slurm_db + " --backend slurm --resume", dir / "out.txt", dir / "err.txt") == 0);
  const std::string out = read_file((dir / "out.txt").string());
  INFO(out);
  CHECK(out.find("7 points are already in") != std::string::npos);
  CHECK(out.find("merged 5 points") != std::string::npos);
  const std::string listed = read_file(slurm_db + ".slurm/points.txt");
  CHECK(std::count(listed.begin(), listed.end(), '\n') == 5);
  CHECK(sweep_rows(slurm_db) == local);
  CHECK(layer_rows(slurm_db) == layer_rows(local_db));
}
