#include "schedule/psum_holding.h"

#include "schedule/search_support.h"

namespace qnnsim {

bool pe_holds_outputs(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe) {
  // No sliding loop: every output position the PE covers in a pass at once.
  return search::pe_need(Operand::Outputs, b, pe, -1) <= arch.pe_array->spad_capacity(Operand::Outputs);
}

int output_cut(bool holds, const LoopRef* loops, std::size_t n) {
  if (holds) return cut_position(loops, n, Operand::Outputs);
  int cut = -1;
  for (std::size_t i = 0; i < n; ++i)
    if (loops[i].factor > 1) cut = static_cast<int>(i);
  return cut;
}

}  // namespace qnnsim
