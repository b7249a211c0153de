#pragma once
// A stable content hash (hex SHA-1): the same bytes give the same hash on
// every machine and build, so results can name exactly which inputs made them.
#include <string>

namespace qnnsim {

std::string sha1_hex(const std::string& bytes);
// The hash of a file's bytes; empty when it cannot be read.
std::string file_sha1(const std::string& path);

}  // namespace qnnsim
