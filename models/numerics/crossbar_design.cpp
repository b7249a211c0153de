#include "numerics/crossbar_design.h"

#include <algorithm>
#include <filesystem>

#include "arch/arch_spec.h"
#include "core/config_node.h"
#include "imc/imc_arch.h"
#include "numerics/eval_error.h"
#include "design/design_family.h"

namespace qnnsim::numerics {

std::string arch_file_of(const std::string& arch) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(arch, ec) || arch.find('/') != std::string::npos || arch.find(".yaml") != std::string::npos) return arch;
  const std::string path = (fs::path(data_dir()) / "arch" / (arch + ".yaml")).string();
  if (!fs::exists(path, ec))
    throw EvalError("--arch '" + arch + "' is neither a file nor a shipped design (arch/" + arch + ".yaml)");
  return path;
}

CrossbarDesign load_crossbar_design(const std::string& arch, int adc_bits, std::string* resolved) {
  *resolved = arch_file_of(arch);
  return crossbar_design_of(ConfigNode::load_file(*resolved), adc_bits, "--arch " + *resolved);
}

CrossbarDesign crossbar_design_of(const ConfigNode& root, int adc_bits, const std::string& where) {
  const DesignFamily* family = find_design_family(root);
  if (!family || !family->computes_in_crossbars())
    throw EvalError(where +
                    ": not an in-memory design (kind: in_memory, as arch/isaac.yaml); eval models the numerics of "
                    "crossbars only");
  const ImcArch a = load_imc_arch(root);
  CrossbarDesign d;
  if (a.ima.crossbar.is_xnor_sram()) {
    // The macro's flash ADC; --adc-bits B gives one of 2^B - 1 levels at the
    // same step (odd, so that a zero sum has a code of its own; 2 at B = 1).
    d.xnor_sram = true;
    d.rows = int(a.ima.crossbar.rows);
    d.adc_bits = adc_bits > 0 ? adc_bits : a.ima.adc.bits;
    d.adc_levels = adc_bits > 0 ? std::max(2, (1 << adc_bits) - 1) : int(a.ima.adc.levels);
    d.adc_step = int(a.ima.adc.step);
    d.bits_per_cell = 1;
    d.dac_bits = 1;
    d.columns_per_adc = int(a.ima.adc.columns_per_adc);
    return d;
  }
  d.rows = int(a.ima.crossbar.rows);
  d.bits_per_cell = a.ima.crossbar.bits_per_cell;
  d.dac_bits = a.ima.dac.bits;
  d.adc_bits = adc_bits > 0 ? adc_bits : a.ima.adc.bits;
  d.differential = a.ima.crossbar.signed_weights == SignedWeights::Differential;
  d.flipped_columns = a.ima.crossbar.flipped_columns;
  d.columns_per_adc = int(a.ima.adc.columns_per_adc);
  return d;
}

}  // namespace qnnsim::numerics
