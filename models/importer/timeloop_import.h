#pragma once
// Timeloop v0.4 / Accelergy import: an architecture (arch.yaml), its energy
// reference table (the ERT Accelergy writes), a problem and a mapping
// (map.yaml) become a qnnsim level design and its workload trace
// (schedule/level_design.h), level for level. Constructs the level analysis
// cannot express are ConfigErrors naming the file, line and key.
#include <string>
#include <vector>

namespace qnnsim {

struct TimeloopFiles {
  std::string arch;     // holds `architecture:` (v0.4 subtree/local form)
  std::string ert;      // holds `ERT:`
  std::string problem;  // holds `problem:` (may be the arch file, e.g. parsed-processed-input.yaml)
  std::string mapping;  // holds `mapping:`
};

struct ImportedDesign {
  std::string design_yaml;    // the level design; its `workload:` names workload_file
  std::string workload_yaml;  // the one-layer trace of the problem
  std::vector<std::string> notes;
};

ImportedDesign import_timeloop(const TimeloopFiles& files, const std::string& workload_file);

}  // namespace qnnsim
