// Every output is written whole or not at all, and a write that fails is an
// error naming the file and the OS's reason (core/output_file.h): --json,
// --csv, --mappings-out, results -o, import -o, and standard output.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "core/output_file.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Runs a shell command line (sh); its exit code, or -1 if it did not exit.
int shell(const std::string& line) {
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const std::string kQnnsim = QNNSIM_BINARY;
std::string lenet_on_systolic() { return shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/lenet5.yaml"); }

std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("an output on a full device fails with the file and the OS error, for every output", "[reliability][cli]") {
  const auto dir = scratch_dir("full_device");
  // A results file to read back: one point of LeNet-5.
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "arch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: [" << shipped("workloads/lenet5.yaml")
                      << "]\nparameters: [{path: pe_array.rows, values: [8]}]\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db, dir / "out.txt", dir / "err.txt") == 0);
  const std::string model = "/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d_strided/model.onnx";
  for (const std::string& args :
       {"run " + lenet_on_systolic() + " --quiet --json /dev/full", "run " + lenet_on_systolic() + " --quiet --csv /dev/full",
        "run " + lenet_on_systolic() + " --quiet --mappings-out /dev/full",
        "map " + lenet_on_systolic() + " --quiet --mappings-out /dev/full", "results " + db + " --csv -o /dev/full",
        "import " + model + " -o /dev/full"}) {
    INFO(args);
    CHECK(qnnsim_cli(args, dir / "out.txt", dir / "err.txt") == 1);
    CHECK_THAT(read_file((dir / "err.txt").string()), Catch::Contains("cannot write '/dev/full': No space left on device"));
  }
}

// quantize --qdq writes two files: the second failing leaves neither, not the
// first alone (each is written to its temporary file before either is put in place).
TEST_CASE("a command writing two outputs replaces neither when the second fails", "[reliability][cli][quantize]") {
  const auto dir = scratch_dir("two_outputs");
  const std::string trace = (dir / "t.yaml").string();
  CHECK(qnnsim_cli("quantize mnist_cnn_fashion --calibration-images 20 -o " + trace + " --qdq /dev/full --quiet",
                   dir / "out.txt", dir / "err.txt") == 1);
  CHECK_THAT(read_file((dir / "err.txt").string()), Catch::Contains("cannot write '/dev/full'"));
  CHECK_FALSE(std::filesystem::exists(trace));
}

TEST_CASE("a table, a listing or a summary lost on standard output is an error", "[reliability][cli]") {
  const auto dir = scratch_dir("full_stdout");
  const std::string err = (dir / "err.txt").string();
  for (const std::string& args : {"run " + lenet_on_systolic(), "validate " + shipped("arch/systolic_ws.yaml"),
                                  "map " + lenet_on_systolic()}) {
    INFO(args);
    CHECK(shell(kQnnsim + " " + args + " >/dev/full 2>" + err) == 1);
    CHECK_THAT(read_file(err), Catch::Contains("cannot write to standard output: No space left on device"));
  }
}

TEST_CASE("a write cut short by the file-size limit leaves the old file and no other", "[reliability][cli]") {
  const auto dir = scratch_dir("size_limit");
  for (const char* option : {"--json", "--csv", "--mappings-out"}) {
    INFO(option);
    const std::string out = (dir / "out.txt").string();
    std::ofstream(out) << "the previous run's output\n";
    // ulimit -f in 512-byte blocks (dash); SIGXFSZ ignored, so write(2) fails with EFBIG.
    const int code = shell("ulimit -f 1; trap '' XFSZ; " + kQnnsim + " run " + lenet_on_systolic() + " --quiet " + option +
                           " " + out + " 2>" + (dir / "err.log").string());
    CHECK(code == 1);
    CHECK_THAT(read_file((dir / "err.log").string()), Catch::Contains("cannot write '" + out + "': File too large"));
    CHECK(read_file(out) == "the previous run's output\n");
    CHECK(files_in(dir) == std::vector<std::string>{"err.log", "out.txt"});
  }
}

TEST_CASE("a written output replaces the old one whole, with the old file's permissions", "[reliability][cli]") {
  const auto dir = scratch_dir("atomic_ok");
  const std::string json = (dir / "r.json").string();
  std::ofstream(json) << "old";
  REQUIRE(::chmod(json.c_str(), 0640) == 0);
  REQUIRE(qnnsim_cli("run " + lenet_on_systolic() + " --quiet --json " + json, dir / "out.txt", dir / "err.txt") == 0);
  const std::string text = read_file(json);
  CHECK(text.rfind("{", 0) == 0);
  CHECK(text.find("\"layers\"") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(json.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(files_in(dir) == std::vector<std::string>{"err.txt", "out.txt", "r.json"});

  // A new file gets the mode open(2) would give it under the umask.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const std::string fresh = (dir / "fresh.csv").string();
  write_output_file(fresh, "a,b\n");
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  CHECK(read_file(fresh) == "a,b\n");
}

TEST_CASE("an output in a directory that does not exist fails before the run", "[reliability][cli]") {
  const auto dir = scratch_dir("no_dir");
  const std::string missing = (dir / "missing" / "r.json").string();
  CHECK(qnnsim_cli("run " + lenet_on_systolic() + " --json " + missing, dir / "out.txt", dir / "err.txt") == 1);
  CHECK_THAT(read_file((dir / "err.txt").string()), Catch::Contains("'" + missing + "': No such file or directory"));
  // Nothing was simulated: no table was printed.
  CHECK(read_file((dir / "out.txt").string()).empty());
}
