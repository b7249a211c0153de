#include "core/config_node.h"

#include <cmath>
#include <sstream>

#include "core/yaml_guard.h"

namespace qnnsim {

namespace {

SourceLocation mark_location(const std::string& file, const YAML::Mark& mark) {
  // A value written in after parsing (a sweep point's) carries yaml-cpp's
  // default mark, position 0; no parsed value can sit there, so it has no line.
  if (mark.is_null() || (mark.pos == 0 && mark.line == 0 && mark.column == 0)) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing (null)";
    default: return "an undefined value";
  }
}

// A mapping key must be plain text; anything else is an error at the key.
std::string key_text(const std::string& file, const YAML::Node& key) {
  if (!key.IsScalar())
    throw ConfigError(mark_location(file, key.Mark()), "", "a mapping key must be plain text, found " + std::string(kind_name(key)));
  return key.Scalar();
}

// yaml-cpp keeps the first of two equal keys; a repeated key is an error instead.
void reject_duplicate_keys(const std::string& file, const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const std::string k = key_text(file, kv.first);
      const std::string child = path.empty() ? k : path + "." + k;
      if (!seen.insert(k).second)
        throw ConfigError(mark_location(file, kv.first.Mark()), child, "key given twice in the same mapping");
      reject_duplicate_keys(file, kv.second, child);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      reject_duplicate_keys(file, node[i], path + "[" + std::to_string(i) + "]");
  }
}

}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      used_(std::make_shared<std::set<std::string>>()) {}

ConfigNode ConfigNode::load_file(const std::string& path) { return load_string(read_config_text(path), path); }

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& pretend_file) {
  // The guard refuses cycles and alias bombs, so the recursive walks below end.
  return from_tree(parse_yaml_guarded(text, pretend_file), pretend_file);
}

ConfigNode ConfigNode::from_tree(const YAML::Node& root, const std::string& file) {
  ConfigNode out(root, std::make_shared<const std::string>(file), "");
  if (!root.IsMap()) out.fail_here("the file must be a YAML mapping of keys at top level");
  reject_duplicate_keys(file, root, "");
  return out;
}

SourceLocation ConfigNode::location() const { return mark_location(*file_, node_.Mark()); }

SourceLocation ConfigNode::location_of(const std::string& key) const {
  if (node_.IsMap()) {
    const YAML::Node v = node_[key];
    if (v.IsDefined()) {
      const auto loc = mark_location(*file_, v.Mark());
      if (loc.line > 0) return loc;
    }
  }
  return location();
}

std::string ConfigNode::key_path(const std::string& key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return key;
  return path_ + "." + key;
}

bool ConfigNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

void ConfigNode::mark_used(const std::string& key) const { used_->insert(key); }

void ConfigNode::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(location_of(key), key_path(key), message);
}

void ConfigNode::fail_here(const std::string& message) const {
  throw ConfigError(location(), path_, message);
}

void ConfigNode::expect_map(const std::string& what) const {
  if (!node_.IsMap()) fail_here(std::string("expected ") + what + " (a mapping of keys), found " + kind_name(node_));
}

YAML::Node ConfigNode::value_node(const std::string& key) const {
  if (!node_.IsMap()) fail_here(std::string("expected a mapping with key '") + key + "', found " + kind_name(node_));
  mark_used(key);
  YAML::Node v = node_[key];
  if (!v.IsDefined() || v.IsNull()) fail(key, "required key is missing");
  return v;
}

ConfigNode ConfigNode::child(const std::string& key) const {
  return ConfigNode(value_node(key), file_, key_path(key));
}

std::optional<ConfigNode> ConfigNode::optional_child(const std::string& key) const {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return child(key);
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail_here(std::string("expected a list, found ") + kind_name(node_));
  std::vector<ConfigNode> out;
  out.reserve(node_.size());
  for (std::size_t i = 0; i < node_.size(); ++i)
    out.push_back(ConfigNode(node_[i], file_, path_ + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<std::string> ConfigNode::keys() const {
  expect_map("a mapping");
  std::vector<std::string> out;
  for (const auto& kv : node_) {
    out.push_back(key_text(*file_, kv.first));
    mark_used(out.back());
  }
  return out;
}

std::string ConfigNode::text(const std::string& key) const {
  const YAML::Node v = value_node(key);
  if (!v.IsScalar()) fail(key, std::string("expected a text value, found ") + kind_name(v));
  return v.Scalar();
}

std::string ConfigNode::text(const std::string& key, const std::string& fallback) const {
  mark_used(key);
  return has(key) ? text(key) : fallback;
}

int64_t ConfigNode::integer(const std::string& key, int64_t min_value) const {
  return child(key).as_integer(min_value);
}

int64_t ConfigNode::integer(const std::string& key, int64_t min_value, int64_t fallback) const {
  mark_used(key);
  return has(key) ? integer(key, min_value) : fallback;
}

int64_t ConfigNode::integer_in(const std::string& key, int64_t min_value, int64_t max_value) const {
  const int64_t v = integer(key, min_value);
  if (v > max_value)
    fail(key, "expected an integer from " + std::to_string(min_value) + " to " + std::to_string(max_value) +
                  ", found " + std::to_string(v));
  return v;
}

int64_t ConfigNode::integer_in(const std::string& key, int64_t min_value, int64_t max_value, int64_t fallback) const {
  mark_used(key);
  return has(key) ? integer_in(key, min_value, max_value) : fallback;
}

int64_t ConfigNode::as_integer(int64_t min_value) const {
  if (!node_.IsScalar()) fail_here(std::string("expected an integer, found ") + kind_name(node_));
  // yaml-cpp tags a quoted scalar "!": quoted text is text, not a number.
  if (node_.Tag() == "!") fail_here("expected an integer, found the quoted text '" + node_.Scalar() + "'");
  const std::string& s = node_.Scalar();
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size()) fail_here("expected an integer, found '" + s + "'");
  if (v < min_value)
    fail_here("expected an integer >= " + std::to_string(min_value) + ", found " + std::to_string(v));
  return v;
}

std::string ConfigNode::as_text() const {
  if (!node_.IsScalar()) fail_here(std::string("expected a text value, found ") + kind_name(node_));
  return node_.Scalar();
}

double ConfigNode::number(const std::string& key) const {
  const YAML::Node v = value_node(key);
  if (v.IsScalar() && v.Tag() == "!") fail(key, "expected a number, found the quoted text '" + v.Scalar() + "'");
  const std::string s = v.IsScalar() ? v.Scalar() : "";
  const auto d = parse_number(s);
  if (!d) fail(key, "expected a finite number, found '" + s + "'");
  return *d;
}

double ConfigNode::positive_quantity(const std::string& key, Dimension d) const {
  const YAML::Node v = value_node(key);
  if (!v.IsScalar())
    fail(key, std::string("expected ") + dimension_name(d) + " with a unit, e.g. " + dimension_example(d));
  std::string why;
  const auto q = parse_quantity(v.Scalar(), d, why);
  if (!q)
    fail(key, std::string("expected ") + dimension_name(d) + " with a unit, e.g. " + dimension_example(d) +
                  ": " + why);
  if (!(*q > 0)) fail(key, std::string("expected ") + dimension_name(d) + " greater than zero, found '" + v.Scalar() + "'");
  return *q;
}

std::optional<double> ConfigNode::optional_quantity(const std::string& key, Dimension d) const {
  mark_used(key);
  if (!has(key)) return std::nullopt;
  return positive_quantity(key, d);
}

double ConfigNode::quantity_in(const std::string& key, Dimension d, double min_value, double max_value) const {
  const double q = positive_quantity(key, d);
  if (q < min_value || q > max_value) {
    std::ostringstream msg;
    msg << "expected " << dimension_name(d) << " from " << min_value << " to " << max_value
        << " (SI units), found '" << node_[key].Scalar() << "'";
    fail(key, msg.str());
  }
  return q;
}

int64_t ConfigNode::whole_bits(const std::string& key, int64_t max_bits) const {
  const double q = positive_quantity(key, Dimension::Bits);
  if (q != std::floor(q) || q < 1 || q > static_cast<double>(max_bits))
    fail(key, "expected a whole number of bits from 1 to " + std::to_string(max_bits) + ", found '" + node_[key].Scalar() + "'");
  return static_cast<int64_t>(q);
}

bool ConfigNode::flag(const std::string& key, bool fallback) const {
  mark_used(key);
  if (!has(key)) return fallback;
  const std::string v = text(key);
  if (v == "true") return true;
  if (v == "false") return false;
  fail(key, "expected true or false, found '" + v + "'");
}

std::vector<std::string> ConfigNode::text_list(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& item : child(key).items()) out.push_back(item.as_text());
  return out;
}

void ConfigNode::reject_unknown_keys() const {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string k = key_text(*file_, kv.first);
    if (used_->count(k) == 0) {
      throw ConfigError(mark_location(*file_, kv.first.Mark()), key_path(k),
                        "unknown key (not a parameter here; check its spelling)");
    }
  }
}

}  // namespace qnnsim
