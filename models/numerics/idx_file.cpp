#include "numerics/idx_file.h"

#include <algorithm>
#include <memory>

#include <zlib.h>

#include "numerics/eval_error.h"

namespace qnnsim::numerics {

namespace {

// No real idx file comes near this; a corrupt header claiming more is refused
// before anything is allocated.
constexpr int64_t kMaxValues = int64_t{1} << 32;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

void read_exact(gzFile f, void* out, std::size_t n, const std::string& path, const char* what) {
  std::size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(out);
  while (done < n) {
    // gzread takes an unsigned count; read in pieces well below its limit.
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
    const int got = gzread(f, bytes + done, chunk);
    if (got <= 0) throw EvalError(path + ": the file ends inside its " + what + " (truncated or not an idx file)");
    done += static_cast<std::size_t>(got);
  }
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  std::unique_ptr<gzFile_s, GzCloser> f(gzopen(path.c_str(), "rb"));
  if (!f) throw EvalError(path + ": cannot open the file");
  unsigned char magic[4];
  read_exact(f.get(), magic, 4, path, "header");
  if (magic[0] != 0 || magic[1] != 0)
    throw EvalError(path + ": not an idx file (expected a magic number starting with two zero bytes)");
  if (magic[2] != 0x08)
    throw EvalError(path + ": idx element type " + std::to_string(magic[2]) + ", expected 8 (unsigned bytes)");
  const int rank = magic[3];
  if (rank < 1 || rank > 4) throw EvalError(path + ": idx rank " + std::to_string(rank) + ", expected 1 to 4");
  IdxArray a;
  int64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    unsigned char d[4];
    read_exact(f.get(), d, 4, path, "dimensions");
    const int64_t dim = (int64_t{d[0]} << 24) | (int64_t{d[1]} << 16) | (int64_t{d[2]} << 8) | d[3];
    if (dim < 1) throw EvalError(path + ": idx dimension " + std::to_string(i) + " is 0");
    count *= dim;
    if (count > kMaxValues) throw EvalError(path + ": idx dimensions claim more than 2^32 values");
    a.dims.push_back(dim);
  }
  // Grown as the values arrive, so a header that claims more than the file
  // holds fails at the end of the file instead of allocating what it claims.
  constexpr int64_t kChunk = int64_t{1} << 20;
  for (int64_t done = 0; done < count; done += kChunk) {
    const int64_t n = std::min(kChunk, count - done);
    a.data.resize(static_cast<std::size_t>(done + n));
    read_exact(f.get(), a.data.data() + done, static_cast<std::size_t>(n), path, "values");
  }
  return a;
}

}  // namespace qnnsim::numerics
