// A mul layer (written by the import for a squeeze-excite channel scale, or
// a product of two tensors of one shape) multiplies two activations value by
// value on the vector unit: one multiply per output, priced as the vector
// unit's multiply, and no MACs. With broadcast_row its second producer is C
// values per image, read once, not a second C x H x W tensor. The in-memory
// designs run it on their tiles' digital units like an add; a dataflow
// design has no engine for it and says so.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "schedule/mapper.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// A squeeze-excite block: 16 channels of 8x8, squeezed to 16 values, excited
// through 4, and the 16 values scaling every pixel.
const std::string kTrace = R"(network: squeeze_excite
batch: 2
input: {C: 16, H: 8, W: 8}
layers:
  - {name: expand, type: conv, C: 16, H: 8, W: 8, M: 16, R: 1, S: 1}
  - {name: squeeze, type: avgpool, C: 16, H: 8, W: 8, R: 8, S: 8, stride: 8}
  - {name: reduce, type: conv, C: 16, H: 1, W: 1, M: 4, R: 1, S: 1}
  - {name: excite, type: conv, C: 4, H: 1, W: 1, M: 16, R: 1, S: 1}
  - {name: scale, type: mul, from: [expand, excite], C: 16, H: 8, W: 8, broadcast_row: true}
  - {name: project, type: conv, C: 16, H: 8, W: 8, M: 8, R: 1, S: 1}
)";

}  // namespace

TEST_CASE("A mul that scales channels reads the scale once per image, one multiply per output", "[workloads]") {
  const Workload w = workload_from_text(kTrace);
  const Layer& mul = w.layers[4];
  REQUIRE(mul.type == LayerType::Mul);
  CHECK(mul.input_count() == 16 * 64 + 16);
  CHECK(mul.macs() == 0);
  const VectorOps ops = mul.vector_work(mul.output_count());
  CHECK(ops.mult == 16 * 64);
  CHECK(ops.add == 0);
  // Planned on the vector unit: the tiles load both images' pixels and their scales.
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const LayerPlan plan = plan_layer(*arch, mul, w.batch);
  REQUIRE_FALSE(plan.uses_array);
  uint64_t loaded = 0, multiplies = 0;
  for (const GlbTile& t : plan.tiles) loaded += t.input_load_bits, multiplies += t.vector.mult;
  CHECK(multiplies == static_cast<uint64_t>(w.batch * 16 * 64));
  CHECK(loaded >= static_cast<uint64_t>(w.batch * mul.input_count() * mul.precision.inputs.bits));
  CHECK(loaded < static_cast<uint64_t>(w.batch * 2 * 16 * 64 * mul.precision.inputs.bits));
}

TEST_CASE("A mul layer runs on a PE-array design, priced as the vector unit's multiplies", "[workloads]") {
  const auto dir = scratch_dir("mul_layer_run");
  std::ofstream(dir / "se.yaml") << kTrace;
  REQUIRE(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + (dir / "se.yaml").string() + " --quiet --json " +
                         (dir / "r.json").string(),
                     dir / "out", dir / "err") == 0);
  const auto report = nlohmann::json::parse(read_file((dir / "r.json").string()));
  const auto& layer = report["layers"][4];
  REQUIRE(layer["name"] == "scale");
  CHECK(layer["macs"] == 0);
  // Its actions are the vector unit's multiplies (vector.mult.8b), two
  // images of 16 x 64 each, and no adds (vector.op).
  INFO(layer["actions"].dump());
  bool multiplied = false;
  for (const auto& a : layer["actions"]) {
    const std::string action = a["action"];
    CHECK(action.rfind("vector.op", 0) == std::string::npos);
    if (action.rfind("vector.mult", 0) == 0) {
      CHECK(a["component"] == "vector_unit");
      CHECK(a["count"] == 2 * 16 * 64);
      multiplied = true;
    }
  }
  CHECK(multiplied);
  std::filesystem::remove_all(dir);
}

TEST_CASE("A mul layer runs on an in-memory chip, and a dataflow design refuses it naming the layer", "[workloads][imc]") {
  const auto dir = scratch_dir("mul_layer_designs");
  std::ofstream(dir / "se.yaml") << kTrace;
  CHECK(qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + (dir / "se.yaml").string() + " --quiet", dir / "out",
                   dir / "err") == 0);
  CHECK(qnnsim_cli("run " + shipped("arch/finn_cnv.yaml") + " " + (dir / "se.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()),
             Catch::Contains("se.yaml:") && Catch::Contains("(scale)") && Catch::Contains("no engine for mul layers"));
  std::filesystem::remove_all(dir);
}
