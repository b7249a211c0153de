#pragma once
// Every problem with user input ends as a ConfigError: it names the file, the
// line and column, the key path and what was expected, and the CLI turns it into
// exit code 2. Nothing in the model calls exit() on bad input, so it stays testable.
#include <stdexcept>
#include <string>

namespace qnnsim {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourceLocation where, std::string key_path, std::string message);

  const SourceLocation& where() const { return where_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string key_path_;
  std::string message_;
};

}  // namespace qnnsim
