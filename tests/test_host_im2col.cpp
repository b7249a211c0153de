// im2col on the host (SystolicArray `im2col: host_input`, Bit Fusion's
// release): the layer fed by the network input reaches the array as a 1 x 1
// convolution over its expanded windows, read from DRAM once per window each
// pixel belongs to; the array flattens no other layer. `im2col: array` (the
// default, the TPU's data setup) flattens any layer from the stored map and
// expands nothing; `none` flattens nothing. Shapes derived by hand.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "schedule/host_im2col.h"
#include "schedule/im2col.h"
#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string with_im2col(const std::string& mode) {
  return replace_all(tiny_arch_yaml(), "spad: {weights: 2, inputs: 1, psums: 1}",
                     "spad: {weights: 2, inputs: 1, psums: 1}\n    im2col: " + mode);
}

// A 3-channel 8 x 8 image, a 3 x 3 conv of 8 filters with padding 1 (8 x 8
// out), then a 3 x 3 conv of 8 filters on its output.
const char* kTwoConvs = R"(network: two_convs
batch: 1
precision:
  weights: {bits: 8, scheme: uniform_symmetric}
  inputs: {bits: 8, scheme: uniform_symmetric}
  outputs: {bits: 8, scheme: uniform_symmetric}
  accumulator: {bits: 32, scheme: uniform_symmetric}
input: {C: 3, H: 8, W: 8}
layers:
  - {name: conv0, type: conv, C: 3, H: 8, W: 8, M: 8, R: 3, S: 3, padding: 1}
  - {name: conv1, type: conv, C: 8, H: 8, W: 8, M: 8, R: 3, S: 3, padding: 1}
)";

}  // namespace

TEST_CASE("the host expands the input layer's windows into a 1 x 1 convolution", "[hand][im2col]") {
  const Workload w = workload_from_text(kTwoConvs);
  const Layer e = host_expanded(w.layers[0]);
  CHECK(e.C == 27);  // 3 x 3 x 3 values per output position
  CHECK(e.H == 8);
  CHECK(e.W == 8);
  CHECK(e.R == 1);
  CHECK(e.S == 1);
  CHECK(e.P == 8);
  CHECK(e.Q == 8);
  CHECK(e.macs() == w.layers[0].macs());                  // 8 x 8 x 8 x 27 = 13,824
  CHECK(e.weight_count() == w.layers[0].weight_count());  // 8 x 27
  CHECK(e.input_count() == 27 * 64);                      // each pixel once per window: 1,728, not 192
  CHECK(w.layers[0].input_count() == 192);
}

TEST_CASE("only a host_input design receives the input expanded", "[hand][im2col]") {
  const Workload w = workload_from_text(kTwoConvs);
  const auto host = arch_from_text(with_im2col("host_input"));
  const Workload seen = as_array_receives(*host, w);
  CHECK(seen.layers[0].C == 27);
  CHECK(seen.layers[0].R == 1);
  CHECK(seen.input.C == 27);
  CHECK(seen.layers[1].C == 8);  // fed by conv0: reaches the array as stored
  CHECK(seen.layers[1].R == 3);
  // The array flattens no layer itself.
  CHECK_FALSE(im2col_allowed(*host, seen.layers[1]));
  CHECK_THAT(im2col_problem(*host, seen.layers[1]), Catch::Contains("whole factors"));

  for (const char* mode : {"array", "none"}) {
    const auto arch = arch_from_text(with_im2col(mode));
    const Workload same = as_array_receives(*arch, w);
    CHECK(same.layers[0].C == 3);
    CHECK(same.layers[0].R == 3);
  }
  CHECK(im2col_allowed(*arch_from_text(with_im2col("array")), w.layers[1]));
  CHECK_FALSE(im2col_allowed(*arch_from_text(with_im2col("none")), w.layers[1]));
  CHECK(im2col_allowed(*arch_from_text(tiny_arch_yaml()), w.layers[1]));  // array is the default
}

TEST_CASE("an input read by two layers or without a window is not expanded", "[hand][im2col]") {
  const auto host = arch_from_text(with_im2col("host_input"));
  std::string both = kTwoConvs;
  both = replace_all(both, "- {name: conv1, type: conv, C: 8,", "- {name: conv1, type: conv, from: [input], C: 3,");
  const Workload two_readers = workload_from_text(both);
  CHECK(as_array_receives(*host, two_readers).layers[0].C == 3);
  std::string one_by_one = kTwoConvs;
  one_by_one = replace_all(one_by_one, "M: 8, R: 3, S: 3, padding: 1}\n  - {name: conv1",
                           "M: 8, R: 1, S: 1}\n  - {name: conv1");
  const Workload pointwise = workload_from_text(one_by_one);
  REQUIRE(pointwise.layers[0].R == 1);
  CHECK(as_array_receives(*host, pointwise).layers[0].C == 3);
}

TEST_CASE("a run on a host_input design reads the expanded input from DRAM", "[hand][im2col]") {
  // One SystemC run a process: each design through the command line.
  const auto dir = scratch_dir("host_im2col_run");
  std::ofstream(dir / "w.yaml") << kTwoConvs;
  std::map<std::string, nlohmann::json> layer0;
  for (const char* mode : {"host_input", "array"}) {
    std::ofstream(dir / (std::string(mode) + ".yaml")) << with_im2col(mode);
    const auto json = dir / (std::string(mode) + ".json");
    REQUIRE(qnnsim_cli("run " + (dir / (std::string(mode) + ".yaml")).string() + " " + (dir / "w.yaml").string() +
                           " --quiet --json " + json.string(),
                       dir / "out.txt", dir / "err.txt") == 0);
    layer0[mode] = nlohmann::json::parse(read_file(json.string())).at("layers").at(0);
  }
  CHECK(layer0["host_input"].at("macs") == layer0["array"].at("macs"));
  // The 64 KiB buffer holds the layer whole, so each tensor crosses DRAM
  // once: the input as 1,728 bytes against 192 stored; weights (216 bytes)
  // and outputs (512) the same.
  CHECK(layer0["host_input"].at("dram_bytes").get<double>() - layer0["array"].at("dram_bytes").get<double>() ==
        Approx(1728 - 192));
}

TEST_CASE("a SystolicArray names its im2col key when the value is unknown", "[validation][im2col]") {
  const ConfigError e = arch_error(with_im2col("host"));
  CHECK(e.key_path() == "components.pe_array.im2col");
  CHECK_THAT(e.what(), Catch::Contains("host_input"));
  CHECK(e.where().line > 0);
}
