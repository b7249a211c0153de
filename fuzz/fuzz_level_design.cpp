// Level designs (`qnnsim levels`): loaded beside the Timeloop default problem
// and counted, as the command does (a nest that would need stepping through
// more blocks than a search allows is refused the same way, not waited for).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "fuzz_support.h"
#include "schedule/level_design.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string path = qnnsim::fuzz::scratch_file("levels", "design.yaml", data, size);
  // The workload the shipped designs name, beside the design (copied once).
  const std::filesystem::path problem = std::filesystem::path(path).parent_path() / "timeloop_default_problem.yaml";
  if (!std::filesystem::exists(problem))
    std::filesystem::copy_file(qnnsim::data_dir() + "/configs/validation/timeloop/timeloop_default_problem.yaml", problem);
  try {
    const qnnsim::LevelDesign d = qnnsim::load_level_design(path);
    const qnnsim::LevelNestCounts c = qnnsim::count_level_accesses(d.nest, d.bounds);
    qnnsim::price_levels(d, d.nest, c);
  } catch (const qnnsim::ConfigError&) {
  }
  return 0;
}
