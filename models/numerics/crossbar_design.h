#pragma once
// The crossbar numerics of an in-memory design's arch file (`kind:
// in_memory`, as arch/isaac.yaml and arch/puma.yaml): rows, bits per cell,
// the signed-weight and column encodings, DAC and ADC bits.
#include <string>

#include "numerics/crossbar_numerics.h"

namespace qnnsim {
class ConfigNode;
}

namespace qnnsim::numerics {

// The file `--arch` names: `arch` itself, or the shipped design of that name
// (arch/NAME.yaml); an EvalError when it is neither.
std::string arch_file_of(const std::string& arch);

// `arch` is a file, or the name of a shipped design (arch/NAME.yaml).
// adc_bits > 0 replaces the file's ADC resolution. Throws EvalError when the
// file is not an in-memory design, ConfigError when it is malformed.
CrossbarDesign load_crossbar_design(const std::string& arch, int adc_bits, std::string* resolved);

// The same from an arch already read (a sweep point's, with its values
// written in); `where` names it in the error when it is not in-memory.
CrossbarDesign crossbar_design_of(const ConfigNode& root, int adc_bits, const std::string& where);

}  // namespace qnnsim::numerics
