#include "schedule/mapping_io.h"

#include <fmt/format.h>

namespace qnnsim {

namespace {

std::string order_text(const std::array<int, kDims>& order) {
  std::string out;
  for (int d : order) out += (out.empty() ? "" : ", ") + std::string(dim_name(d));
  return "[" + out + "]";
}

std::string factors_text(const DimArray& f) {
  std::string out;
  for (int d = 0; d < kDims; ++d)
    if (f[static_cast<std::size_t>(d)] > 1)
      out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", dim_name(d), f[static_cast<std::size_t>(d)]);
  return "{" + out + "}";
}

// A mapping of dimension names to factors; absent dimensions are 1.
DimArray read_factors(const ConfigNode& parent, const std::string& key) {
  DimArray f = kOnes;
  const auto node = parent.optional_child(key);
  if (!node) return f;
  node->expect_map("factors by loop dimension, e.g. {M: 4, C: 2}");
  for (const std::string& name : node->keys()) {
    const int d = dim_from_name(name);
    if (d < 0) node->fail(name, "unknown loop dimension '" + name + "'; expected N, G, M, C, P, Q, R or S");
    f[static_cast<std::size_t>(d)] = node->integer(name, 1);
  }
  return f;
}

std::array<int, kDims> read_order(const ConfigNode& level, const std::string& key) {
  const std::vector<std::string> names = level.text_list(key);
  std::array<int, kDims> order{};
  std::array<bool, kDims> seen{};
  if (names.size() != static_cast<std::size_t>(kDims))
    level.fail(key, fmt::format("a loop order lists all eight dimensions N G M C P Q R S once, outermost first; "
                                "found {}", names.size()));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int d = dim_from_name(names[i]);
    if (d < 0 || seen[static_cast<std::size_t>(d)])
      level.fail(key, "'" + names[i] + "' is not a loop dimension or is listed twice; a loop order lists N G M C P Q "
                      "R S once each");
    seen[static_cast<std::size_t>(d)] = true;
    order[i] = d;
  }
  return order;
}

// The tensors the PE scratchpads keep under a dataflow, as a YAML list body.
std::string kept_text(const Dataflow& flow) {
  std::string s;
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
    if (flow.keeps(o)) s += (s.empty() ? "" : ", ") + std::string(tensor_name(o));
  return s;
}

// `keeps`, when given, must state what the architecture's dataflow and buffer keep.
void check_keeps(const ConfigNode& root, const Dataflow& flow) {
  const auto keeps = root.optional_child("keeps");
  if (!keeps) return;
  keeps->expect_map("the tensors each level keeps {glb: [...], pe: [...]}");
  const auto listed = [&](const char* key) {
    std::string s;
    for (const std::string& t : keeps->text_list(key)) s += (s.empty() ? "" : ", ") + t;
    return s;
  };
  if (listed("glb") != "weights, inputs, outputs")
    keeps->fail("glb", "the global buffer keeps weights, inputs and outputs; found [" + listed("glb") + "]");
  if (listed("pe") != kept_text(flow))
    keeps->fail("pe", "the " + flow.name + " dataflow keeps [" + kept_text(flow) + "] in the PEs; found [" +
                          listed("pe") + "]");
  keeps->reject_unknown_keys();
}

}  // namespace

void write_mappings(std::ostream& out, const std::string& arch_name, const Dataflow& flow, const Workload& w,
                    const std::vector<LayerPlan>& plans) {
  out << fmt::format("# qnnsim mappings of '{}' (batch {}) on '{}'.\n", w.name, w.batch, arch_name);
  out << "# Array layers: per level, the loop order (outermost first) and factors of the\n"
         "# dimensions N G M C P Q R S (absent = 1). glb: the passes of one buffer tile;\n"
         "# rows, cols: unrolled across the array; pe: looped inside each PE. The DRAM\n"
         "# level loops over as many buffer tiles as cover each dimension (edges partial).\n"
         "# Vector layers: the block of images, channels and output rows a tile holds.\n"
         "# im2col: true flattens the reduction (C stands for C x R x S, one element of\n"
         "# the filter window per row; R and S factors are 1); absent = false.\n"
         "# keeps: which tensors each level holds (the buffer all three; the PE\n"
         "# scratchpads what the dataflow keeps, the others streaming through).\n"
         "# Replay with: qnnsim run ARCH WORKLOAD --mappings THIS_FILE\n";
  out << "dataflow: " << flow.name << "\n";
  out << "keeps: {glb: [weights, inputs, outputs], pe: [" << kept_text(flow) << "]}\n";
  out << "layers:\n";
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const LayerPlan& p = plans[i];
    out << "  " << w.layers[i].name << ":\n";
    if (!p.uses_array) {
      out << fmt::format("    tile: {{N: {}, P: {}, C: {}}}\n", p.vector.n, p.vector.p, p.vector.c);
      continue;
    }
    const Mapping& m = p.mapping;
    out << "    # " << m.one_line(p.bounds) << "\n";
    if (m.im2col) out << "    im2col: true\n";
    out << "    dram: {order: " << order_text(m.dram_order) << "}\n";
    out << "    glb: {order: " << order_text(m.glb_order) << ", factors: " << factors_text(m.glb) << "}\n";
    out << "    rows: " << factors_text(m.rows) << "\n";
    out << "    cols: " << factors_text(m.cols) << "\n";
    out << "    pe: " << factors_text(m.pe) << "\n";
  }
}

GivenMappings load_mappings(const std::string& path, const Workload& w, const Dataflow& flow) {
  const ConfigNode root = ConfigNode::load_file(path);
  const std::string dataflow = root.text("dataflow");
  if (dataflow != flow.name)
    root.fail("dataflow", "these mappings are for the '" + dataflow + "' dataflow; the architecture's is '" +
                              flow.name + "'");
  check_keeps(root, flow);
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
    if (layer_uses_array(layer->type)) {
      GivenMapping given{Mapping{}, VectorTiling{}, entry};
      entry.expect_map("{dram, glb, rows, cols, pe, im2col}");
      const ConfigNode dram = entry.child("dram");
      dram.expect_map("the DRAM level {order}");
      given.mapping.dram_order = read_order(dram, "order");
      dram.reject_unknown_keys();
      const ConfigNode glb = entry.child("glb");
      glb.expect_map("the buffer level {order, factors}");
      given.mapping.glb_order = read_order(glb, "order");
      given.mapping.glb = read_factors(glb, "factors");
      glb.reject_unknown_keys();
      given.mapping.rows = read_factors(entry, "rows");
      given.mapping.cols = read_factors(entry, "cols");
      given.mapping.pe = read_factors(entry, "pe");
      given.mapping.im2col = entry.flag("im2col", false);
      entry.reject_unknown_keys();
      out.layers.emplace(name, given);
    } else {
      entry.expect_map("{tile}");
      const ConfigNode tile = entry.child("tile");
      // (ConfigNode holds a YAML::Node, whose assignment would overwrite the
      // node it refers to, so `where` is set at construction.)
      GivenMapping given{Mapping{}, VectorTiling{}, tile};
      tile.expect_map("the tile's blocks {N, P, C}");
      given.vector.n = tile.integer("N", 1);
      given.vector.p = tile.integer("P", 1);
      given.vector.c = tile.integer("C", 1, layer->C);  // absent: all channels in one tile
      tile.reject_unknown_keys();
      entry.reject_unknown_keys();
      out.layers.emplace(name, given);
    }
  }
  root.reject_unknown_keys();
  return out;
}

}  // namespace qnnsim
