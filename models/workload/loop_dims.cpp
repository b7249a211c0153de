#include "workload/loop_dims.h"

namespace qnnsim {

namespace {
constexpr const char* kDimNames[kDims] = {"N", "G", "M", "C", "P", "Q", "R", "S"};
}  // namespace

const char* dim_name(int d) { return kDimNames[d]; }

int dim_from_name(const std::string& name) {
  for (int d = 0; d < kDims; ++d)
    if (name == kDimNames[d]) return d;
  return -1;
}

}  // namespace qnnsim
