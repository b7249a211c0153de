// The YAML loaders behind `qnnsim validate` and `run`: the guarded parse,
// then the loader the document's keys select (workload, in-memory chip,
// dataflow design, PE-array arch), as validate picks it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "dataflow/dataflow_arch.h"
#include "imc/imc_arch.h"
#include "workload/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const qnnsim::ConfigNode root = qnnsim::ConfigNode::load_string(text, "fuzz.yaml");
    if (root.has("layers"))
      qnnsim::load_workload(root);
    else if (qnnsim::is_in_memory_arch(root))
      qnnsim::load_imc_arch(root);
    else if (qnnsim::is_dataflow_arch(root))
      qnnsim::load_dataflow_arch(root);
    else
      qnnsim::load_arch(root);
  } catch (const qnnsim::ConfigError&) {
    // Refused with a message: what bad input should get.
  }
  return 0;
}
