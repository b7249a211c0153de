// The ONNX importer (`qnnsim import`), on model bytes; a translation it
// accepts is loaded back as the command does. ImportError and ConfigError
// are its refusals.
#include <cstddef>
#include <cstdint>

#include "core/config_node.h"
#include "fuzz_support.h"
#include "importer/onnx_import.h"
#include "workload/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  qnnsim::ImportOptions o;
  o.model_path = qnnsim::fuzz::scratch_file("onnx", "model.onnx", data, size);
  try {
    const qnnsim::ImportedTrace t = qnnsim::import_onnx(o);
    qnnsim::load_workload(qnnsim::ConfigNode::load_string(t.yaml, "imported.yaml"));
  } catch (const qnnsim::ImportError&) {
  } catch (const qnnsim::ConfigError&) {
  }
  return 0;
}
