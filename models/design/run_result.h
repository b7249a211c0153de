#pragma once
// What one simulation run produced, per layer and for the network. Filled by
// the simulation from the controller's timing and the components' action
// counts (through the energy model); read by the report writers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/component_stats.h"
#include "design/time_cause.h"

namespace qnnsim {

struct ActionResult {
  std::string component;  // instance in the arch file, e.g. "glb"
  std::string action;     // label, e.g. "spad.read.8b"
  uint64_t count = 0;
  double energy_pj = 0;
};

// In-memory chips only: how a layer sits on the crossbars and how busy its stage was.
struct InMemoryLayer {
  int64_t crossbars = 0;  // one copy of the weights
  int64_t copies = 1;     // copies made to balance the pipeline
  int64_t imas = 0;       // one copy
  int segment = 0;        // programming segment (weight reloading)
  int adc_bits_needed = 0;
  double adc_clip_fraction = 0;  // conversions expected to saturate the configured ADC
  uint64_t adc_conversions = 0;
  double occupancy = 0;  // share of the run the stage computed
  double wait_input_s = 0, wait_output_s = 0, wait_memory_s = 0;
};

// Dataflow designs only: a layer's engine, its folding and how busy it was.
struct DataflowLayer {
  std::string engine;     // matrix_vector, pool or add
  std::string mac_class;  // matrix engines: the MAC unit its lanes are
  int64_t pe = 1, simd = 1;
  bool folding_chosen = false;  // by the balancer under the lane budget, not given
  int64_t lanes = 0;            // PE x SIMD (matrix engines)
  int64_t cycles_per_image = 0;
  double weight_bits = 0, line_buffer_bits = 0, fifo_bits = 0;
  double occupancy = 0;  // share of the run the engine computed
  double wait_input_s = 0, wait_output_s = 0;
};

struct LayerResult {
  std::string name;
  std::string type;
  std::string placement;  // hybrid designs: the part the layer ran on; empty for every other design
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
  // Figures of the layer's components beyond their counts, named as the CSV's
  // columns: dram_row_hit_fraction (a DRAM device), hottest_link_utilization_fraction (a mesh).
  std::map<std::string, double> figures;
  std::vector<ActionResult> actions;
  std::optional<InMemoryLayer> in_memory;
  std::optional<DataflowLayer> dataflow;
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
  double gops_per_w = 0;
  double gops_per_mm2 = 0;  // throughput per on-chip area
  uint64_t compute_cycles = 0;
  std::map<std::string, uint64_t> stall_cycles;
  std::map<std::string, double> energy_breakdown_pj;
  std::map<std::string, double> energy_by_action_pj;
  std::map<std::string, double> area_breakdown_mm2;
};

// In-memory chips only: chip-level figures beside the per-layer ones.
struct InMemorySummary {
  std::string execution;  // layer_pipelined or layer_sequential
  int segments = 1;       // more than one: weights reloaded between segments
  double reprogram_s = 0;
  double crossbar_utilization = 0;  // cells holding weights (copies included) / cells on the chip
  uint64_t adc_conversions = 0;
  double adc_energy_share = 0, adc_area_share = 0;
  int adc_bits = 0, adc_bits_needed = 0;
  double peak_gops = 0;             // every crossbar full, at the run's widest weights and inputs
  double peak_power_w = 0;          // every block busy, priced by this model
  // The same from the published per-instance powers; empty when some block
  // (the crossbar, or an ADC priced by its comparators) has none published.
  std::optional<double> published_peak_power_w;
  // One crossbar macro flat out on 1-bit operands, its own blocks only (as a
  // macro paper states its TOPS/W), and its energy per read by block.
  double macro_peak_tops_per_w = 0;
  std::map<std::string, double> macro_peak_energy_fj;
  double images_per_s = 0;
  double first_image_latency_s = 0;
  double pipeline_interval_s = 0;   // between images leaving the last stage (batch > 1)
  std::map<std::string, double> peak_power_breakdown_w;
  std::vector<std::string> warnings;
};

// PE-array designs only: what the array could do flat out. (In-memory and
// dataflow designs give their peaks in their own sections.)
struct PeArraySummary {
  // Every PE busy every cycle at the MAC class's rate, at the run's widest
  // precision (the slowest rate any of its array layers runs at).
  double peak_gops = 0;
};

// Dataflow designs only: the pipeline's figures beside the per-layer ones.
struct DataflowSummary {
  std::string execution;  // layer_pipelined or layer_sequential
  int64_t lanes = 0;      // MAC lanes over all engines
  int64_t lane_budget = 0;  // 0: every folding given
  // FPGA resources (dsp, lut, ff) the folding was budgeted in, and what the
  // MAC lanes take of them (each unit's lane cost x its lanes); empty without
  // lane costs. Only the lanes are charged, not buffers or control.
  std::map<std::string, double> resource_budget, resources_used;
  double target_images_per_s = 0;  // the rate the folding was chosen for; 0: none
  std::string slowest_layer;
  int64_t slowest_cycles_per_image = 0;  // sets the pipelined throughput
  double images_per_s = 0;
  double first_image_latency_s = 0;  // the pipeline's depth
  double pipeline_interval_s = 0;    // between images leaving the last engine (batch > 1)
  double weight_bits = 0, weight_memory_bits = 0;
  double peak_gops = 0;  // every lane busy every cycle
};

// Level designs only (schedule/level_design.h): how the run was costed.
struct LevelRunSummary {
  std::string objective;                 // what the level search minimised per layer
  double search_s = 0;                   // the searches' wall time over all layers
  uint64_t mappings_evaluated = 0;
  // Layers mapped, and the distinct shapes among them: a repeated shape takes
  // its first layer's mapping (schedule/level_mapping_cache.h).
  std::size_t layers_mapped = 0, shapes_searched = 0;
  std::vector<std::string> not_costed;   // layers the design has no unit for (pooling, element-wise, ...)
  std::vector<std::string> warnings;
  std::string off_chip_level;            // the outermost level's name: its stalls are off-chip
};

// Hybrid designs only: one of the design's parts and what ran on it.
struct HybridPart {
  std::string name;    // as the hybrid file names it
  std::string family;  // the part's design family (in_memory, pe_array, ...)
  std::string design;  // the part's own design name
  double clock_hz = 0;
  std::size_t layers = 0;  // layers placed on it
  std::size_t runs = 0;    // runs of consecutive layers it was given
  int64_t macs = 0;
  double latency_s = 0, energy_pj = 0, dram_bytes = 0, area_mm2 = 0;
  std::vector<TimeCause> time;  // its runs' time by cause (design/time_causes.h), summed
};

// A hybrid whose placement was searched (`placement.search: true`): how the
// chosen placement compares with the automatic rule's, by the run's objective.
struct PlacementSearchSummary {
  std::string objective;            // energy, latency or edp
  double automatic_value = 0;       // the objective under the automatic rule's placement
  double chosen_value = 0;          // and under the chosen one (never more)
  std::size_t layers_moved = 0;     // layers on another part than the rule gives them
  std::size_t placements_scored = 0;
  std::size_t runs_simulated = 0;   // distinct part runs the scoring simulated
  std::size_t starts = 0;           // descents, from the automatic placement and each part taking all it may
  std::size_t passes = 0;           // the most passes over the moves one descent took
  // Placements passed over because their runs warned of what the automatic
  // placement's do not (figures resting on a simplification).
  std::size_t passed_over_for_warnings = 0;
  // Placements passed over because a part could not make one of their runs.
  std::size_t passed_over_cannot_run = 0;
};

// Hybrid designs only: the parts, and how many runs the trace was cut into.
struct HybridSummary {
  std::vector<HybridPart> parts;
  std::size_t runs = 0;
  // What the latency waits on: the kind of resource (off-chip, on-chip or
  // compute) whose causes, over all parts, add up to the most time.
  TimeBound bound = TimeBound::Compute;
  double bound_s = 0;
  // The parts' runs' warnings, each once, prefixed with the part's name.
  std::vector<std::string> warnings;
  std::optional<PlacementSearchSummary> placement_search;
};

// Adds a layer's MACs, energy (by component and action), traffic, compute
// and stall cycles to the network's. Times are the caller's: layers in
// sequence add up, pipelined stages overlap.
void add_layer_totals(Summary& s, const LayerResult& l);

// Derives the rates (throughput, GOPS/W, GOPS/mm2, pJ/MAC) from the totals.
void finish_summary(Summary& s);

struct RunResult {
  std::string arch;
  std::string workload;
  int64_t batch = 1;
  double clock_hz = 0;
  int64_t pes = 0;
  Summary summary;
  std::vector<LayerResult> layers;
  std::optional<InMemorySummary> in_memory;
  std::optional<DataflowSummary> dataflow;
  std::optional<PeArraySummary> pe_array;
  std::optional<LevelRunSummary> levels;
  std::optional<HybridSummary> hybrid;
  std::vector<ComponentStats> component_stats;  // components with figures beyond their counts
};

}  // namespace qnnsim
