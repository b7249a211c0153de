#include "fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <systemc>

namespace qnnsim::fuzz {

std::string scratch_file(const std::string& dir, const std::string& name, const uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  // /dev/shm keeps a million writes off the disk when it exists.
  const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  const fs::path d = base / ("qnnsim_fuzz_" + std::to_string(::getpid())) / dir;
  fs::create_directories(d);
  const fs::path p = d / name;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw std::runtime_error("fuzz harness: cannot write " + p.string());
  return p.string();
}

}  // namespace qnnsim::fuzz

// The model library links SystemC, whose library calls sc_main; no harness
// elaborates a design, so this is never run.
int sc_main(int, char*[]) { return 0; }
