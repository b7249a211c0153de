// A sweep's results file survives what happens to real sweeps: the sweep
// killed at any moment, a point's process killed, two sweeps writing the
// same file, and a disk that fills up. After each, the file holds exactly the
// points of an uninterrupted run, byte for byte (sweep_rows).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

using Clock = std::chrono::steady_clock;

// 48 points of LeNet-5 (array shape x buffer), each a few milliseconds.
std::string lenet_spec(const std::filesystem::path& dir) {
  const std::string path = (dir / "spec.yaml").string();
  std::ofstream(path) << "name: durable\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\nparameters:\n"
                      << "  - {path: pe_array.rows, values: [4, 8, 12, 16, 24, 32]}\n"
                      << "  - {path: pe_array.cols, values: [4, 8, 16, 32]}\n"
                      << "  - {path: glb.size, values: [64 KiB, 256 KiB]}\n";
  return path;
}

// Starts `qnnsim sweep SPEC --db DB -j 2 --resume --no-progress` in a child process.
pid_t start_sweep(const std::string& spec, const std::string& db) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(QNNSIM_BINARY, QNNSIM_BINARY, "sweep", spec.c_str(), "--db", db.c_str(), "-j", "2", "--resume",
          "--no-progress", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// The reference: the same sweep run once, uninterrupted.
std::vector<std::string> reference_rows(const std::filesystem::path& dir, const std::string& spec) {
  const std::string db = (dir / "reference.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2", dir / "out.txt", dir / "err.txt") == 0);
  return sweep_rows(db);
}

// Process ids whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // pid (comm) state ppid ...: the command may hold spaces, so read after its ')'.
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

TEST_CASE("a sweep killed with SIGKILL at 20 random moments and resumed equals an uninterrupted run",
          "[reliability][sweep][durability]") {
  const auto dir = scratch_dir("kill_20");
  const std::string spec = lenet_spec(dir);
  const auto start = Clock::now();
  const std::vector<std::string> reference = reference_rows(dir, spec);
  const auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  REQUIRE(reference.size() == 48);

  const std::string db = (dir / "killed.db").string();
  std::mt19937 random(21);  // fixed seed: the same draws on every run of the test
  int killed = 0;
  for (int i = 0; i < 20; ++i) {
    // A moment within the time the points still missing would take, so that
    // most kills land while points are running or being stored.
    const int64_t missing = 48 - ResultsDb::count_points(db);
    const long window = std::max<long>(1, static_cast<long>(run_ms * missing / 48));
    const long moment = std::uniform_int_distribution<long>(0, window)(random);
    const pid_t pid = start_sweep(spec, db);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(moment));
    kill(pid, SIGKILL);
    killed += wait_exit(pid) == -SIGKILL;
  }
  INFO("sweeps killed before they finished: " << killed << " of 20");
  CHECK(killed >= 10);
  REQUIRE(wait_exit(start_sweep(spec, db)) == 0);
  const std::vector<std::string> rows = sweep_rows(db);
  CHECK(rows == reference);
  std::set<int64_t> indices;
  for (const PointRecord& r : ResultsDb(db, false).points()) indices.insert(r.point_index);
  CHECK(indices.size() == 48);
}

TEST_CASE("a point whose process is killed is recorded as failed with the signal, and the rest complete",
          "[reliability][sweep][durability]") {
  const auto dir = scratch_dir("kill_worker");
  // ResNet-18 points take a tenth of a second or more: time to find one running.
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "arch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/resnet18_cifar.yaml")
                      << "]\nparameters: [{path: pe_array.rows, values: [8, 12, 16, 24]}]\n";
  const std::string db = (dir / "r.db").string();
  const pid_t sweep = start_sweep(spec, db);
  REQUIRE(sweep > 0);
  pid_t victim = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (victim == 0 && Clock::now() < deadline) {
    const auto children = children_of(sweep);
    if (!children.empty()) victim = children.front();
    else std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(victim != 0);
  kill(victim, SIGKILL);
  CHECK(wait_exit(sweep) == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 4);
  int failed = 0;
  for (const PointRecord& r : points) {
    if (r.status == "ok") continue;
    ++failed;
    CHECK(r.error.find("crashed: signal 9 (Killed)") != std::string::npos);
  }
  CHECK(failed == 1);
}

TEST_CASE("two sweeps writing one results file at once lose and repeat nothing", "[reliability][sweep][durability]") {
  const auto dir = scratch_dir("two_writers");
  const std::string spec = lenet_spec(dir);
  const std::vector<std::string> reference = reference_rows(dir, spec);
  const std::string db = (dir / "shared.db").string();
  const pid_t a = start_sweep(spec, db), b = start_sweep(spec, db);
  REQUIRE(a > 0);
  REQUIRE(b > 0);
  CHECK(wait_exit(a) == 0);
  CHECK(wait_exit(b) == 0);
  CHECK(sweep_rows(db) == reference);
}

TEST_CASE("a disk that fills up during a sweep is named as the cause, and resuming completes the file",
          "[reliability][sweep][durability]") {
  const auto dir = scratch_dir("disk_full");
  const std::string spec = lenet_spec(dir);
  const std::vector<std::string> reference = reference_rows(dir, spec);
  const std::string db = (dir / "full.db").string();
  // 128 blocks of 512 bytes: room for the schema and a few points, not for 48.
  const std::string err = (dir / "full.err").string();
  const int status = std::system(("ulimit -f 128; trap '' XFSZ; " + std::string(QNNSIM_BINARY) + " sweep " + spec +
                                  " --db " + db + " -j 2 --no-progress 2>" + err).c_str());
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 1));
  const std::string message = read_file(err);
  INFO(message);
  CHECK_THAT(message, Catch::Contains("results database '" + db + "'"));
  CHECK_THAT(message, Catch::Contains("full") || Catch::Contains("too large") || Catch::Contains("I/O error"));
  CHECK_THAT(message, !Catch::Contains("no transaction is active"));
  const int64_t stored = ResultsDb::count_points(db);
  CHECK(stored < 48);
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " --resume", dir / "out.txt", dir / "err.txt") == 0);
  CHECK(sweep_rows(db) == reference);
}

// Turning a new file to WAL needs the whole file, and SQLite does not wait for
// it (the busy timeout does not apply to `journal_mode`): sixteen processes
// opening one new results file at the same moment must all get it.
TEST_CASE("sixteen processes opening one new results file at once all open it", "[reliability][sweep][durability]") {
  const auto dir = scratch_dir("many_openers");
  for (int round = 0; round < 8; ++round) {
    const std::string db = (dir / ("fresh" + std::to_string(round) + ".db")).string();
    int go[2];
    REQUIRE(pipe(go) == 0);
    std::vector<pid_t> children;
    for (int i = 0; i < 16; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        close(go[1]);
        char byte;
        if (read(go[0], &byte, 1) != 0) _exit(3);  // every child starts when the pipe closes
        try {
          ResultsDb opened(db, true);
          _exit(0);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "%s\n", e.what());
          _exit(1);
        }
      }
      children.push_back(pid);
    }
    close(go[0]);
    close(go[1]);
    int failed = 0;
    for (const pid_t pid : children) failed += wait_exit(pid) != 0;
    INFO("round " << round);
    CHECK(failed == 0);
  }
}
