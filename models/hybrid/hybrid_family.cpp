// Hybrid designs (`kind: hybrid`, hybrid/hybrid_spec.h): each layer placed on
// one of the design's parts, consecutive layers on a part run as one workload
// on it, the runs one after another (hybrid/part_runs.h); with
// `placement.search: true`, the placement the run's objective prefers
// (hybrid/placement_search.h).
#include <fmt/format.h>

#include "design/design_family.h"
#include "design/objective.h"
#include "hybrid/searched_run.h"
#include "hybrid/hybrid_placement.h"
#include "hybrid/hybrid_spec.h"
#include "hybrid/part_runs.h"
#include "hybrid/placed_runs.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "hybrid";

class HybridDesign : public LoadedDesign {
 public:
  explicit HybridDesign(HybridSpec spec) : spec_(std::move(spec)) {}

  // A part that sizes itself by its workload (a dataflow design builds an
  // engine per layer) is sized by the layers placed on it, not by the whole
  // trace. Under a searched placement those are known only once the run has
  // searched (its report has the area), so such a part's area is refused here.
  double area_mm2(const std::function<Workload()>& workload) const override {
    double total = 0;
    for (std::size_t p = 0; p < spec_.parts.size(); ++p)
      total += spec_.parts[p].design->area_mm2([&] {
        if (spec_.search)
          throw ConfigError(spec_.search_where, "placement.search",
                            "part '" + spec_.parts[p].name +
                                "' is sized by the layers placed on it, which the search places only as the design "
                                "runs: its area is in the run's report, not known before (a sweep's area "
                                "constraint needs it first); place its layers under placement.layers instead");
        const Workload w = workload();
        return part_workload(w, place_layers(spec_, w), p);
      });
    return total;
  }

  RunResult run(const Workload& w, const RunRequest& how) const override {
    // Mapping files and the mappings written out are refused (refusal below):
    // a part's mappings would cover only its share of the layers.
    PlacedRuns runs(spec_, w, how);
    if (!spec_.search) return runs.run(place_layers(spec_, w), true);
    return run_searched(spec_, w, objective_named(how.objective), runs);
  }

  std::string cannot_run(const Layer& l) const override {
    std::string why;
    for (const HybridPartSpec& p : spec_.parts) {
      const std::string part_why = p.design->cannot_run(l);
      if (part_why.empty()) return "";
      why += (why.empty() ? "" : "; ") + p.name + " " + part_why;
    }
    return why;
  }

 private:
  HybridSpec spec_;
};

class HybridFamily : public DesignFamily {
 public:
  std::string name() const override { return kName; }

  bool claims(const ConfigNode& root) const override { return declares_kind(root, kName); }

  std::string recognised_by() const override { return "'kind: hybrid'"; }

  std::string describe(const ConfigNode& root) const override {
    const HybridSpec h = load_hybrid_spec(root);
    std::string parts;
    for (const HybridPartSpec& p : h.parts)
      parts += fmt::format("\n  part {} ({}, {}): {}", p.name, p.family->name(), p.source, p.description);
    const std::size_t given = h.by_layer.size() + h.by_type.size();
    const std::string rest = h.search ? "searched on the run's objective" : "automatic";
    return fmt::format("hybrid design '{}', {} parts; placement: {}{}", h.name, h.parts.size(),
                       given == 0 ? rest
                                  : fmt::format("{} layer names and {} layer types given, the rest {}",
                                                h.by_layer.size(), h.by_type.size(), rest),
                       parts);
  }

  std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string&) const override {
    return std::make_unique<HybridDesign>(load_hybrid_spec(root));
  }

  std::string refusal(RunOption option, const std::string& design) const override {
    switch (option) {
      case RunOption::Map:
        return "searches one PE-array design's mappings; '" + design + "' is a hybrid: map or run its parts";
      case RunOption::Mappings:
      case RunOption::MappingsOut:
        return "is not available for hybrid designs; '" + design +
               "' is one, and a mapping file covers one design's layers: give it to the part's own run";
      case RunOption::Execution:
        return "is not available for hybrid designs; '" + design +
               "' runs its parts one after another, each in the mode its own file gives";
      case RunOption::Trace:
        return "is not available for hybrid designs; '" + design +
               "' is one, whose parts run in separate simulations: trace a part on its own";
      case RunOption::Objective:
        return "";  // the placement search and the PE-array parts' mappers take it
    }
    return "";
  }

  // A hybrid computes only some layers in crossbars: `eval` and a sweep's
  // accuracy section read its parts one by one (numerics/hybrid_numerics.h).
  bool computes_in_crossbars() const override { return false; }
};

QNNSIM_REGISTER(DesignFamily::Registry, kName, [] { return std::make_unique<HybridFamily>(); });

}  // namespace

}  // namespace qnnsim
