// eval --trace holds each layer's sums in the accumulator width the trace
// gives that layer (numerics/trace_plan.h), as a mixed-precision trace may
// give them: the other layers' sums are unchanged, and only the narrow
// layer's overflow, in the table, the JSON and the warning.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support.h"

using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;

TEST_CASE("eval --trace runs each layer in the accumulator its trace gives it", "[eval][trace][accumulator]") {
  const auto dir = scratch_dir("eval_trace_accumulators");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string trace = (dir / "lenet.yaml").string(), narrow = (dir / "fc1_16.yaml").string();
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --bits 8/8 --calibration-images 100 -o " + trace, out, err) == 0);
  // fc1 sums 400 products of 8-bit codes: more than a 16-bit accumulator holds.
  std::string yaml = read_file(trace);
  const auto fc1 = yaml.find("- {name: fc1_Gemm");
  REQUIRE(fc1 != std::string::npos);
  yaml.insert(yaml.find("onnx_node", fc1), "accumulator: {bits: 16}, ");
  std::ofstream(narrow) << yaml;
  const auto eval = [&](const std::string& t, const std::string& json) {
    REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 300 --trace " + t + " --json " + json, out, err) == 0);
    return nlohmann::json::parse(read_file(json));
  };
  const nlohmann::json wide = eval(trace, (dir / "wide.json").string());
  const nlohmann::json mixed = eval(narrow, (dir / "mixed.json").string());
  CHECK_THAT(read_file(out.string()), Catch::Contains("each layer's accumulator (below, wrap)"));
  CHECK_THAT(read_file(err.string()),
             Catch::Contains("accumulator overflow: layer 'fc1_Gemm'") && Catch::Contains("16-bit accumulator"));
  CHECK(mixed["quantization"]["accumulator_bits"] == "per_layer");
  CHECK(wide["quantization"]["accumulator_bits"] == 32);
  REQUIRE(mixed["layers"].size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    const nlohmann::json &m = mixed["layers"][i], &w = wide["layers"][i];
    INFO(m["name"].get<std::string>());
    const bool is_fc1 = m["name"] == "fc1_Gemm";
    CHECK(m["accumulator_bits"] == (is_fc1 ? 16 : 32));
    CHECK(w.count("accumulator_bits") == 0);
    CHECK(w["overflowed_sums"] == 0);
    if (i < 2) CHECK(m["exact_sum_max"] == w["exact_sum_max"]);  // before fc1: the same sums
    if (is_fc1) CHECK(m["overflowed_sums"].get<int64_t>() > 0);
    else CHECK(m["overflowed_sums"] == 0);
  }
  CHECK(mixed["quantized_accuracy_fraction"].get<double>() < wide["quantized_accuracy_fraction"].get<double>());
}
