#pragma once
// A layer-per-engine streaming dataflow accelerator in the FINN style
// (Umuroglu et al., FPGA 2017), from an architecture file with
// `kind: dataflow`. Every layer of the network has its own engine, resident
// for the whole run: a matrix-vector unit for conv and fc layers (PE lanes over
// output channels, each SIMD lanes wide over input channels: the folding),
// fed by a sliding-window unit (line buffer) for a convolution, with its
// weights in its own on-chip memory; streaming units for pooling and adds.
// Engines hand each other output rows through FIFOs; input and output stream
// through one port to DRAM.
//
// The folding is per layer in the file, or chosen: to balance the engines
// under a lane budget or an FPGA resource budget (fpga_resources.h), or, as FINN's compiler does, to reach a target rate
// with the fewest lanes per engine (see engines.h). It names the workload's layers, so it
// is checked against a workload when the run starts.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/technology.h"
#include "core/config_node.h"
#include "energy/energy_table.h"
#include "mac/mac_spec.h"
#include "design/execution.h"
#include "dataflow/fpga_resources.h"

namespace qnnsim {

// One layer's folding as given in the file: PE and SIMD for a matrix-vector
// engine, PE (channels per cycle) for pooling and adds.
struct GivenFold {
  int64_t pe = 0, simd = 0;  // 0: not given
  SourceLocation where;      // of the layer's entry, for errors found against a workload
  std::string key;           // its key path, e.g. folding.layers.conv1
};

struct DataflowArch {
  std::string name, file;
  Technology tech;
  std::unique_ptr<EnergyTable> table;
  Execution execution = Execution::LayerPipelined;

  double io_bits_per_cycle = 64;  // the stream port to DRAM, each way
  std::string dram_type;          // prices the port's bits (the table's dram_per_bit)
  double weight_memory_bits = 0;  // on-chip weight memory of all engines together
  SourceLocation weight_memory_where;  // of its size, for a network that does not fit
  int64_t fifo_rows = 1;          // rows a FIFO holds between engines, beyond the consumer's window
  // MAC classes in order of preference: a layer runs on the first that executes its precision.
  std::vector<std::unique_ptr<MacSpec>> macs;
  std::vector<std::string> mac_classes;  // their class names, for messages
  // What one lane of each unit takes on the FPGA (`lane_cost`), by the index
  // in `macs`; empty where not given. Every unit gives it under a resource budget.
  std::vector<FpgaResources> lane_costs;

  std::optional<ConfigNode> node;  // the file's root, named when a table entry is missing

  int64_t lane_budget = 0;  // 0: no lane budget
  FpgaResources resource_budget;  // folding.budget; empty: none. With a lane budget, both bind.
  std::map<std::string, SourceLocation> budget_where;  // of each budgeted amount, for one too small
  // Images per second each engine without a given folding must reach (FINN's
  // throughput target); 0: none. Not beside a lane or resource budget.
  double target_images_per_s = 0;
  SourceLocation target_where;  // of the target, for an engine that cannot reach it
  std::map<std::string, GivenFold> folds;
  SourceLocation folding_where;  // of the folding section
  SourceLocation lanes_where;    // of its lane budget, for a budget too small
};

DataflowArch load_dataflow_arch(const ConfigNode& root);

}  // namespace qnnsim
