#pragma once
// How the layers of a design that keeps every layer resident share time:
// layer-pipelined (all stages at once, handing rows through bounded buffers)
// or layer-sequential (a layer starts once its producers finished the batch).
// In-memory chips and layer-per-engine dataflow designs both run this way.
#include <string>

namespace qnnsim {

enum class Execution { LayerPipelined, LayerSequential };
const char* execution_name(Execution e);
bool parse_execution(const std::string& text, Execution* out);  // false when neither name

}  // namespace qnnsim
