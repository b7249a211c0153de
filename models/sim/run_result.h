#pragma once
// What one simulation run produced, per layer and for the network. Filled by
// the simulation from the controller's timing and the components' action
// counts (through the energy model); read by the report writers.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qnnsim {

struct ActionResult {
  std::string component;  // instance in the arch file, e.g. "glb"
  std::string action;     // label, e.g. "spad.read.8b"
  uint64_t count = 0;
  double energy_pj = 0;
};

struct LayerResult {
  std::string name;
  std::string type;
  std::string tiling;
  int64_t active_pes = 0;  // PEs a full pass of the mapping uses (0: the vector unit's layer)
  int64_t macs = 0;
  uint64_t cycles = 0;
  double latency_s = 0;
  double load_stall_s = 0;
  uint64_t bound_cycles = 0;                    // analytical lower bound: the busiest resource flat out
  std::string bound_resource;                   // which resource sets that bound
  uint64_t compute_cycles = 0;                  // the array (or vector unit) working
  std::map<std::string, uint64_t> stall_cycles;  // dram, buffer, noc: why the array waited
  std::map<std::string, double> utilization;     // per level: bandwidth and capacity in use, 0..1
  double energy_pj = 0;
  double pe_utilization = 0;
  double dram_bytes = 0;
  std::map<std::string, double> energy_breakdown_pj;
  std::vector<ActionResult> actions;
};

struct Summary {
  uint64_t cycles = 0;
  double latency_s = 0;
  int64_t macs = 0;
  int64_t ops = 0;
  double throughput_gops = 0;
  double energy_pj = 0;
  double energy_per_mac_pj = 0;
  double tops_per_w = 0;
  double pe_utilization = 0;
  double dram_bytes = 0;
  double area_mm2 = 0;
  uint64_t compute_cycles = 0;
  std::map<std::string, uint64_t> stall_cycles;
  std::map<std::string, double> energy_breakdown_pj;
  std::map<std::string, double> energy_by_action_pj;
  std::map<std::string, double> area_breakdown_mm2;
};

struct RunResult {
  std::string arch;
  std::string workload;
  int64_t batch = 1;
  double clock_hz = 0;
  int64_t pes = 0;
  Summary summary;
  std::vector<LayerResult> layers;
};

}  // namespace qnnsim
