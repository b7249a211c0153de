#include "schedule/im2col.h"

namespace qnnsim {

std::string im2col_problem(const ArchSpec& arch, const Layer& l) {
  if (!arch.pe_array->flattens_reduction())
    return "the array's rows take whole factors of C, R and S; only a SystolicArray feeds each row one element "
           "of the flattened filter window";
  const Dataflow& f = arch.dataflow;
  if (!f.rows[kC] || !f.rows[kR] || !f.rows[kS] || f.pe[kC] || f.pe[kR] || f.pe[kS] || f.keeps(Operand::Inputs) ||
      f.whole[kR] || f.whole[kS])
    return "the " + f.name +
           " dataflow does not put the whole reduction (C, R and S) on the rows with inputs streaming; im2col "
           "needs weight stationary";
  if (layer_streams_weights(l.type) || l.R * l.S <= 1)
    return "the layer has no filter window to flatten (R x S is 1)";
  return "";
}

LoopBounds flatten_reduction(const LoopBounds& b) {
  LoopBounds f = b;
  f.flat_r = b.extent[kR];
  f.flat_s = b.extent[kS];
  f.extent[kC] = b.extent[kC] * b.extent[kR] * b.extent[kS];
  f.extent[kR] = f.extent[kS] = 1;
  return f;
}

LoopBounds mapping_bounds(const Layer& l, int64_t batch, const Mapping& m) {
  const LoopBounds b = loop_bounds(l, batch);
  return m.im2col ? flatten_reduction(b) : b;
}

}  // namespace qnnsim
