#pragma once
// The engines of a dataflow design, one per layer, and their folding.
//
// A matrix-vector engine (FINN's MVAU) computes a layer's output positions one
// after another. Per position it runs groups x NF x SF steps, NF = output
// channels per group / PE and SF = reduction length (C/groups x R x S) / SIMD:
// each step every PE lane takes SIMD products from its own weight memory and
// the shared input vector. PE must divide the output channels per group, and
// SIMD the input channels per group (the sliding-window unit hands the engine
// SIMD channels of one pixel at a time); for a fully connected layer SIMD
// divides its inputs, for a depthwise one PE divides the channels and SIMD
// the window R x S. Pooling and add units take PE channels of one pixel per
// cycle (all of them unless given).
//
// The folding is given per layer, or chosen under a lane budget (the sum of
// PE x SIMD over the matrix engines), an FPGA resource budget (each lane
// charged its unit's lane cost; every resource must fit, so the scarcest
// binds), or both, to minimise the slowest engine's cycles per image: for a target T, each engine takes the fewest lanes that bring it
// to T or below (SIMD before PE on a tie, as FINN raises SIMD first), and T is
// the smallest target the budget affords, found by bisection over the cycle
// counts the engines can reach. Or it is chosen to reach a target rate in
// images per second (FINN's own design entry): each engine takes the fewest
// lanes that bring it to clock / rate cycles per image or below.
#include <cstdint>
#include <string>
#include <vector>

#include "dataflow/dataflow_arch.h"
#include "workload/workload.h"

namespace qnnsim {

enum class EngineKind { MatrixVector, Pool, Add };

struct Engine {
  EngineKind kind = EngineKind::MatrixVector;
  const MacSpec* mac = nullptr;  // matrix engines: the unit each lane is
  std::string mac_class;
  int mac_index = -1;             // the unit's place in the design's `macs` (its lane cost)
  int64_t pe = 1, simd = 1;
  bool chosen = false;            // folding chosen by the balancer, not given
  int64_t out_channels = 1;       // per group (depthwise: the channels)
  int64_t reduction = 1;          // per group (depthwise: R x S)
  int64_t simd_limit = 1;         // what SIMD must divide
  int64_t groups = 1;             // groups run one after another (depthwise: 1)
  int64_t positions = 1;          // output positions per image
  int64_t rows = 1;               // output rows per image
  int64_t step_cycles = 1;        // cycles a step of the MAC unit takes
  int64_t pool_values = 0;        // pooling and add units: values per image through them

  int64_t lanes() const { return kind == EngineKind::MatrixVector ? pe * simd : 0; }
  int64_t row_cycles() const;    // cycles per output row at this folding
  int64_t image_cycles() const { return rows * row_cycles(); }
  int64_t steps_per_image() const;  // matrix engines: lane-steps (each PE x SIMD wide)
};

// The engines of `w` on `a`, folded. Errors (a folding that names no layer, or
// does not divide, a missing folding, a budget too small, a precision no MAC
// unit executes) are ConfigErrors naming the file, line and key.
std::vector<Engine> build_engines(const DataflowArch& a, const Workload& w);
// Why a dataflow design has no engine for layer `l`, or "": it keeps every
// weight resident, and its engines are matrix-vector units, pools and adds
// (FINN's), with no multiplier between two activations and no activation
// function but their output thresholds.
std::string dataflow_cannot_run(const Layer& l);

// What the matrix engines' lanes take in the design's budgeted FPGA resources
// (their units' lane costs times their lanes); empty without lane costs.
FpgaResources engines_resources(const DataflowArch& a, const std::vector<Engine>& engines);

// Divisors of n, ascending.
std::vector<int64_t> divisors(int64_t n);

}  // namespace qnnsim
