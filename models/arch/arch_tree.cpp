#include "arch/arch_tree.h"

#include <map>

namespace qnnsim {

ArchTree ArchTree::parse(const ConfigNode& components) {
  components.expect_map("the components of the design, each `NAME: {class: ..., under: PARENT, ...}`");
  ArchTree t;
  std::map<std::string, int> index;
  std::vector<std::string> under;  // parent names, in file order
  for (const std::string& name : components.keys()) {
    ConfigNode node = components.child(name);
    node.expect_map("a component {class: ..., under: ...}");
    TreeNode n{name, node.text("class"), node, -1, {}};
    under.push_back(node.text("under", ""));
    index[name] = static_cast<int>(t.nodes_.size());
    t.nodes_.push_back(std::move(n));
  }
  if (t.nodes_.empty()) components.fail_here("expected at least one component");

  for (std::size_t i = 0; i < t.nodes_.size(); ++i) {
    TreeNode& n = t.nodes_[i];
    if (under[i].empty()) {
      if (t.root_ >= 0)
        n.node.fail("class", "'" + n.name + "' has no `under:`, but '" + t.root().name +
                                 "' is already the outermost component; every other component names its parent "
                                 "with `under: NAME`");
      t.root_ = static_cast<int>(i);
      continue;
    }
    const auto it = index.find(under[i]);
    if (it == index.end()) {
      std::string known;
      for (const TreeNode& k : t.nodes_) known += (known.empty() ? "" : ", ") + k.name;
      n.node.fail("under", "no component is named '" + under[i] + "'; the components are " + known);
    }
    n.parent = it->second;
  }

  // Walk up from every node; a chain longer than the tree is a loop.
  for (std::size_t i = 0; i < t.nodes_.size(); ++i) {
    std::string path = t.nodes_[i].name;
    int at = t.nodes_[i].parent;
    for (std::size_t steps = 0; at >= 0; ++steps) {
      path += " > " + t.nodes_[static_cast<std::size_t>(at)].name;
      if (at == static_cast<int>(i) || steps > t.nodes_.size())
        t.nodes_[i].node.fail("under", "the components' parents form a cycle (" + path +
                                           "); the tree needs one outermost component and every chain of "
                                           "`under:` must end there");
      at = t.nodes_[static_cast<std::size_t>(at)].parent;
    }
  }
  if (t.root_ < 0) components.fail_here("every component names a parent with `under:`, so none is the outermost");

  for (std::size_t i = 0; i < t.nodes_.size(); ++i)
    if (t.nodes_[i].parent >= 0) t.nodes_[static_cast<std::size_t>(t.nodes_[i].parent)].children.push_back(static_cast<int>(i));
  return t;
}

std::string ArchTree::chain(int i) const {
  std::string out = at(i).name;
  for (int p = at(i).parent; p >= 0; p = at(p).parent) out = at(p).name + " > " + out;
  return out;
}

}  // namespace qnnsim
