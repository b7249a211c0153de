// Sweep specs: parsing and its errors, paths into the YAML, expansion counts
// and constraint filtering. None of these run a simulation.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "core/config_node.h"
#include "sweep/expression.h"
#include "sweep/sweep_plan.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// A spec file over the shipped systolic arch and LeNet-5; `body` is the rest.
std::string write_spec(const std::string& dir_name, const std::string& body, const std::string& workloads = "") {
  const auto dir = scratch_dir(dir_name);
  const std::string path = (dir / "spec.yaml").string();
  std::ofstream(path) << "name: t\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << (workloads.empty() ? shipped("workloads/lenet5.yaml") : workloads) << "]\n"
                      << body;
  return path;
}

const std::string kShape =
    "parameters:\n"
    "  - path: pe_array.rows\n"
    "    values: [4, 8, 16, 32]\n"
    "  - path: pe_array.cols\n"
    "    values: [4, 8, 16, 32]\n"
    "  - path: glb.size\n"
    "    values: [64 KiB, 128 KiB, 256 KiB]\n";

// The ConfigError a spec raises, or fails the test.
ConfigError spec_error(const std::string& path) {
  try {
    load_sweep_spec(path);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the spec loaded without error");
  throw;
}

}  // namespace

TEST_CASE("grid, zip and random expand to the expected counts", "[sweep]") {
  CHECK(expand_points(load_sweep_spec(write_spec("grid", kShape))).size() == 4 * 4 * 3);
  const std::string two = shipped("workloads/lenet5.yaml") + ", " + shipped("workloads/mnist_cnn.yaml");
  CHECK(expand_points(load_sweep_spec(write_spec("grid2", kShape, two))).size() == 2 * 4 * 4 * 3);

  const std::string zip = "combine: zip\nparameters:\n  - {path: pe_array.rows, values: [4, 8, 16]}\n"
                          "  - {path: pe_array.cols, values: [16, 8, 4]}\n";
  const auto zipped = expand_points(load_sweep_spec(write_spec("zip", zip)));
  REQUIRE(zipped.size() == 3);
  CHECK(zipped[2].choice == std::vector<std::size_t>{2, 2});

  // A zip group inside a grid: shapes (3) x buffer sizes (2).
  const std::string group = "parameters:\n  - zip:\n      - {path: pe_array.rows, values: [4, 8, 16]}\n"
                            "      - {path: pe_array.cols, values: [16, 8, 4]}\n  - {path: glb.size, values: [64 KiB, 1 MiB]}\n";
  CHECK(expand_points(load_sweep_spec(write_spec("group", group))).size() == 6);

  const auto random_spec = [&](int seed) {
    return load_sweep_spec(write_spec("random" + std::to_string(seed), kShape + "combine: random\nsamples: 20\nseed: " +
                                                                           std::to_string(seed) + "\n"));
  };
  const auto a = expand_points(random_spec(7)), b = expand_points(random_spec(7)), c = expand_points(random_spec(8));
  REQUIRE(a.size() == 20);
  std::set<std::vector<std::size_t>> distinct;
  for (const auto& p : a) distinct.insert(p.choice);
  CHECK(distinct.size() == 20);  // sampled without repeats
  bool same = true, differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    same = same && a[i].choice == b[i].choice;
    differs = differs || a[i].choice != c[i].choice;
  }
  CHECK(same);     // a seed gives the same points every time
  CHECK(differs);  // another seed gives others

  const std::string range = "parameters:\n  - {path: glb.size, range: {from: 16, to: 512, factor: 2, unit: KiB}}\n";
  const SweepSpec ranged = load_sweep_spec(write_spec("range", range));
  CHECK(ranged.parameters[0].value_text == std::vector<std::string>{"16 KiB", "32 KiB", "64 KiB", "128 KiB", "256 KiB", "512 KiB"});
}

TEST_CASE("constraints drop points before they run", "[sweep]") {
  // rows x cols <= 64 keeps (4,4) (4,8) (4,16) (8,4) (8,8) (16,4): 6 shapes, each with 3 buffers.
  auto plan = plan_sweep(write_spec("cons", kShape + "constraints: [\"rows * cols <= 64\"]\n"), {});
  CHECK(plan->runnable.size() == 6 * 3);
  CHECK(plan->dropped == 10 * 3);
  for (std::size_t i : plan->runnable) {
    const auto v = numeric_values(plan->spec, plan->points[i]);
    CHECK(v.at("rows") * v.at("cols") <= 64);
  }

  // Area is known before a run: the limit splits the points, and every kept one is under it.
  auto all = plan_sweep(write_spec("area_all", kShape), {});
  std::vector<double> areas;
  for (std::size_t i : all->runnable) areas.push_back(all->resolver->area_mm2(all->resolver->resolve(all->points[i])));
  std::sort(areas.begin(), areas.end());
  const double limit = areas[areas.size() / 2];
  auto cut = plan_sweep(write_spec("area_cut", kShape + "constraints: [\"area_mm2 <= " + std::to_string(limit) + "\"]\n"), {});
  CHECK(cut->runnable.size() == static_cast<std::size_t>(std::upper_bound(areas.begin(), areas.end(), limit) - areas.begin()));
  CHECK(cut->runnable.size() < all->runnable.size());
  for (std::size_t i : cut->runnable) CHECK(cut->resolver->area_mm2(cut->resolver->resolve(cut->points[i])) <= limit);
}

TEST_CASE("constraint expressions follow arithmetic and logic", "[sweep]") {
  std::string why;
  const auto e = Expression::parse("not (a + 2 * b > 10) and (a % 3 == 1 || b != 0)", &why);
  REQUIRE(e);
  CHECK(e->names() == std::set<std::string>{"a", "b"});
  CHECK(e->evaluate({{"a", 4}, {"b", 3}}) == 1);  // 10 > 10 is false; 4 % 3 == 1
  CHECK(e->evaluate({{"a", 5}, {"b", 3}}) == 0);  // 11 > 10
  CHECK(e->evaluate({{"a", 3}, {"b", 0}}) == 0);  // neither 3 % 3 == 1 nor b != 0
  CHECK(Expression::parse("-a * -2 >= 4", &why)->evaluate({{"a", 2}}) == 1);   // (-2) * (-2) = 4
  CHECK(Expression::parse("-a * -2 >= 4", &why)->evaluate({{"a", -2}}) == 0);  // 2 * (-2) = -4
  for (const char* bad : {"rows * * cols", "rows <= ", "(rows", "rows # 2", ""}) {
    why.clear();
    CHECK_FALSE(Expression::parse(bad, &why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("a constraint nested or chained past the bounds is an error, not a stack overflow", "[sweep][reliability]") {
  // The fuzzer's finding: 2,412 bytes of nested "(-(" overflowed the parser's stack.
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "(-";
  deep += "1";
  for (int i = 0; i < 1000; ++i) deep += ")";
  std::string why;
  CHECK_FALSE(Expression::parse(deep, &why));
  CHECK_THAT(why, Catch::Contains("nests deeper than 100 levels"));
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "not ";
  CHECK_FALSE(Expression::parse(nots + "1", &why));
  // Long chains recurse in evaluation: bounded by their length.
  std::string chain = "1";
  for (int i = 0; i < 6000; ++i) chain += " + 1";
  why.clear();
  CHECK_FALSE(Expression::parse(chain, &why));
  CHECK_THAT(why, Catch::Contains("more than 10000 tokens"));
  // Within the bounds, nesting evaluates as written.
  std::string fine;
  for (int i = 0; i < 50; ++i) fine += "(-";
  fine += "2";
  for (int i = 0; i < 50; ++i) fine += ")";
  REQUIRE(Expression::parse(fine, &why));
  CHECK(Expression::parse(fine, &why)->evaluate({}) == 2);  // 50 negations
}

TEST_CASE("paths reach into the arch and the workload", "[sweep]") {
  // A suffix finds the one place it ends at: adc.bits is ima.adc.bits on ISAAC.
  const auto dir = scratch_dir("paths");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "arch: " << shipped("arch/isaac.yaml") << "\nworkloads: [" << shipped("workloads/lenet5.yaml")
                      << "]\nparameters:\n  - {path: adc.bits, values: [6, 8]}\n  - {path: crossbar.rows, values: [64, 128]}\n"
                      << "  - {path: 'layers[*].weights.bits', name: wbits, values: [4]}\n  - {path: 'layers[fc3].M', name: classes, values: [12]}\n";
  auto plan = plan_sweep(spec, {});
  CHECK(plan->spec.parameters[0].path.text == "ima.adc.bits");
  CHECK(plan->spec.parameters[1].path.text == "ima.crossbar.rows");
  CHECK_FALSE(plan->spec.parameters[2].in_arch);
  const ResolvedPoint r = plan->resolver->resolve(plan->points.at(0));
  CHECK(r.arch["ima"]["adc"]["bits"].as<int>() == 6);
  CHECK(r.arch["ima"]["crossbar"]["rows"].as<int>() == 64);
  const Workload w = load_workload(ConfigNode::from_tree(r.workload, "lenet5.yaml"));
  for (const Layer& l : w.layers)
    if (layer_uses_array(l.type)) CHECK(l.precision.weights.bits == 4);
  CHECK(w.layers.back().M == 12);
  // Distinct points have distinct hashes; the same inputs hash the same.
  std::set<std::string> hashes;
  for (const auto& p : plan->points) hashes.insert(plan->resolver->resolve(p).hash);
  CHECK(hashes.size() == plan->points.size());
  CHECK(plan->resolver->resolve(plan->points[1]).hash == plan->resolver->resolve(plan->points[1]).hash);
}

TEST_CASE("spec errors name the file, line and key", "[sweep][errors]") {
  struct Case {
    std::string body, key, line, words;
  };
  const std::vector<Case> cases{
      {"parameters:\n  - path: pe_array.rowz\n    values: [4]\n", "parameters[0].path", ":5:", "no key 'rowz' under 'pe_array'"},
      {"parameters:\n  - path: nothing.here\n    values: [4]\n", "parameters[0].path", ":5:", "unknown path"},
      {"parameters:\n  - path: pe_array.rows\n    values: []\n", "parameters[0].values", ":6:", "empty"},
      {kShape + "constraints:\n  - rows * * cols <= 64\n", "constraints[0]", ":12:", "bad constraint"},
      {kShape + "constraints:\n  - rows * depth <= 64\n", "constraints[0]", ":12:", "reads 'depth'"},
      {kShape + "combine: zip\n", "parameters", "", "same number of values"},
      {"parameters:\n  - {path: 'pe_array.rows[', values: [4]}\n", "parameters[0].path", ":5:", "malformed path"},
      {"parameters:\n  - {path: power, values: [4]}\n", "parameters[0].path", ":5:", "unknown path"},
      {kShape + "samples: 3\n", "samples", ":11:", "combine: random"},
      {kShape + "objectives: [energy, speed]\n", "objectives", ":11:", "unknown objective 'speed'"},
      {kShape + "options: {objective: speed}\n", "options.objective", ":11:",
       "unknown objective 'speed': expected energy, latency or edp"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << i);
    const std::string path = write_spec("err" + std::to_string(i), cases[i].body);
    const ConfigError e = spec_error(path);
    const std::string text = e.what();
    INFO(text);
    CHECK(e.where().file == path);
    CHECK(text.find("key '" + cases[i].key + "'") != std::string::npos);
    CHECK(text.find(cases[i].line) != std::string::npos);
    CHECK(text.find(cases[i].words) != std::string::npos);
  }
  // An ambiguous suffix lists where it could end.
  const auto dir = scratch_dir("ambiguous");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "arch: " << shipped("arch/isaac.yaml") << "\nworkloads: [" << shipped("workloads/lenet5.yaml")
                      << "]\nparameters:\n  - {path: area, values: [1 mm2]}\n";
  const std::string text = spec_error(spec).what();
  CHECK(text.find("ambiguous") != std::string::npos);
  CHECK(text.find("chip.io.area") != std::string::npos);
}

TEST_CASE("shipped sweep specs load, and set: edits every point", "[sweep]") {
  const std::vector<std::pair<std::string, std::size_t>> shipped_specs{
      {"configs/sweeps/lenet5_systolic.yaml", 96},
      {"configs/sweeps/eyeriss_array_glb.yaml", 1053},
      {"configs/sweeps/isaac_adc_crossbar.yaml", 28},
      {"configs/sweeps/per_layer_weight_bits.yaml", 27},
      {"configs/sweeps/finn_cnv_lanes.yaml", 40}};
  for (const auto& [file, points] : shipped_specs) {
    INFO(file);
    CHECK(expand_points(load_sweep_spec(shipped(file))).size() == points);
  }
  // ISAAC's sweep switches the ADC to the figure-of-merit model and removes the table's power.
  auto plan = plan_sweep(shipped("configs/sweeps/isaac_adc_crossbar.yaml"), {});
  const ResolvedPoint r = plan->resolver->resolve(plan->points.at(0));
  CHECK(r.arch["ima"]["adc"]["energy_model"].as<std::string>() == "fom");
  CHECK_FALSE(r.arch["ima"]["adc"]["power"].IsDefined());
  CHECK(describe_point(plan->spec, plan->points.at(0)).find("set:") == std::string::npos);
  CHECK(record_for(*plan, 0).params.size() == 4);  // bits, rows, cols, columns_per_adc
}
