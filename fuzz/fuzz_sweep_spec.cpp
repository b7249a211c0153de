// Sweep specs: loading (paths into the arch and workloads, set: edits,
// combinations, constraints) and planning the points, which resolves every
// point's edited files (for sweeps of up to 64 points). The spec sits in a scratch copy of the repository's
// layout (configs/sweeps/ beside links to arch/ and workloads/), so the
// shipped specs' relative references resolve.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "arch/arch_spec.h"
#include "core/config_error.h"
#include "fuzz_support.h"
#include "sweep/sweep_plan.h"

namespace {

void link_shipped_dirs(const std::string& spec_path) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(spec_path).parent_path().parent_path().parent_path();
  for (const char* d : {"arch", "workloads", "configs/energy"}) {
    const fs::path link = root / d;
    if (fs::exists(link)) continue;
    fs::create_directories(link.parent_path());
    fs::create_directory_symlink(fs::path(qnnsim::data_dir()) / d, link);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string path = qnnsim::fuzz::scratch_file("repo/configs/sweeps", "spec.yaml", data, size);
  link_shipped_dirs(path);
  try {
    const qnnsim::SweepSpec spec = qnnsim::load_sweep_spec(path);
    // Planning resolves every point; a large grid is slow by design, not a
    // hang, so only small sweeps are planned.
    double points = static_cast<double>(spec.workload_files.size());
    if (spec.combine == qnnsim::Combine::Random) points *= static_cast<double>(spec.samples);
    else if (spec.combine == qnnsim::Combine::Zip) points *= static_cast<double>(spec.axes.at(0).size);
    else
      for (const qnnsim::SweepAxis& a : spec.axes) points *= static_cast<double>(a.size);
    if (points <= 64) qnnsim::plan_sweep(path, {});
  } catch (const qnnsim::ConfigError&) {
  }
  return 0;
}
