#pragma once
// The families of design qnnsim runs: PE-array designs built from components,
// level designs, in-memory chips and dataflow designs. Each family registers
// itself from its own folder (QNNSIM_REGISTER(DesignFamily::Registry, ...))
// and owns the rule that recognises its files, so `qnnsim run`, `map` and
// `validate`, the sweep and the accuracy evaluation look a design's family up
// once and never branch on which it is. Exactly one family claims any
// architecture file; two claiming one is a build mistake, which the lookup
// refuses and a test over the shipped designs catches.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config_node.h"
#include "core/registry.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

class MacSpec;  // mac/mac_spec.h, a folder above this one

// What a caller may ask beyond a plain run, which only some families take:
// replaying a mapping file, writing the chosen mappings, choosing the
// execution mode, recording a timeline, and the `map` command.
enum class RunOption { Mappings, MappingsOut, Execution, Trace, Map, Objective };

// How to run a loaded design; each family reads what it takes.
struct RunRequest {
  std::string objective = "edp";  // energy, latency or edp: what a mapping search minimises
  std::string mappings_in;        // a mapping file to replay instead of searching; empty: search
  // Receives the chosen mappings as YAML before the simulation starts (families that map).
  std::function<void(const std::string&)> mappings_out;
  // Receives each warning the run raises, which its report keeps as well.
  std::function<void(const std::string&)> warn;
  // False when the design's stationary weights are not on it as the run
  // starts (a hybrid's in-memory part whose layers together exceed it, so
  // that its other runs overwrite them): a design that keeps weights
  // resident writes them first and charges it. Designs that stream their
  // weights from DRAM ignore it.
  bool weights_in_place = true;
};

// A design that loaded but cannot run this workload (a layer it has no unit
// or no mapping for): bad input, not a fault of the simulator.
class CannotRun : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A design loaded from its file: its configuration errors have all surfaced.
class LoadedDesign {
 public:
  virtual ~LoadedDesign() = default;
  // The chip's area; `workload` is called only by families whose area
  // depends on it (a dataflow design sizes an engine per layer).
  virtual double area_mm2(const std::function<Workload()>& workload) const = 0;
  // Once per process: SystemC elaborates once. Throws CannotRun.
  virtual RunResult run(const Workload& w, const RunRequest& how) const = 0;
  // Why the design has no unit for `l`, as the rest of a sentence ("has no
  // unit for softmax layers"), or empty when it can run it: how a hybrid
  // design decides which of its parts may take a layer.
  virtual std::string cannot_run(const Layer& l) const = 0;
  // Whether the stationary weights of all of `w`'s layers fit on the design
  // at once, so that they stay in place between runs of some of them; true
  // for designs that stream weights from DRAM.
  virtual bool holds_weights_of(const Workload& w) const {
    (void)w;
    return true;
  }
  // The MAC classes its array layers run on (mac/mac_spec.h), in the order
  // it tries them: a layer runs on the first that executes its precision (a
  // dataflow design lists several, e.g. an XNOR unit and an integer one for
  // the first layer). `qnnsim eval --arch` runs their numerics. Empty for
  // designs computing otherwise (crossbars) or with no MAC class given.
  virtual std::vector<const MacSpec*> mac_units() const { return {}; }
};

class DesignFamily {
 public:
  using Registry = qnnsim::Registry<DesignFamily>;
  virtual ~DesignFamily() = default;

  // The name the family is registered under.
  virtual std::string name() const = 0;
  // Whether `root` is one of this family's designs, from its keys alone.
  virtual bool claims(const ConfigNode& root) const = 0;
  // The keys that rule looks for, for the message when no family claims a file.
  virtual std::string recognised_by() const = 0;
  // `qnnsim validate`'s line for the design; loads it, so a config error throws.
  virtual std::string describe(const ConfigNode& root) const = 0;
  // execution: empty keeps the file's mode; given only where refusal(Execution) is empty.
  virtual std::unique_ptr<LoadedDesign> load(const ConfigNode& root, const std::string& execution) const = 0;
  // Empty when the family takes `option`; otherwise why not, as the rest of a
  // sentence that starts with the option's spelling ("--mappings is for ..."),
  // naming `design` as the user gave it.
  virtual std::string refusal(RunOption option, const std::string& design) const = 0;
  // Whether its designs compute in analog crossbars, whose numerics `qnnsim
  // eval` and a sweep's accuracy section model.
  virtual bool computes_in_crossbars() const = 0;
};

// Whether `root` names `kind` in its `kind:` key: how a family that asks
// its files to say what they are recognises them.
bool declares_kind(const ConfigNode& root, const std::string& kind);

// Every registered family, in the order of their names.
const std::vector<std::unique_ptr<DesignFamily>>& design_families();

// The family that claims `root`, or nullptr when none does. Two claiming it
// throw std::logic_error: their rules overlap, which is a build mistake.
const DesignFamily* find_design_family(const ConfigNode& root);

// The same, a ConfigError naming the file and line (and `kind`, when given)
// when no family claims `root`.
const DesignFamily& design_family_of(const ConfigNode& root);

}  // namespace qnnsim
