#pragma once
// A validated accelerator description: technology, energy table, and one
// component per role. Loading checks every key; nothing is simulated here.
#include <memory>
#include <string>
#include <vector>

#include "arch/roles.h"
#include "energy/energy_table.h"
#include "arch/dataflow.h"

namespace qnnsim {

struct ArchSpec {
  std::string name;
  std::string file;
  Technology tech;
  std::unique_ptr<EnergyTable> table;
  double quantum_s = 0;  // temporal-decoupling quantum of the loosely timed run
  Dataflow dataflow;  // the constraints on the mapping space

  std::unique_ptr<DramSpec> dram;
  std::unique_ptr<BufferSpec> glb;
  std::unique_ptr<NocSpec> noc;
  std::unique_ptr<ArraySpec> pe_array;
  std::unique_ptr<VectorSpec> vector_unit;

  std::vector<const ComponentSpec*> components() const;
};

std::unique_ptr<ArchSpec> load_arch(const std::string& path);
std::unique_ptr<ArchSpec> load_arch(const ConfigNode& root);

// The technology section {node, clock, voltage}; and the check that the
// energy table is for that node and voltage (energies are not scaled between
// technologies), failing at the technology's key.
Technology parse_technology(const ConfigNode& node);
void check_technology(const ConfigNode& node, const Technology& t, const EnergyTable& table);

// Directory holding the shipped arch/, configs/ and workloads/ (QNNSIM_HOME, else the source tree).
std::string data_dir();
// The energy table file the arch's `energy_table` key names: a bare name is a
// shipped table (configs/energy/NAME.yaml), a path is relative to the file.
std::string energy_table_path(const ConfigNode& root);

}  // namespace qnnsim
