// Hybrid designs (`kind: hybrid`, hybrid/hybrid_spec.h): each layer placed on
// one of the design's parts, consecutive layers on a part run as one workload
// on it, the runs one after another (hybrid/part_runs.h).
#include <fmt/format.h>

#include "hybrid/hybrid_placement.h"
#include "hybrid/hybrid_result.h"
#include "hybrid/hybrid_spec.h"
#include "design/design_family.h"
#include "design/fresh_kernel.h"

namespace qnnsim {

namespace {

constexpr char kName[] = "hybrid";

class HybridDesign : public LoadedDesign {
 public:
  explicit HybridDesign(HybridSpec spec) : spec_(std::move(spec)) {}

  // A part that sizes itself by its workload (a dataflow design builds an
  // engine per layer) is sized by the layers placed on it, not by the whole trace.
  double area_mm2(const std::function<Workload()>& workload) const override {
    double total = 0;
    for (std::size_t p = 0; p < spec_.parts.size(); ++p)
      total += spec_.parts[p].design->area_mm2([&] {
        const Workload w = workload();
        return part_workload(w, place_layers(spec_, w), p);
      });
    return total;
  }

  RunResult run(const Workload& w, const RunRequest& how) const override {
    const std::vector<std::size_t> part_of = place_layers(spec_, w);
    const std::vector<PartRun> runs = cut_into_runs(w, part_of);
    // A part that cannot hold the weights of all its layers at once has them
    // overwritten by its other runs: each run writes its own first.
    std::vector<bool> weights_stay;
    for (std::size_t p = 0; p < spec_.parts.size(); ++p) {
      const Workload mine = part_workload(w, part_of, p);
      weights_stay.push_back(mine.layers.empty() || spec_.parts[p].design->holds_weights_of(mine));
    }
    // Mapping files and the mappings written out are refused (refusal below):
    // a part's mappings would cover only its share of the layers.
    RunRequest part_how;
    part_how.objective = how.objective;
    part_how.warn = how.warn;
    std::vector<RunResult> results;
    for (const PartRun& run : runs) {
      const HybridPartSpec& part = spec_.parts[run.part];
      // Each run elaborates a SystemC model of its part: a fresh kernel for each.
      install_fresh_systemc_kernel();
      part_how.weights_in_place = weights_stay[run.part];
      try {
        results.push_back(part.design->run(run_workload(w, run), part_how));
      } catch (const CannotRun& e) {
        throw CannotRun("part '" + part.name + "' of '" + spec_.file + "': " + e.what());
      }
      if (how.warn && results.back().in_memory)
        for (const std::string& warning : results.back().in_memory->warnings) how.warn(part.name + ": " + warning);
    }
    std::vector<double> areas;
    for (std::size_t p = 0; p < spec_.parts.size(); ++p)
      areas.push_back(spec_.parts[p].design->area_mm2([&] { return part_workload(w, part_of, p); }));
    return merge_part_runs(spec_, w, runs, results, areas);
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
    return fmt::format("hybrid design '{}', {} parts; placement: {}{}", h.name, h.parts.size(),
                       given == 0 ? std::string("automatic")
                                  : fmt::format("{} layer names and {} layer types given, the rest automatic",
                                                h.by_layer.size(), h.by_type.size()),
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
