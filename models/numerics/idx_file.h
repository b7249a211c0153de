#pragma once
// Reading an idx file, the format of MNIST and Fashion-MNIST: a magic number
// giving the element type and the rank, the dimensions as big-endian 32-bit
// integers, then the elements. Only unsigned bytes (type 0x08) are read, which
// is what images and labels are. A gzip-compressed file (as Debian ships them)
// is read through zlib, which passes an uncompressed one through unchanged.
#include <cstdint>
#include <string>
#include <vector>

namespace qnnsim::numerics {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // row-major, the product of dims values
};

// Throws EvalError naming the file when it is missing, not idx, of another
// element type, or shorter than its dimensions say (found at its end: memory
// grows with what the file holds, not with what its header claims).
IdxArray read_idx(const std::string& path);

}  // namespace qnnsim::numerics
