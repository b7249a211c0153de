#include "core/config_error.h"

namespace qnnsim {

namespace {
std::string format_error(const SourceLocation& where, const std::string& key_path,
                         const std::string& message) {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  out += ": ";
  if (!key_path.empty()) out += "key '" + key_path + "': ";
  out += message;
  return out;
}
}  // namespace

ConfigError::ConfigError(SourceLocation where, std::string key_path, std::string message)
    : std::runtime_error(format_error(where, key_path, message)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

}  // namespace qnnsim
