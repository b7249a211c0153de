#include "schedule/row_lanes.h"

namespace qnnsim::search {

RowAxis row_axis(const ArchSpec& arch, const LayerPrecision& p) {
  RowAxis a;
  a.allowed = arch.dataflow.rows;
  a.lanes = arch.pe_array->reduction_lanes(p);
  a.size = arch.pe_array->rows() * a.lanes;
  // A PE's lanes are input channels of one output: the other row dimensions
  // would need a PE per filter tap, which fused lanes are not.
  if (a.lanes > 1)
    for (int d = 0; d < kDims; ++d) a.allowed[static_cast<std::size_t>(d)] = d == kC && arch.dataflow.rows[kC];
  return a;
}

}  // namespace qnnsim::search
