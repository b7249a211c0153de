#pragma once
// How a hybrid design's trace is cut into runs, each a workload of its own
// for one part. Runs execute one after another in trace order: the hybrid is
// layer-sequential across parts, because an activation that crosses parts
// goes through the DRAM they share (written by its producer's part, read by
// its consumer's), and a part cannot start a layer before its inputs are there.
#include <cstddef>
#include <vector>

#include "workload/workload.h"

namespace qnnsim {

// Consecutive layers of the trace, all on one part.
struct PartRun {
  std::size_t part = 0;
  std::size_t first = 0, last = 0;  // layer indices, inclusive
};

// The longest runs of consecutive layers on one part such that each run, as a
// workload of its own, charges exactly the traffic that crosses its edge:
//  - a workload has one network input, so every tensor a run reads from
//    outside has the same shape (a layer reading two shapes from outside,
//    a matmul, runs alone: the PE-array families cost each operand from the
//    layer's own shape, and a design that reads the input's shape runs only
//    layers whose operands share it);
//  - a design that keeps activations on chip (an in-memory chip, a dataflow
//    pipeline) writes a layer's outputs off chip only when nothing in its
//    workload reads them, so a layer read outside its run is not read inside it.
// A PE-array design writes every layer's outputs to DRAM and reads its inputs
// from there, so for it a cut costs nothing the whole trace would not.
std::vector<PartRun> cut_into_runs(const Workload& w, const std::vector<std::size_t>& part_of);

// The run's layers as a workload: every tensor it reads from outside (another
// run's output, or the network input) becomes its "input", whose shape is the
// first such tensor's; batch, precision and densities stay the trace's.
Workload run_workload(const Workload& w, const PartRun& run);

// Every layer placed on `part`, in trace order, as one workload built the
// same way: to ask the part whether all their weights fit on it at once.
Workload part_workload(const Workload& w, const std::vector<std::size_t>& part_of, std::size_t part);

}  // namespace qnnsim
