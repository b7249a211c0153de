#pragma once
// A read-only view of one YAML mapping (or value) that knows which file it came
// from and its key path. Every accessor validates type and range and throws a
// ConfigError naming file, line, column and key. Keys that were never asked for
// are reported by reject_unknown_keys(), so a typo never becomes a silent default.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/config_error.h"
#include "core/quantity.h"

namespace qnnsim {

class ConfigNode {
 public:
  // Parses a YAML file; a missing file or a syntax error is a ConfigError.
  static ConfigNode load_file(const std::string& path);
  // For tests: parse YAML text as if it came from `pretend_file`.
  static ConfigNode load_string(const std::string& text, const std::string& pretend_file);
  // Wraps a tree parsed (and perhaps edited) elsewhere, e.g. a sweep point's
  // copy of an arch file; values edited in place have no line of their own.
  static ConfigNode from_tree(const YAML::Node& root, const std::string& file);

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  SourceLocation location() const;
  SourceLocation location_of(const std::string& key) const;  // the key's value, or this node
  std::string key_path(const std::string& key) const;

  const YAML::Node& yaml() const { return node_; }  // the raw value, for callers that copy it elsewhere
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool has(const std::string& key) const;

  ConfigNode child(const std::string& key) const;  // required mapping or value
  std::optional<ConfigNode> optional_child(const std::string& key) const;
  std::vector<ConfigNode> items() const;  // this node must be a sequence
  std::vector<std::string> keys() const;  // this node must be a mapping (marks all as used)

  // Scalars at `key`. The versions with a default leave the default when the key is absent.
  std::string text(const std::string& key) const;
  std::string text(const std::string& key, const std::string& fallback) const;
  int64_t integer(const std::string& key, int64_t min_value) const;
  int64_t integer(const std::string& key, int64_t min_value, int64_t fallback) const;
  // Integers bounded above too, where a larger value could only be a mistake.
  int64_t integer_in(const std::string& key, int64_t min_value, int64_t max_value) const;
  int64_t integer_in(const std::string& key, int64_t min_value, int64_t max_value, int64_t fallback) const;
  double number(const std::string& key) const;
  double positive_quantity(const std::string& key, Dimension d) const;
  std::optional<double> optional_quantity(const std::string& key, Dimension d) const;
  // A quantity within [min, max] (in SI units), e.g. a clock between 1 kHz and 1 THz.
  double quantity_in(const std::string& key, Dimension d, double min_value, double max_value) const;
  // A size that must be a whole number of bits, from 1 to max_bits.
  int64_t whole_bits(const std::string& key, int64_t max_bits) const;
  std::vector<std::string> text_list(const std::string& key) const;
  bool flag(const std::string& key, bool fallback) const;  // true or false

  // This node's own scalar value (for sequence items).
  std::string as_text() const;
  int64_t as_integer(int64_t min_value) const;

  // Throws for the first key of this mapping that no accessor has read.
  void reject_unknown_keys() const;
  // Throws if this node is not a mapping, naming what it should have been.
  void expect_map(const std::string& what) const;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  [[noreturn]] void fail_here(const std::string& message) const;

 private:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);
  YAML::Node value_node(const std::string& key) const;  // throws if missing
  void mark_used(const std::string& key) const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  std::shared_ptr<std::set<std::string>> used_;
};

}  // namespace qnnsim
