// Level designs (schedule/level_design.h): a chain of storage levels of any
// depth, each array layer mapped by the level search and costed by the level
// model (sim/level_run.h). No mapping files, execution modes or timelines yet.
#include <fmt/format.h>

#include "schedule/level_design.h"
#include "schedule/level_search.h"
#include "design/design_family.h"
#include "sim/level_run.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "level_design";

class LevelDesignRun : public LoadedDesign {
 public:
  explicit LevelDesignRun(LevelDesign design) : design_(std::move(design)) {}

  double area_mm2(const std::function<Workload()>&) const override {
    double total = 0;
    for (const auto& [part, mm2] : level_design_area_mm2(design_)) total += mm2;
    return total;
  }

  RunResult run(const Workload& w, const RunRequest& how) const override {
    RunResult result;
    try {
      result = run_level_design(design_, w, objective_named(how.objective));
    } catch (const std::invalid_argument& e) {
      throw CannotRun(e.what());
    }
    if (how.warn)
      for (const std::string& warning : result.levels->warnings) how.warn(warning);
    return result;
  }

  // A level design costs its array layers only; the rest it lists as not costed.
  std::string cannot_run(const Layer& l) const override {
    if (layer_uses_array(l.type)) return "";
    return std::string("has no unit for ") + layer_type_name(l.type) + " layers (a level design costs MAC layers only)";
  }
  std::vector<const MacSpec*> mac_units() const override {
    if (!design_.mac) return {};
    return {design_.mac.get()};
  }

 private:
  LevelDesign design_;
};

class LevelFamily : public DesignFamily {
 public:
  std::string name() const override { return kName; }

  // A PE-array design may name levels beside its components; a level design has only levels.
  bool claims(const ConfigNode& root) const override {
    return root.is_map() && !root.has("kind") && root.has("levels") && !root.has("components");
  }

  std::string recognised_by() const override { return "'levels' (and no 'components')"; }

  std::string describe(const ConfigNode& root) const override {
    const LevelDesign d = load_level_design(root, LevelDesignUse::ToSearch);
    return fmt::format("level design, {} levels over {} compute units", d.nest.levels.size(), d.compute_instances);
  }

  std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string&) const override {
    return std::make_unique<LevelDesignRun>(load_level_design(root, LevelDesignUse::ToSearch));
  }

  std::string refusal(RunOption option, const std::string& design) const override {
    if (option == RunOption::Objective) return "";  // the level search takes it
    if (option == RunOption::Map)
      return "is not available for level designs yet; '" + design +
             "' is one: `qnnsim levels FILE --search --workload TRACE` maps its layers";
    return "is not available for level designs yet; '" + design + "' is one (its layers are mapped by the level search)";
  }

  bool computes_in_crossbars() const override { return false; }
};

QNNSIM_REGISTER(DesignFamily::Registry, kName, [] { return std::make_unique<LevelFamily>(); });

}  // namespace

}  // namespace qnnsim
