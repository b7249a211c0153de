// Sweeps run as a user runs them: through the qnnsim binary, into SQLite.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "core/content_hash.h"
#include "core/version.h"
#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string write_spec(const std::filesystem::path& dir, const std::string& arch, const std::string& workload,
                       const std::string& body) {
  const std::string path = (dir / "spec.yaml").string();
  std::ofstream(path) << "name: t\narch: " << shipped(arch) << "\nworkloads: [" << shipped(workload) << "]\n" << body;
  return path;
}


int64_t count_points(const std::string& db) { return ResultsDb::count_points(db); }

}  // namespace

TEST_CASE("a sweep gives identical results with -j1 and -j2", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_j");
  const std::string spec = write_spec(dir, "arch/systolic_ws.yaml", "workloads/lenet5.yaml",
                                      "parameters:\n  - {path: pe_array.rows, values: [4, 8, 16]}\n"
                                      "  - {path: glb.size, values: [32 KiB, 256 KiB]}\n");
  for (const char* j : {"1", "2"}) {
    const std::string db = (dir / (std::string("j") + j + ".db")).string();
    REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j " + j, dir / "out.txt", dir / "err.txt") == 0);
  }
  const auto a = sweep_rows((dir / "j1.db").string()), b = sweep_rows((dir / "j2.db").string());
  REQUIRE(a.size() == 6);
  CHECK(a == b);
  // Each point's report made it into the per-layer table: LeNet-5 has 7 layers.
  for (const char* db : {"j1.db", "j2.db"})
    CHECK(qnnsim_cli("results " + (dir / db).string() + " --csv", dir / "csv.txt", dir / "err.txt") == 0);
  const std::string csv = read_file((dir / "csv.txt").string());
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);  // header + 6 points
  CHECK(csv.find("components.pe_array.rows,components.glb.size,status,energy_pj") != std::string::npos);
  // The database says which binary and command made it, and hashes the inputs.
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2((dir / "j2.db").string().c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT key, value FROM provenance", -1, &q, nullptr) == SQLITE_OK);
  std::map<std::string, std::string> provenance;
  while (sqlite3_step(q) == SQLITE_ROW)
    provenance[reinterpret_cast<const char*>(sqlite3_column_text(q, 0))] = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
  sqlite3_finalize(q);
  sqlite3_close(handle);
  CHECK(provenance.at("qnnsim_version") == qnnsim_version());
  CHECK(provenance.at("commit") == qnnsim_commit());
  CHECK(provenance.at("command_line") == "qnnsim sweep " + spec + " --db " + (dir / "j2.db").string() + " -j 2");
  CHECK(provenance.at("spec_sha1") == file_sha1(spec));
  CHECK(provenance.at("workload_sha1:" + shipped("workloads/lenet5.yaml")) == file_sha1(shipped("workloads/lenet5.yaml")));
}

TEST_CASE("a point that fails is recorded and the sweep goes on", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_fail");
  // rows: 0 is no array; the other two points run.
  const std::string spec = write_spec(dir, "arch/systolic_ws.yaml", "workloads/lenet5.yaml",
                                      "parameters:\n  - {path: pe_array.rows, values: [0, 8, 16]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2", dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 3);
  CHECK(points[0].status == "failed");
  CHECK(points[0].error.find("pe_array.rows") != std::string::npos);
  CHECK(points[0].error.find("this point sets rows=0") != std::string::npos);
  CHECK(points[1].status == "ok");
  CHECK(points[2].status == "ok");
  CHECK(read_file((dir / "out.txt").string()).find("2 ok, 1 failed") != std::string::npos);

  // A point that runs too long is killed and recorded as timed out; every point failing exits 1.
  // The point must run well past the pool's 100 ms poll: ResNet-50 at batch 64 on a DRAM device
  // model, which keeps state of its own and so simulates every tile (controller/periodic_replay.h).
  const std::string slow =
      write_spec(scratch_dir("sweep_timeout"), "arch/systolic_ws_ddr4.yaml", "workloads/resnet50.yaml",
                 "timeout: 1 ms\noptions: {batch: 64}\nparameters:\n  - {path: pe_array.rows, values: [8]}\n");
  const std::string slow_db = (dir / "slow.db").string();
  CHECK(qnnsim_cli("sweep " + slow + " --db " + slow_db, dir / "out.txt", dir / "err.txt") == 1);
  const auto timed_out = ResultsDb(slow_db, false).points();
  REQUIRE(timed_out.size() == 1);
  CHECK(timed_out[0].error == "timed out after 0.001 s");
}

TEST_CASE("a sweep killed with SIGKILL resumes without losing or repeating a point", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_kill");
  // 24 points of about a tenth of a second each: long enough to kill partway.
  const std::string spec = write_spec(dir, "arch/systolic_ws.yaml", "workloads/resnet18_cifar.yaml",
                                      "parameters:\n  - {path: pe_array.rows, values: [8, 12, 16, 24, 32, 48]}\n"
                                      "  - {path: pe_array.cols, values: [8, 16, 32, 64]}\n");
  const std::string db = (dir / "r.db").string();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    execl(QNNSIM_BINARY, QNNSIM_BINARY, "sweep", spec.c_str(), "--db", db.c_str(), "-j", "2", static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count_points(db) < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const int64_t before = count_points(db);
  INFO("points stored when killed: " << before);
  REQUIRE(before >= 4);
  REQUIRE(before < 24);
  // Whole points only: every stored point has all its layers.
  for (const PointRecord& r : ResultsDb(db, false).points()) CHECK(r.status == "ok");

  // Without --resume the file is not reused by accident.
  CHECK(qnnsim_cli("sweep " + spec + " --db " + db, dir / "out.txt", dir / "err.txt") == 2);
  CHECK(read_file((dir / "err.txt").string()).find("--resume") != std::string::npos);
  // A dry run counts what is left and runs nothing.
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " --resume --dry-run", dir / "out.txt", dir / "err.txt") == 0);
  CHECK(read_file((dir / "out.txt").string()).find(std::to_string(before) + " points are already in " + db + "; " +
                                                   std::to_string(24 - before) + " left to run") != std::string::npos);
  CHECK(count_points(db) == before);
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " --resume -j 2", dir / "out.txt", dir / "err.txt") == 0);
  CHECK(read_file((dir / "out.txt").string()).find(std::to_string(before) + " points are already in") != std::string::npos);
  const auto points = ResultsDb(db, false).points();
  CHECK(points.size() == 24);
  std::set<int64_t> indices;
  for (const PointRecord& r : points) indices.insert(r.point_index);
  CHECK(indices.size() == 24);
}

TEST_CASE("results prints the Pareto front and rejects bad requests", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_results");
  const std::string spec = write_spec(dir, "arch/systolic_ws.yaml", "workloads/lenet5.yaml",
                                      "parameters:\n  - {path: pe_array.rows, values: [4, 8, 16, 32]}\n"
                                      "  - {path: pe_array.cols, values: [4, 16]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db, dir / "out.txt", dir / "err.txt") == 0);
  REQUIRE(qnnsim_cli("results " + db + " --pareto energy,latency", dir / "front.txt", dir / "err.txt") == 0);
  const std::string front = read_file((dir / "front.txt").string());
  // No front point is beaten on both objectives by any stored point.
  const auto points = ResultsDb(db, false).points();
  int listed = 0;
  for (const PointRecord& f : points) {
    if (front.find(f.hash.substr(0, 12)) == std::string::npos) continue;
    ++listed;
    for (const PointRecord& p : points)
      CHECK_FALSE((p.energy_pj < f.energy_pj && p.latency_s < f.latency_s));
  }
  CHECK(listed >= 1);
  CHECK(front.find("Pareto front of lenet5 over energy, latency (" + std::to_string(listed) + " of 8") != std::string::npos);

  CHECK(qnnsim_cli("results " + db + " --pareto energy,speed", dir / "out.txt", dir / "err.txt") == 2);
  CHECK(read_file((dir / "err.txt").string()).find("unknown objective 'speed'") != std::string::npos);
  CHECK(qnnsim_cli("results " + (dir / "none.db").string(), dir / "out.txt", dir / "err.txt") == 2);
  CHECK(qnnsim_cli("sweep " + (dir / "none.yaml").string(), dir / "out.txt", dir / "err.txt") == 2);
}

TEST_CASE("a results database that kept energy in J is refused, not mixed with pJ", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_old_db");
  const std::string spec = write_spec(dir, "arch/systolic_ws.yaml", "workloads/lenet5.yaml",
                                      "parameters:\n  - {path: pe_array.rows, values: [4, 8]}\n");
  const std::string db = (dir / "old.db").string();
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle, "CREATE TABLE points(hash TEXT PRIMARY KEY, energy_j REAL)", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(handle);
  CHECK(qnnsim_cli("sweep " + spec + " --db " + db + " --resume", dir / "out.txt", dir / "err.txt") != 0);
  CHECK_THAT(read_file((dir / "err.txt").string()), Catch::Contains("old.db") && Catch::Contains("energy in J") &&
                                                         Catch::Contains("new --db"));
  CHECK(count_points(db) == 0);
}
