#pragma once
// What the libFuzzer harnesses share. Each harness feeds one loader with
// bytes the fuzzer mutates; the loader may refuse them with its own error
// (ConfigError, ImportError), and anything else (a crash, a sanitizer report,
// another exception, a hang past -timeout) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

namespace qnnsim::fuzz {

// Writes `data` to a file of this process's own under the temporary
// directory (loaders that take a path read it from there) and returns the
// path. `dir` names a subdirectory, so that relative references can resolve.
std::string scratch_file(const std::string& dir, const std::string& name, const uint8_t* data, std::size_t size);

}  // namespace qnnsim::fuzz
