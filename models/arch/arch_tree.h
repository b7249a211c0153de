#pragma once
// The components of an architecture as a tree. Each entry of the arch file's
// `components:` mapping is one instance of a registered class; `under:` names
// the component it sits below (its parent), and the one component without it
// is the root, the outermost level (off-chip memory). Parsing checks the tree
// itself: every parent exists, there is exactly one root, and no chain of
// parents loops. Which shapes of tree a design may take is the engine's
// business (see arch_spec.cpp), not this file's.
#include <cstddef>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace qnnsim {

struct TreeNode {
  std::string name;        // the instance, the key under `components:`
  std::string class_name;  // its `class:`
  ConfigNode node;         // the entry itself, `under` already read
  int parent = -1;         // index into ArchTree::nodes(); -1 for the root
  std::vector<int> children;
};

class ArchTree {
 public:
  // `components` is the arch file's `components:` mapping.
  static ArchTree parse(const ConfigNode& components);

  const std::vector<TreeNode>& nodes() const { return nodes_; }
  const TreeNode& root() const { return nodes_[static_cast<std::size_t>(root_)]; }
  int root_index() const { return root_; }
  const TreeNode& at(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  // The path from the root to a node, e.g. "dram > glb > noc".
  std::string chain(int i) const;

 private:
  std::vector<TreeNode> nodes_;  // in file order
  int root_ = -1;
};

}  // namespace qnnsim
