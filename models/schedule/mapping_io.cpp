#include "schedule/mapping_io.h"

#include <fmt/format.h>

namespace qnnsim {

namespace {
const std::vector<std::string> kWeightsOuter = {"G", "M", "N", "P", "C"};
const std::vector<std::string> kInputsOuter = {"N", "P", "G", "M", "C"};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}
}  // namespace

void write_mappings(std::ostream& out, const std::string& arch_name, const Workload& w,
                    const std::vector<LayerPlan>& plans) {
  out << fmt::format("# qnnsim mappings of '{}' (batch {}) on '{}'.\n", w.name, w.batch, arch_name);
  out << "# tile: the block of each loop a global-buffer tile holds (G M C per group);\n"
         "# order: the blocks' loop order at the DRAM level, outermost first.\n"
         "# The array's rows hold C*R*S and its columns M; each step streams N*P*Q vectors.\n"
         "# Replay with: qnnsim run ARCH WORKLOAD --mappings THIS_FILE\n";
  out << "dataflow: weight_stationary\nlayers:\n";
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const WsMapping& m = plans[i].mapping;
    out << "  " << w.layers[i].name << ":\n";
    if (plans[i].uses_array) {
      out << fmt::format("    tile: {{N: {}, P: {}, G: {}, M: {}, C: {}}}\n", m.n, m.p, m.g, m.m, m.c);
      out << "    order: [" << join(m.weights_outer ? kWeightsOuter : kInputsOuter) << "]\n";
    } else {
      out << fmt::format("    tile: {{N: {}, P: {}, C: {}}}\n", m.n, m.p, m.c);
    }
  }
}

GivenMappings load_mappings(const std::string& path, const Workload& w) {
  const ConfigNode root = ConfigNode::load_file(path);
  const std::string dataflow = root.text("dataflow");
  if (dataflow != "weight_stationary")
    root.fail("dataflow", "mappings for '" + dataflow + "' cannot be replayed; this version maps weight_stationary");
  GivenMappings out;
  out.file = path;
  const ConfigNode layers = root.child("layers");
  layers.expect_map("a mapping per layer name");
  out.layers_location = layers.location();
  for (const auto& name : layers.keys()) {
    const Layer* layer = nullptr;
    for (const auto& l : w.layers)
      if (l.name == name) layer = &l;
    if (layer == nullptr) layers.fail(name, "workload '" + w.name + "' has no layer '" + name + "'");
    const ConfigNode entry = layers.child(name);
    entry.expect_map("{tile, order}");
    const ConfigNode tile = entry.child("tile");
    tile.expect_map("the tile's blocks {N, P, ...}");
    WsMapping m;
    m.n = tile.integer("N", 1);
    m.p = tile.integer("P", 1);
    // Pooling and add layers may leave out C: all channels in one tile.
    m.c = layer_uses_array(layer->type) ? tile.integer("C", 1) : tile.integer("C", 1, layer->C);
    if (layer_uses_array(layer->type)) {
      m.g = tile.integer("G", 1);
      m.m = tile.integer("M", 1);
      const std::vector<std::string> order = entry.text_list("order");
      if (order == kWeightsOuter)
        m.weights_outer = true;
      else if (order == kInputsOuter)
        m.weights_outer = false;
      else
        entry.fail("order", "expected [" + join(kWeightsOuter) + "] or [" + join(kInputsOuter) + "], found [" +
                                join(order) + "]");
    }
    tile.reject_unknown_keys();
    entry.reject_unknown_keys();
    out.layers.emplace(name, GivenMapping{m, tile});
  }
  root.reject_unknown_keys();
  return out;
}

}  // namespace qnnsim
