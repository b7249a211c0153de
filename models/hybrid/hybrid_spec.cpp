#include "hybrid/hybrid_spec.h"

#include <filesystem>

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

constexpr char kHybridKind[] = "hybrid";

// A part given by file is read relative to the hybrid file, as energy tables are.
ConfigNode part_root(const ConfigNode& parts, const std::string& name) {
  const ConfigNode node = parts.child(name);
  if (node.is_map()) return node;
  if (!node.is_scalar()) parts.fail(name, "expected a design file (relative to this file) or a design written in place");
  const fs::path path = fs::path(parts.file()).parent_path() / node.as_text();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    parts.fail(name, "no design file '" + path.string() + "'; expected a design file relative to this file");
  return ConfigNode::load_file(path.string());
}

bool layer_type_named(const std::string& text, LayerType* out) {
  for (int t = static_cast<int>(LayerType::Conv); t <= static_cast<int>(LayerType::Embedding); ++t)
    if (text == layer_type_name(static_cast<LayerType>(t))) {
      *out = static_cast<LayerType>(t);
      return true;
    }
  return false;
}

std::string part_names(const HybridSpec& h) {
  std::string names;
  for (const HybridPartSpec& p : h.parts) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

// One placement map (`layers` or `types`): each value must name a part.
template <class Key, class ParseKey>
void load_placement_map(const ConfigNode& placement, const std::string& section, const HybridSpec& h,
                        std::map<Key, PlacementEntry>* out, ParseKey parse_key) {
  const auto node = placement.optional_child(section);
  if (!node) return;
  node->expect_map("a mapping of " + section + " to part names");
  for (const std::string& key : node->keys()) {
    const std::string part = node->text(key);
    std::size_t index = h.parts.size();
    for (std::size_t i = 0; i < h.parts.size(); ++i)
      if (h.parts[i].name == part) index = i;
    if (index == h.parts.size())
      node->fail(key, "unknown part '" + part + "'; expected one of the parts: " + part_names(h));
    (*out)[parse_key(*node, key)] = {index, node->location_of(key), node->key_path(key)};
  }
}

}  // namespace

bool is_hybrid_design(const ConfigNode& root) { return declares_kind(root, kHybridKind); }

HybridSpec load_hybrid_spec(const ConfigNode& root) {
  HybridSpec h;
  h.file = root.file();
  h.name = root.text("name");
  root.text("description", "");
  root.text("kind");
  const ConfigNode parts = root.child("parts");
  parts.expect_map("a mapping of part names to designs");
  for (const std::string& name : parts.keys()) {
    const ConfigNode design = part_root(parts, name);
    const DesignFamily* family = find_design_family(design);
    if (family == nullptr || declares_kind(design, kHybridKind))
      parts.fail(name, "not a design qnnsim runs on its own; expected a PE-array, level, in-memory or dataflow design");
    HybridPartSpec p;
    p.name = name;
    p.source = parts.child(name).is_map() ? "inline" : parts.text(name);
    p.family = family;
    p.description = family->describe(design);
    p.design = family->load(design, "");
    p.root = design;
    h.parts.push_back(std::move(p));
  }
  if (h.parts.empty()) root.fail("parts", "expected at least one part");
  if (const auto placement = root.optional_child("placement")) {
    placement->expect_map("a mapping with 'layers', 'types' and/or 'search'");
    load_placement_map(*placement, "layers", h, &h.by_layer,
                       [](const ConfigNode&, const std::string& key) { return key; });
    load_placement_map(*placement, "types", h, &h.by_type, [](const ConfigNode& node, const std::string& key) {
      LayerType t;
      if (!layer_type_named(key, &t))
        node.fail(key, "unknown layer type '" + key + "'; expected a type a trace uses (" + layer_type_names() + ")");
      return t;
    });
    h.search = placement->flag("search", false);
    if (h.search) h.search_where = placement->location_of("search");
    placement->reject_unknown_keys();
  }
  root.reject_unknown_keys();
  return h;
}

}  // namespace qnnsim
