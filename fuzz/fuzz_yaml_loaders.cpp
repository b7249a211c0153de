// The YAML loaders behind `qnnsim validate` and `run`: the guarded parse,
// then the loader the document's keys select (a workload, or the design
// family that claims the file), as validate picks it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config_node.h"
#include "design/design_family.h"
#include "workload/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const qnnsim::ConfigNode root = qnnsim::ConfigNode::load_string(text, "fuzz.yaml");
    if (root.has("layers"))
      qnnsim::load_workload(root);
    else
      qnnsim::design_family_of(root).load(root, "");
  } catch (const qnnsim::ConfigError&) {
    // Refused with a message: what bad input should get.
  }
  return 0;
}
