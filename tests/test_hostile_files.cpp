// Files the command line names that would make a run lose or destroy data, or
// answer something other than what was asked: each is refused with exit 2 and
// a message saying which file or key, and nothing is written.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support.h"

using namespace qnnsim::test;
namespace fs = std::filesystem;

namespace {

std::string copy_of(const fs::path& dir, const std::string& shipped_file, const std::string& name) {
  const fs::path to = dir / name;
  fs::copy_file(shipped(shipped_file), to, fs::copy_options::overwrite_existing);
  return to.string();
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("a second YAML document in a file is refused at its line, not dropped", "[cli][reliability]") {
  const fs::path dir = scratch_dir("multidoc");
  const std::string arch = copy_of(dir, "arch/systolic_ws.yaml", "arch.yaml");
  std::ofstream(arch, std::ios::app) << "---\nname: other\n";
  CHECK(qnnsim_cli("validate " + q(arch), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("arch.yaml:") && Catch::Contains("second YAML document"));
  fs::remove_all(dir);
}

TEST_CASE("an output that names an input, another output, or nothing is refused before anything runs",
          "[cli][reliability]") {
  const fs::path dir = scratch_dir("outputs_clash");
  const std::string arch = copy_of(dir, "arch/systolic_ws.yaml", "arch.yaml");
  const std::string before = read_file(arch);
  const std::string wl = shipped("workloads/lenet5.yaml");
  CHECK(qnnsim_cli("run " + q(arch) + " " + wl + " --quiet --json " + q(arch), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--json") && Catch::Contains("ARCH"));
  CHECK(read_file(arch) == before);  // the input is intact
  const fs::path r = dir / "r.out";
  CHECK(qnnsim_cli("run " + q(arch) + " " + wl + " --quiet --json " + q(r) + " --csv " + q(r), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--json and --csv both name"));
  CHECK_FALSE(fs::exists(r));
  CHECK(qnnsim_cli("run " + q(arch) + " " + wl + " --quiet --json ''", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--json: the file name is empty"));
  fs::remove_all(dir);
}

TEST_CASE("results refuses a file no sweep wrote and leaves it as it was", "[cli][reliability]") {
  const fs::path dir = scratch_dir("results_not_db");
  const fs::path empty = dir / "empty.db";
  std::ofstream{empty};
  CHECK(qnnsim_cli("results " + q(empty), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("is empty"));
  CHECK(fs::file_size(empty) == 0);
  CHECK(qnnsim_cli("results " + q(dir), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("is a directory"));
  fs::remove_all(dir);
}

TEST_CASE("diff given a directory says so and exits 2, not 1 (changed)", "[cli][reliability]") {
  const fs::path dir = scratch_dir("diff_dir");
  CHECK(qnnsim_cli("diff " + q(dir) + " " + q(dir), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("is a directory"));
  fs::remove_all(dir);
}

TEST_CASE("a golden file of no runs, or a run that sets check's own --json, is refused", "[cli][reliability]") {
  const fs::path dir = scratch_dir("golden_empty");
  const fs::path none = dir / "none.yaml", json = dir / "json.yaml";
  std::ofstream(none) << "tolerance: 1e-6\nruns: []\n";
  std::ofstream(json) << "runs:\n  - {arch: systolic_ws, workload: lenet5, options: [--json, x.json]}\n";
  CHECK(qnnsim_cli("check " + q(none), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("none.yaml:") && Catch::Contains("'runs'"));
  CHECK(qnnsim_cli("check " + q(json), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("json.yaml:") && Catch::Contains("check's own"));
  fs::remove_all(dir);
}

TEST_CASE("a sweep's points file is read strictly: a garbled, empty or foreign one is an error", "[cli][reliability][sweep]") {
  const fs::path dir = scratch_dir("points_file");
  const fs::path spec = dir / "spec.yaml";
  std::ofstream(spec) << "name: two\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\nparameters:\n  - {path: pe_array.rows, values: [8, 16]}\n";
  const auto points = [&](const std::string& text) {
    std::ofstream(dir / "pts.txt") << text;
    return qnnsim_cli("sweep " + q(spec) + " -j 1 --no-progress --db " + q(dir / "p.db") + " --points " + q(dir / "pts.txt"),
                      dir / "out", dir / "err");
  };
  CHECK(points("0\nx\n") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("pts.txt:2") && Catch::Contains("'x'"));
  CHECK(points("") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("lists no point indices"));
  CHECK(points("1e2") == 2);
  CHECK(points("99") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("point index 99") && Catch::Contains("has 2"));
  CHECK_FALSE(fs::exists(dir / "p.db"));
  CHECK(points("1\n") == 0);
  CHECK(sweep_rows((dir / "p.db").string()).size() == 1);
  fs::remove_all(dir);
}

TEST_CASE("a sweep constraint that divides by zero is an error at its key, not an infinity", "[cli][reliability][sweep]") {
  const fs::path dir = scratch_dir("constraint_zero");
  const fs::path spec = dir / "spec.yaml";
  std::ofstream(spec) << "name: zero\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml")
                      << "]\nparameters:\n  - {path: pe_array.rows, values: [8, 16]}\nconstraints: [\"rows % 0 == 0\"]\n";
  CHECK(qnnsim_cli("sweep " + q(spec) + " --dry-run", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("spec.yaml:") && Catch::Contains("divides by zero"));
  fs::remove_all(dir);
}

TEST_CASE("options a design's family has no use for are refused, not ignored", "[cli][reliability]") {
  const fs::path dir = scratch_dir("unused_options");
  CHECK(qnnsim_cli("run isaac lenet5 --quiet --objective latency", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--objective") && Catch::Contains("in-memory chip"));
  CHECK(qnnsim_cli("sweep " + shipped("configs/sweeps/lenet5_systolic.yaml") + " --dry-run --slurm-tasks 4", dir / "out",
                   dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("--backend slurm"));
  fs::remove_all(dir);
}

TEST_CASE("an ADC's columns must be a share of one crossbar's or whole crossbars", "[imc][reliability]") {
  const fs::path dir = scratch_dir("adc_columns");
  const std::string arch = copy_of(dir, "arch/isaac.yaml", "isaac.yaml");
  const std::string text = replace_all(read_file(arch), "columns_per_adc: 128", "columns_per_adc: 3");
  std::ofstream(arch) << text;
  CHECK(qnnsim_cli("validate " + q(arch), dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("columns_per_adc") && Catch::Contains("found 3"));
  fs::remove_all(dir);
}
