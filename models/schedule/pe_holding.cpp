#include "schedule/pe_holding.h"

#include "schedule/search_support.h"

namespace qnnsim {

bool pe_holds(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe, Operand o) {
  // No sliding loop: every position the PE covers in a pass at once.
  return search::pe_need(o, b, pe, -1) <= arch.pe_array->spad_capacity(o);
}

int held_cut(bool holds, Operand o, const LoopRef* loops, std::size_t n) {
  if (holds) return cut_position(loops, n, o);
  int cut = -1;
  for (std::size_t i = 0; i < n; ++i)
    if (loops[i].factor > 1) cut = static_cast<int>(i);
  return cut;
}

}  // namespace qnnsim
