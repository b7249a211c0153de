#include "core/content_hash.h"

#include <fstream>
#include <sstream>

#include <boost/uuid/detail/sha1.hpp>
#include <fmt/format.h>

namespace qnnsim {

std::string sha1_hex(const std::string& bytes) {
  boost::uuids::detail::sha1 h;
  h.process_bytes(bytes.data(), bytes.size());
  boost::uuids::detail::sha1::digest_type d;
  h.get_digest(d);
  std::string out;
  for (unsigned int word : d) out += fmt::format("{:08x}", word);
  return out;
}

std::string file_sha1(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return sha1_hex(bytes.str());
}

}  // namespace qnnsim
