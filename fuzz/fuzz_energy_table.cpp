// The energy-table loader (configs/energy/*.yaml), which reads by path.
#include <cstddef>
#include <cstdint>

#include "energy/energy_table.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string path = qnnsim::fuzz::scratch_file("energy", "table.yaml", data, size);
  try {
    qnnsim::EnergyTable::load(path);
  } catch (const qnnsim::ConfigError&) {
  }
  return 0;
}
