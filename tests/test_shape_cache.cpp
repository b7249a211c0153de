// A run searches each array layer shape once (schedule/array_shape_key.h): a
// layer whose shape an earlier layer had takes that layer's mapping. That is
// only sound if the key holds everything the search reads, so each layer's
// mapping must be the one its own search finds, and layers that differ in
// anything the search reads must not share a key.
#include <catch2/catch.hpp>

#include <set>

#include "schedule/array_shape_key.h"
#include "schedule/mapper.h"
#include "schedule/search_support.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Every array layer's planned mapping equals a search of that layer alone;
// returns how many distinct shapes the array layers have.
std::size_t check_against_own_search(const ArchSpec& arch, const Workload& w) {
  const std::vector<LayerPlan> plans = plan_workload(arch, w);
  std::set<ArrayShapeKey> shapes;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    if (!layer_uses_array(l.type)) continue;
    shapes.insert(array_shape_key(l, w.batch));
    INFO("layer " << l.name);
    CHECK(plans[i].mapping == search::search_array_mapping(arch, l, w.batch, Objective::Edp));
  }
  return shapes.size();
}

}  // namespace

TEST_CASE("a repeated layer shape takes the mapping its own search finds", "[mapper][shapes]") {
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload w = load_workload(shipped("workloads/resnet50.yaml"));
  std::size_t array_layers = 0;
  for (const Layer& l : w.layers) array_layers += layer_uses_array(l.type);
  // ResNet-50 repeats shapes, so the cache is exercised: 24 shapes among 54 array layers.
  CHECK(check_against_own_search(*arch, w) < array_layers);
}

TEST_CASE("a repeated layer shape takes its own search's mapping on Eyeriss at batch 4", "[mapper][shapes]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  Workload w = load_workload(shipped("workloads/mobilenet_v1.yaml"));
  for (const char* t : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"}) REQUIRE(apply_bits_override(w, t).empty());
  w.batch = 4;
  std::size_t array_layers = 0;
  for (const Layer& l : w.layers) array_layers += layer_uses_array(l.type);
  CHECK(check_against_own_search(*arch, w) < array_layers);
}

TEST_CASE("layers differing in anything the search reads have different shape keys", "[mapper][shapes]") {
  const Workload w = workload_from_text(R"(network: shapes
batch: 1
input: {C: 16, H: 8, W: 8}
layers:
  - {name: a, type: conv, C: 16, H: 8, W: 8, M: 16, R: 3, S: 3, padding: 1}
  - {name: same_as_a, type: conv, from: [a], C: 16, H: 8, W: 8, M: 16, R: 3, S: 3, padding: 1}
  - {name: narrower_weights, type: conv, from: [same_as_a], C: 16, H: 8, W: 8, M: 16, R: 3, S: 3, padding: 1, weights: {bits: 4}}
  - {name: no_padding, type: conv, from: [narrower_weights], C: 16, H: 8, W: 8, M: 16, R: 3, S: 3}
)");
  const ArrayShapeKey a = array_shape_key(w.layers[0], 1);
  // The name and where a layer is written are not part of its shape.
  CHECK_FALSE(a < array_shape_key(w.layers[1], 1));
  CHECK_FALSE(array_shape_key(w.layers[1], 1) < a);
  const auto differs = [&](const ArrayShapeKey& k) { return a < k || k < a; };
  CHECK(differs(array_shape_key(w.layers[2], 1)));  // a width
  CHECK(differs(array_shape_key(w.layers[3], 1)));  // padding (and so the output size)
  CHECK(differs(array_shape_key(w.layers[0], 2)));  // the batch
}

TEST_CASE("mappings kept across calls on one arch are the ones each call would search, per objective", "[mapper][shapes]") {
  // A hybrid's part runs many workloads on one loaded design while its
  // placement is searched (schedule/mapper.h, SearchedMappings).
  const auto arch = load_arch(shipped("arch/systolic_ws.yaml"));
  const Workload lenet = load_workload(shipped("workloads/lenet5.yaml"));
  Workload first_two = lenet;
  first_two.layers.resize(3);  // conv1, pool1, conv2
  SearchedMappings kept;
  const std::vector<LayerPlan> part = plan_workload(*arch, first_two, nullptr, Objective::Edp, nullptr, &kept);
  CHECK(kept.array.size() == 2);  // conv1 and conv2
  for (const Objective o : {Objective::Edp, Objective::Energy}) {
    const std::vector<LayerPlan> with = plan_workload(*arch, lenet, nullptr, o, nullptr, &kept);
    const std::vector<LayerPlan> alone = plan_workload(*arch, lenet, nullptr, o);
    REQUIRE(with.size() == alone.size());
    for (std::size_t i = 0; i < with.size(); ++i) {
      INFO(lenet.layers[i].name << " " << objective_name(o));
      CHECK(with[i].mapping == alone[i].mapping);
      CHECK(with[i].tiling == alone[i].tiling);
    }
  }
  CHECK(kept.array.size() == 5 + 5);  // LeNet-5's five array layers, under each objective
  CHECK(part[0].mapping == plan_workload(*arch, lenet, nullptr, Objective::Edp, nullptr, &kept)[0].mapping);
}
