// The latency objective picks the fastest plan it finds, never one slower than
// what the energy-delay objective picks. The case that broke it: a buffer of
// four banks behind 64 DRAM channels, where the buffer's bandwidth binds and
// a plan within 1% on the estimate used to be taken for its energy.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "design/objective.h"
#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string few_banks_many_channels_yaml() {
  std::string yaml = read_file(shipped("arch/systolic_ws.yaml"));
  yaml = replace_all(yaml, "    channels: 2 ", "    channels: 64 ");
  return replace_all(yaml, "    banks: 32 ", "    banks: 4 ");
}

std::unique_ptr<ArchSpec> few_banks_many_channels() { return arch_from_text(few_banks_many_channels_yaml(), "few_banks.yaml"); }

}  // namespace

TEST_CASE("per layer, the latency objective's plan is never slower than the EDP objective's", "[mapper][objective]") {
  const auto arch = few_banks_many_channels();
  for (const char* file : {"workloads/vgg_small.yaml", "workloads/mobilenet_v1.yaml"}) {
    Workload w = load_workload(shipped(file));
    for (int64_t batch : {1, 4}) {
      w.batch = batch;
      for (const Layer& l : w.layers) {
        INFO(file << " batch " << batch << " layer " << l.name);
        const PlanScore fast = score_plan(*arch, l, plan_layer(*arch, l, batch, nullptr, Objective::Latency));
        const PlanScore edp = score_plan(*arch, l, plan_layer(*arch, l, batch, nullptr, Objective::Edp));
        CHECK(fast.seconds <= edp.seconds);
      }
    }
  }
}

TEST_CASE("per layer, the latency objective's plan is never slower than the energy objective's", "[mapper][objective]") {
  // LeNet-5's fc1 on the shipped systolic array: the energy objective found a
  // plan of 6,679 cycles, the latency objective took one of 6,712.
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  for (const char* file : {"workloads/lenet5.yaml", "workloads/mobilenet_v1.yaml"}) {
    const Workload w = load_workload(shipped(file));
    for (const Layer& l : w.layers) {
      INFO(file << " layer " << l.name);
      const PlanScore fast = score_plan(*arch, l, plan_layer(*arch, l, 1, nullptr, Objective::Latency));
      const PlanScore frugal = score_plan(*arch, l, plan_layer(*arch, l, 1, nullptr, Objective::Energy));
      CHECK(fast.seconds <= frugal.seconds);
    }
  }
}

TEST_CASE("simulated, the latency objective's run is not slower than the EDP objective's", "[mapper][objective]") {
  // Two simulations, so two processes (SystemC elaborates once per process).
  const auto dir = scratch_dir("objectives");
  std::ofstream(dir / "few_banks.yaml") << few_banks_many_channels_yaml();
  const auto cycles = [&](const std::string& objective) {
    const auto json = dir / (objective + ".json");
    REQUIRE(qnnsim_cli("run " + (dir / "few_banks.yaml").string() + " " + shipped("workloads/vgg_small.yaml") +
                           " --quiet --objective " + objective + " --json " + json.string(),
                       dir / "out", dir / "err") == 0);
    return nlohmann::json::parse(read_file(json.string()))["summary"]["cycles"].get<uint64_t>();
  };
  // 11,100,634 against 11,061,448 cycles before the fix.
  CHECK(cycles("latency") <= cycles("edp"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("an objective name nobody checked is refused, not taken for EDP", "[mapper][objective]") {
  for (const std::string& name : search_objective_names()) CHECK(objective_name(objective_named(name)) == name);
  CHECK(objective_named("energy") == Objective::Energy);
  CHECK(objective_named("latency") == Objective::Latency);
  CHECK(objective_named("edp") == Objective::Edp);
  CHECK_THROWS_WITH(objective_named("latncy"), "unknown objective 'latncy': expected energy, latency or edp");
  CHECK_THROWS_AS(objective_named(""), std::invalid_argument);
}
