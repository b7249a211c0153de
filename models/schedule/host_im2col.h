#pragma once
// im2col on the host: a design whose host expands the network input's filter
// windows (ArraySpec::host_expands_input, Bit Fusion's release) receives the
// layer fed by the input as a 1 x 1 convolution over the expanded matrix:
// C x R x S channels on its P x Q output positions, stride 1, no padding, so
// each input pixel is stored (in DRAM, then the buffer) once per window it
// belongs to. Its MACs, weights and outputs are the layer's own; its input
// values grow by R x S / stride^2 (about). Every other layer reaches the
// array as the workload gives it.
#include "arch/arch_spec.h"
#include "workload/workload.h"

namespace qnnsim {

// The workload as `arch`'s array receives it: unchanged unless the design
// expands the input on the host and the input feeds one convolution with a
// filter window (R x S > 1) and no groups, which is then expanded.
Workload as_array_receives(const ArchSpec& arch, const Workload& w);

// The expanded layer: l's MACs over C x R x S channels of a P x Q map.
Layer host_expanded(const Layer& l);

}  // namespace qnnsim
