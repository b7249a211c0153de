#pragma once
// The choices the weight-stationary schedule makes for one layer, and all it
// needs to lay out the layer's tiles again: the block of each loop dimension a
// buffer tile holds, and the loop order of the blocks. Spatially the array's
// rows always hold the reduction (C x R x S) and its columns output channels
// (M); each array step streams N x P x Q input vectors.
#include <cstdint>
#include <string>

namespace qnnsim {

struct WsMapping {
  int64_t n = 1, p = 1;         // images and output rows per buffer tile
  int64_t g = 1, m = 1;         // array layers: groups, and output channels per group, per tile
  int64_t c = 1;                // input channels (per group) per tile
  bool weights_outer = true;    // array layers' block loop order: G M N P C (weights outer) or N P G M C
                                // (inputs outer); vector layers loop N C P

  // e.g. "N1 P8 G1 M16 C64 | G M N P C | rows C*R*S, cols M"
  std::string one_line(bool uses_array) const;
};

}  // namespace qnnsim
