#include "design/execution.h"

namespace qnnsim {

const char* execution_name(Execution e) {
  return e == Execution::LayerPipelined ? "layer_pipelined" : "layer_sequential";
}

bool parse_execution(const std::string& text, Execution* out) {
  if (text == "layer_pipelined") *out = Execution::LayerPipelined;
  else if (text == "layer_sequential") *out = Execution::LayerSequential;
  else return false;
  return true;
}

}  // namespace qnnsim
