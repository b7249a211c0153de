#pragma once
// A hybrid design (`kind: hybrid`): designs of the other families side by
// side as its parts, and where each layer runs. The parts are whole designs
// loaded by their own families, so a hybrid adds no hardware of its own.
//
//   parts:                    # in order: "the first digital part" is the first listed
//     crossbars: isaac.yaml   # a design file, relative to this one
//     digital: {...}          # or a design written in place
//   placement:                # optional; the rest is placed automatically
//     layers: {conv1: digital}
//     types: {maxpool: digital}
//     search: true            # the rest placed by a search on the run's objective
//                             # (hybrid/placement_search.h), not by the rule
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "design/design_family.h"
#include "workload/layer.h"

namespace qnnsim {

struct HybridPartSpec {
  std::string name;                     // the key under `parts`
  std::string source;                   // the file it came from, or "inline"
  const DesignFamily* family = nullptr;
  std::string description;              // the family's `validate` line for it
  std::unique_ptr<LoadedDesign> design;
  std::optional<ConfigNode> root;       // the part's design as read, for its numerics (qnnsim eval)
};

// One entry of `placement`: the part it names, and where it was written.
struct PlacementEntry {
  std::size_t part = 0;
  SourceLocation where;
  std::string key;  // e.g. placement.layers.conv1
};

struct HybridSpec {
  std::string name;
  std::string file;
  std::vector<HybridPartSpec> parts;
  std::map<std::string, PlacementEntry> by_layer;  // layer names are checked against the workload when it runs
  std::map<LayerType, PlacementEntry> by_type;
  // `placement.search: true`: the layers neither map names are placed by a
  // search on the run's objective, starting from the automatic rule.
  bool search = false;
  SourceLocation search_where;  // where `search` was written, for refusals
};

// Loads the hybrid file and each of its parts; throws ConfigError for a
// missing or unknown part, a part that is itself a hybrid, a placement that
// names an unknown part or layer type, or an unknown key.
HybridSpec load_hybrid_spec(const ConfigNode& root);

// Whether `root` is a hybrid design (`kind: hybrid`).
bool is_hybrid_design(const ConfigNode& root);

}  // namespace qnnsim
