#pragma once
// Where a kept tensor's partial sums wait between the passes that accumulate
// them: in the PEs' scratchpads, or in the global buffer.
//
// Row stationary (Chen et al., ISCA 2016, its dataflow section) has each PE run a 1-D
// convolution: it slides its filter row along an input row and finishes one
// partial sum after the row's S taps (for each of the channels and filters it
// interleaves), which then leaves for the PE above. The PE's psum scratchpad
// (24 x 16 bit in Eyeriss v1, Chen et al., JSSC 2017) holds the psums of one
// window position, not the PE's whole output row. So when a layer's channels
// take more than one pass, the partial sums of a row cannot wait in the PE
// for the next channels: each pass writes them to the global buffer (whose
// 100 KB part holds ifmaps and psums, JSSC 2017) and the pass over the next
// channels reads them back.
#include <cstddef>

#include "arch/arch_spec.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

// Whether a PE can keep every output value it works on over a pass (the
// sliding dimension counted whole) in its psum scratchpad, and so hold them
// across the passes of an accumulation.
bool pe_holds_outputs(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe);

// The cut (loop_nest.h) of the outputs the PEs keep, over `loops` above the
// PEs: the usual one when the PE holds its outputs; otherwise the innermost
// loop that iterates, whatever its dimension, because the partial sums leave
// the PEs after every pass.
int output_cut(bool holds, const LoopRef* loops, std::size_t n);

}  // namespace qnnsim
