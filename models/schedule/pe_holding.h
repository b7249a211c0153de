#pragma once
// What a PE keeps in its scratchpads from one pass to the next, and what it
// must take in (or send out) again at every pass.
//
// Row stationary (Chen et al., ISCA 2016, its dataflow section) has each PE
// run a 1-D convolution: it slides its filter row along an input row. The
// scratchpads hold what one window position needs, not the whole row
// (Eyeriss v1, Chen et al., JSSC 2017: ifmap 12 x 16 bit, psum 24 x 16 bit,
// filter 224 x 16 bit):
// - partial sums: the PE finishes one window position's sums (for each of
//   the channels and filters it interleaves) after the row's S taps, and
//   they leave for the PE above. When a layer's channels take more than one
//   pass, a row's partial sums cannot wait in the PE for the next channels:
//   each pass writes them to the global buffer (whose 100 KB part holds
//   ifmaps and psums, JSSC 2017) and the pass over the next channels reads
//   them back;
// - inputs: the ifmap scratchpad holds the sliding window, and the values
//   behind it are overwritten as the window moves. A pass over the next
//   filters (or anything else the inputs do not depend on) cannot reuse the
//   row, so each such pass streams its inputs from the buffer again.
// A PE keeps a kept operand across passes only when every value of it the
// pass works on fits the scratchpad at once, the sliding dimension counted
// whole. Filters do not slide: a filter row fits or the mapping is refused.
#include <cstddef>

#include "arch/arch_spec.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

// Whether a PE can keep every value of operand `o` it works on over a pass
// (the sliding dimension counted whole) in its scratchpad, and so hold them
// across passes. Asked only of operands the dataflow keeps.
bool pe_holds(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe, Operand o);

// The cut (loop_nest.h) of kept operand `o` over `loops` above the PEs: the
// usual one when the PE holds it; otherwise the innermost loop that
// iterates, whatever its dimension, because the operand enters the PEs
// again (partial sums: leave them) at every pass.
int held_cut(bool holds, Operand o, const LoopRef* loops, std::size_t n);

}  // namespace qnnsim
