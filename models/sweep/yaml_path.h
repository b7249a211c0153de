#pragma once
// Addresses into an arch or workload YAML tree, as a sweep parameter names
// them: `pe_array.rows`, `glb.size`, `layers[*].weights.bits`,
// `layers[conv1].weights.bits`, `layers[2].M`. A path whose first key is not
// at the top level names the one place in the tree it ends at, so `adc.bits`
// finds `ima.adc.bits` in an in-memory chip; two such places are an error.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace qnnsim {

struct PathStep {
  enum class Kind { Key, Index, Each, Named };
  Kind kind = Kind::Key;
  std::string key;  // Key: the mapping key; Named: the item's `name`
  std::size_t index = 0;
};

struct YamlPath {
  std::string text;
  std::vector<PathStep> steps;
};

// Parses the path syntax; nullopt with *why set when it is malformed.
std::optional<YamlPath> parse_yaml_path(const std::string& text, std::string* why);

// Anchors `path` in `root`: either it starts at the top level or it is the
// suffix of exactly one chain of mapping keys. Returns the anchored path, or
// nullopt with *why saying what does not exist (and what does) or which
// places an unanchored path matched.
std::optional<YamlPath> anchor_yaml_path(const YAML::Node& root, const YamlPath& path, std::string* why);

// Writes `value` at every place an anchored path names (a list step with [*]
// names each item) and returns those places as dotted key paths. Keys below a
// list item that the item lacks are created, since a layer's own precision
// keys are optional; anything else missing is an error (*why, empty result).
// A null value (~) removes the key instead, e.g. a table ADC's `power` when
// the point switches it to the figure-of-merit model.
std::vector<std::string> assign_yaml_path(YAML::Node root, const YamlPath& anchored, const YAML::Node& value,
                                          std::string* why);

}  // namespace qnnsim
