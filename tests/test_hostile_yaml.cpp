// Hostile YAML: self-referencing aliases, alias bombs, deep nesting and huge
// files are refused by the one guarded parse every loader goes through, with
// the file and line, instead of crashing or hanging (issue 21's reproducers
// are in tests/data/reliability/).
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "core/yaml_guard.h"
#include "energy/energy_table.h"
#include "schedule/mapping_io.h"
#include "support.h"
#include "sweep/sweep_spec.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string reproducer(const std::string& name) { return shipped("tests/data/reliability/" + name); }

// The ConfigError a load throws; fails the test if it throws none.
template <class Load>
ConfigError error_of(Load load) {
  try {
    load();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("no ConfigError");
  return ConfigError({}, "", "");
}

std::string write(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("an alias inside the node it names is an error at its line, from validate, run and sweep",
          "[reliability][cli]") {
  const auto dir = scratch_dir("self_alias");
  for (const char* name : {"self_alias_tiny.yaml", "self_alias_map.yaml"}) {
    INFO(name);
    CHECK(qnnsim_cli("validate " + reproducer(name), dir / "out.txt", dir / "err.txt") == 2);
    const std::string err = read_file((dir / "err.txt").string());
    CHECK(err.find(std::string(name) + ":1:") != std::string::npos);
    CHECK(err.find("alias '*x' refers to a node that contains it (a cycle)") != std::string::npos);
  }
  // `name: &x [*x]` in a copy of the shipped systolic design, line 15.
  const std::string arch = reproducer("self_alias_in_arch.yaml");
  CHECK(qnnsim_cli("validate " + arch, dir / "out.txt", dir / "err.txt") == 2);
  CHECK(read_file((dir / "err.txt").string()).find("self_alias_in_arch.yaml:15:") != std::string::npos);
  CHECK(qnnsim_cli("run " + arch + " " + shipped("workloads/lenet5.yaml"), dir / "out.txt", dir / "err.txt") == 2);
  CHECK(read_file((dir / "err.txt").string()).find("self_alias_in_arch.yaml:15:") != std::string::npos);
  const std::string spec = write(dir, "spec.yaml", "arch: " + arch + "\nworkloads: [" + shipped("workloads/lenet5.yaml") +
                                                       "]\nparameters: [{path: pe_array.rows, values: [8]}]\n");
  CHECK(qnnsim_cli("sweep " + spec + " --db " + (dir / "r.db").string(), dir / "out.txt", dir / "err.txt") == 2);
  CHECK(read_file((dir / "err.txt").string()).find("self_alias_in_arch.yaml:15:") != std::string::npos);
}

TEST_CASE("nine levels of nine aliases are refused as they are read, not expanded", "[reliability][cli]") {
  const auto dir = scratch_dir("alias_bomb");
  CHECK(qnnsim_cli("validate " + reproducer("alias_bomb_9x9.yaml"), dir / "out.txt", dir / "err.txt") == 2);
  const std::string err = read_file((dir / "err.txt").string());
  CHECK(err.find("alias_bomb_9x9.yaml:") != std::string::npos);
  CHECK(err.find("expands to more than 2000000 values") != std::string::npos);
}

TEST_CASE("every loader goes through the guarded parse", "[reliability]") {
  const auto dir = scratch_dir("guarded_loaders");
  const std::string cyclic = write(dir, "cyclic.yaml", "layers: &x [*x]\n");
  const Workload lenet = load_workload(shipped("workloads/lenet5.yaml"));
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const std::vector<std::pair<const char*, std::function<void()>>> loaders{
      {"workload", [&] { load_workload(cyclic); }},
      {"arch", [&] { load_arch(cyclic); }},
      {"energy table", [&] { EnergyTable::load(cyclic); }},
      {"mapping file", [&] { load_mappings(cyclic, lenet, arch->dataflow); }},
      {"sweep spec", [&] { load_sweep_spec(cyclic); }},
  };
  for (const auto& [what, load] : loaders) {
    INFO(what);
    const ConfigError e = error_of(load);
    CHECK(e.where().file == cyclic);
    CHECK(e.where().line == 1);
    CHECK(e.message().find("(a cycle)") != std::string::npos);
  }
}

TEST_CASE("aliases within the budget load as if written out", "[reliability]") {
  // The same two-layer trace with its shared precision written once and aliased.
  const std::string plain = R"(network: t
input: {C: 4, H: 8, W: 8}
layers:
  - {name: a, type: conv, C: 4, H: 8, W: 8, M: 4, R: 3, S: 3, padding: 1, weights: {bits: 4, scheme: uniform_symmetric}}
  - {name: b, type: conv, C: 4, H: 8, W: 8, M: 4, R: 3, S: 3, padding: 1, weights: {bits: 4, scheme: uniform_symmetric}}
)";
  const std::string aliased = R"(network: t
input: {C: 4, H: 8, W: 8}
layers:
  - {name: a, type: conv, C: 4, H: 8, W: 8, M: 4, R: 3, S: 3, padding: 1, weights: &w {bits: 4, scheme: uniform_symmetric}}
  - {name: b, type: conv, C: 4, H: 8, W: 8, M: 4, R: 3, S: 3, padding: 1, weights: *w}
)";
  const Workload a = workload_from_text(plain), b = workload_from_text(aliased);
  REQUIRE(a.layers.size() == 2);
  REQUIRE(b.layers.size() == 2);
  CHECK(b.layers[1].precision.weights.bits == 4);
  CHECK(b.layers[0].precision.weights.bits == 4);
  CHECK(a.macs_per_image() == b.macs_per_image());
}

TEST_CASE("a byte yaml-cpp cannot read before a stray closing bracket ends in an error, not a loop over empty documents",
          "[reliability]") {
  // yaml-cpp hands back the same empty document forever after this first
  // line; the check for a second document must not follow it (the fuzzer's
  // yaml_loaders harness found it).
  const std::string text = "# a\xff*x]\n, b\n";
  CHECK_THROWS_AS(ConfigNode::load_string(text, "stray.yaml"), ConfigError);
}

TEST_CASE("deep nesting and oversized files are refused with a message", "[reliability]") {
  std::string deep = "a: ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  const ConfigError nested = error_of([&] { ConfigNode::load_string(deep, "deep.yaml"); });
  CHECK(nested.where().file == "deep.yaml");
  CHECK(nested.where().line == 1);
  CHECK(nested.message().find("nested more than 64") != std::string::npos);

  // A device that never ends is read only as far as the limit.
  const ConfigError endless = error_of([] { ConfigNode::load_file("/dev/zero"); });
  CHECK(endless.where().file == "/dev/zero");
  CHECK(endless.message().find("larger than 16 MiB") != std::string::npos);
  const ConfigError directory = error_of([] { ConfigNode::load_file("/"); });
  CHECK(directory.message().find("cannot read") != std::string::npos);
}
