#include "arch/component_spec.h"

#include <algorithm>

namespace qnnsim {

namespace {
std::string last_key(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}
}  // namespace

ComponentSpec::ComponentSpec(const ConfigNode& node, const BuildContext& ctx)
    : node_(node), tech_(ctx.tech), table_(ctx.table), instance_(last_key(node.path())) {
  class_name_ = node.text("class");
  if (const auto e = node.optional_child("energy")) {
    e->expect_map("per-action energy overrides like {read: 12 pJ}");
    for (const auto& action : e->keys()) energy_override_pj_[action] = e->positive_quantity(action, Dimension::Energy) * 1e12;
  }
  if (const auto a = node.optional_quantity("area", Dimension::Area)) area_override_um2_ = *a * 1e12;
  if (const auto l = node.optional_quantity("leakage", Dimension::Power)) leakage_w_ = *l;
}

void ComponentSpec::finish_parse() const {
  node_.reject_unknown_keys();
  const std::vector<std::string> names = action_names();
  for (const auto& [action, pj] : energy_override_pj_) {
    if (std::find(names.begin(), names.end(), action) != names.end()) continue;
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    node_.child("energy").fail(action, "'" + action + "' is not an action of " + class_name_ + "; its actions are " + known);
  }
}

double ComponentSpec::action_energy_pj(const ActionDesc& action) const {
  const auto it = energy_override_pj_.find(action.action);
  if (it != energy_override_pj_.end()) return it->second;
  return model_energy_pj(action);
}

double ComponentSpec::area_mm2() const {
  return (area_override_um2_ ? *area_override_um2_ : model_area_um2()) * 1e-6;
}

}  // namespace qnnsim
