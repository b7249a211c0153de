#pragma once
// One CSV field, quoted as RFC 4180 asks when it holds a comma, a quote, a
// line break or surrounding spaces (quotes doubled); every CSV writer of the
// project goes through it, so any layer name or parameter value round-trips.
#include <string>

namespace qnnsim {

inline std::string csv_field(const std::string& s) {
  const bool plain = s.find_first_of(",\"\r\n") == std::string::npos &&
                     (s.empty() || (s.front() != ' ' && s.back() != ' '));
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace qnnsim
