#pragma once
// What each engine of a dataflow design does, counted in closed form from
// its folding, and priced from the energy table (energy is an observer: the
// simulation's timing never reads these). Per layer and batch:
//   mac            every MAC, at its MAC class's energy for the layer's precision;
//   weight_memory  one read per PE per step, SIMD weights wide, from that PE's bank;
//   input_buffer   one read per step of the SIMD inputs the PEs share, and one
//                  write per SIMD inputs of each window handed to the engine;
//   line_buffer    the sliding-window unit: every input written once, every
//                  window read once per output position (kernels wider than 1);
//   fifo           every output bit written once and read by each consumer;
//   threshold      a binary or low-bit output compares its accumulator with
//                  2^bits - 1 thresholds (FINN's multi-threshold activation);
//   pool, add      one comparison or add per operation of the layer;
//   io             the network input read from DRAM and its output written back.
// SRAMs are priced by the table's 64-bit read at their capacity, scaled by the
// bits accessed. Below the smallest published capacity (8 KiB in Horowitz's
// table) the energy is held at that point rather than extrapolated: an upper
// bound for small banks. FIFOs and the input buffer are registers
// (register_file_per_bit).
#include <map>
#include <string>
#include <vector>

#include "dataflow/dataflow_arch.h"
#include "dataflow/engines.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim {

// One entry per layer: the actions with their counts and energies for the batch.
std::vector<std::vector<ActionResult>> count_engine_actions(const DataflowArch& a, const Workload& w,
                                                            const std::vector<Engine>& engines);

// On-chip area by part (mac, weight_memory, line_buffer, fifo), mm2.
std::map<std::string, double> dataflow_area_mm2(const DataflowArch& a, const Workload& w,
                                                const std::vector<Engine>& engines);

// Rows of its input a layer's sliding-window unit holds: its window and the
// rows of the next output row, so that the producer writes while it reads
// (0 for a kernel of one pixel, which needs no line buffer).
int64_t line_buffer_rows(const Layer& l);
double line_buffer_bits(const Layer& l);
// Bits of the FIFO behind layer i's outputs (fifo_rows of its output rows).
double fifo_bits(const DataflowArch& a, const Layer& l);

}  // namespace qnnsim
