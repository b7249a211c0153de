// Mapping files (`run --mappings`): loaded against LeNet-5 under the
// shipped systolic design's dataflow, as a replay would.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "fuzz_support.h"
#include "schedule/mapping_io.h"
#include "workload/workload.h"

namespace {

struct Target {
  qnnsim::Workload workload;
  std::unique_ptr<qnnsim::ArchSpec> arch;
};

const Target& target() {
  static const Target t{qnnsim::load_workload(qnnsim::data_dir() + "/workloads/lenet5.yaml"),
                        qnnsim::load_arch(qnnsim::data_dir() + "/arch/systolic_ws.yaml")};
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const Target& t = target();
  const std::string path = qnnsim::fuzz::scratch_file("mappings", "mappings.yaml", data, size);
  try {
    qnnsim::load_mappings(path, t.workload, t.arch->dataflow);
  } catch (const qnnsim::ConfigError&) {
  }
  return 0;
}
