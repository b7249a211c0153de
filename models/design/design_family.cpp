#include "design/design_family.h"

namespace qnnsim {

const std::vector<std::unique_ptr<DesignFamily>>& design_families() {
  static const std::vector<std::unique_ptr<DesignFamily>> all = [] {
    const DesignFamily::Registry& registry = DesignFamily::Registry::instance();
    std::vector<std::unique_ptr<DesignFamily>> families;
    for (const std::string& name : registry.names()) families.push_back(registry.create(name));
    return families;
  }();
  return all;
}

bool declares_kind(const ConfigNode& root, const std::string& kind) {
  return root.is_map() && root.has("kind") && root.text("kind") == kind;
}

const DesignFamily* find_design_family(const ConfigNode& root) {
  const DesignFamily* found = nullptr;
  for (const auto& family : design_families()) {
    if (!family->claims(root)) continue;
    if (found)
      throw std::logic_error("design families '" + found->name() + "' and '" + family->name() + "' both claim " +
                             root.file() + ": their rules must not overlap");
    found = family.get();
  }
  return found;
}

const DesignFamily& design_family_of(const ConfigNode& root) {
  if (const DesignFamily* family = find_design_family(root)) return *family;
  std::string rules;
  const auto& families = design_families();
  for (std::size_t i = 0; i < families.size(); ++i)
    rules += (i == 0 ? "" : i + 1 == families.size() ? " or " : ", ") + families[i]->recognised_by();
  const std::string message =
      "cannot tell the kind of file: a workload has 'layers', an architecture has " + rules;
  if (root.is_map() && root.has("kind")) root.fail("kind", message);
  // A root that starts the file sits at position 0, which config nodes read
  // as no line at all (values written in after parsing carry it); a
  // document's root is never written in, so it is on line 1.
  SourceLocation where = root.location();
  if (where.line == 0) where = {root.file(), 1, 1};
  throw ConfigError(where, "", message);
}

}  // namespace qnnsim
