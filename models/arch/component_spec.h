#pragma once
// The validated parameters of one component instance and its energy/area model.
// Parsing happens here, apart from the SystemC module (built later from the
// spec), so `qnnsim validate` checks a file without elaborating anything.
// Any component may override the table's per-action energies (`energy:`),
// its area (`area:`) and give a leakage power (`leakage:`), each with a unit.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/component_module.h"
#include "arch/technology.h"
#include "core/action_log.h"
#include "core/config_node.h"
#include "energy/energy_table.h"

namespace qnnsim {

struct BuildContext {
  const Technology& tech;
  const EnergyTable& table;
};

class ComponentSpec {
 public:
  ComponentSpec(const ConfigNode& node, const BuildContext& ctx);
  virtual ~ComponentSpec() = default;

  const std::string& instance() const { return instance_; }  // key in the arch file, e.g. "glb"
  const std::string& class_name() const { return class_name_; }
  const ConfigNode& node() const { return node_; }

  // The energy model's view: pJ per action (override, else the component's model).
  double action_energy_pj(const ActionDesc& action) const;
  double leakage_w() const { return leakage_w_; }
  double area_mm2() const;

  // The SystemC module that simulates this component.
  virtual std::unique_ptr<ComponentModule> build(const char* module_name) const = 0;

 protected:
  virtual double model_energy_pj(const ActionDesc& action) const = 0;
  virtual double model_area_um2() const = 0;
  // The action names an `energy:` override may name.
  virtual std::vector<std::string> action_names() const = 0;
  // Call at the end of a derived constructor: every key must have been read,
  // and every energy override must name one of this component's actions.
  void finish_parse() const;

  ConfigNode node_;
  const Technology tech_;
  const EnergyTable& table_;

 private:
  std::string instance_;
  std::string class_name_;
  std::map<std::string, double> energy_override_pj_;  // action name -> pJ
  std::optional<double> area_override_um2_;
  double leakage_w_ = 0;
};

}  // namespace qnnsim
