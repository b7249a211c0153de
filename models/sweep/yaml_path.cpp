#include "sweep/yaml_path.h"

#include <cctype>

namespace qnnsim {

namespace {

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::string step_text(const PathStep& s) {
  switch (s.kind) {
    case PathStep::Kind::Key: return s.key;
    case PathStep::Kind::Index: return "[" + std::to_string(s.index) + "]";
    case PathStep::Kind::Each: return "[*]";
    case PathStep::Kind::Named: return "[" + s.key + "]";
  }
  return "";
}

std::string join(const std::vector<PathStep>& steps, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < steps.size(); ++i) {
    if (i > 0 && steps[i].kind == PathStep::Kind::Key) out += ".";
    out += step_text(steps[i]);
  }
  return out;
}

std::string key_list(const YAML::Node& map) {
  std::string out;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) continue;
    out += (out.empty() ? "" : ", ") + kv.first.Scalar();
  }
  return out.empty() ? "none" : out;
}

// The list item a [name] step selects, or an undefined node.
YAML::Node named_item(const YAML::Node& list, const std::string& name) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].IsMap() && list[i]["name"].IsDefined() && list[i]["name"].IsScalar() &&
        list[i]["name"].Scalar() == name)
      return list[i];
  return YAML::Node(YAML::NodeType::Undefined);
}

// Whether the steps from `from` on can be followed in `node` (every [*] item
// must follow them). Keys missing below a list item count as followable,
// since assign creates them; `missing` names the first step that is not.
bool follows(const YAML::Node& node, const std::vector<PathStep>& steps, std::size_t from, bool below_item,
             std::string* missing) {
  if (from == steps.size()) return true;
  const PathStep& s = steps[from];
  if (s.kind == PathStep::Kind::Key) {
    if (!node.IsMap()) {
      if (below_item && !node.IsDefined()) return true;
      *missing = "'" + join(steps, from) + "' is not a mapping, so it has no key '" + s.key + "'";
      return false;
    }
    const YAML::Node child = node[s.key];
    if (!child.IsDefined()) {
      if (below_item) return true;
      *missing = "no key '" + s.key + "'" + (from == 0 ? " at the top level" : " under '" + join(steps, from) + "'") +
                 " (keys there: " + key_list(node) + ")";
      return false;
    }
    return follows(child, steps, from + 1, below_item, missing);
  }
  if (!node.IsSequence()) {
    *missing = "'" + join(steps, from) + "' is not a list, so " + step_text(s) + " selects nothing";
    return false;
  }
  if (s.kind == PathStep::Kind::Index) {
    if (s.index >= node.size()) {
      *missing = "'" + join(steps, from) + "' has " + std::to_string(node.size()) + " items, so there is no " +
                 step_text(s);
      return false;
    }
    return follows(node[s.index], steps, from + 1, true, missing);
  }
  if (s.kind == PathStep::Kind::Named) {
    const YAML::Node item = named_item(node, s.key);
    if (!item.IsDefined()) {
      *missing = "no item named '" + s.key + "' in '" + join(steps, from) + "'";
      return false;
    }
    return follows(item, steps, from + 1, true, missing);
  }
  for (std::size_t i = 0; i < node.size(); ++i)
    if (!follows(node[i], steps, from + 1, true, missing)) return false;
  return true;
}

// Every chain of mapping keys below `node` (not through lists) from which the
// path can be followed, as key prefixes. `partial` receives why the path
// breaks off at the first place where its first key exists but the rest does
// not follow, so a misspelt last key is named where it was looked for.
void find_suffix_places(const YAML::Node& node, std::vector<PathStep>& prefix, const YamlPath& path,
                        std::vector<std::vector<PathStep>>* places, std::string* partial) {
  if (!node.IsMap()) return;
  const YAML::Node first = node[path.steps.front().key];
  if (!prefix.empty() && first.IsDefined()) {
    std::string missing;
    if (follows(node, path.steps, 0, false, &missing)) places->push_back(prefix);
    else if (partial->empty()) *partial = "below '" + join(prefix, prefix.size()) + "': " + missing;
  }
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    prefix.push_back(PathStep{PathStep::Kind::Key, kv.first.Scalar(), 0});
    find_suffix_places(kv.second, prefix, path, places, partial);
    prefix.pop_back();
  }
}

void assign_from(YAML::Node node, const std::vector<PathStep>& steps, std::size_t from, const YAML::Node& value,
                 const std::string& where, std::vector<std::string>* places) {
  if (from == steps.size()) {
    node = YAML::Clone(value);
    places->push_back(where);
    return;
  }
  const PathStep& s = steps[from];
  const std::string dot = where.empty() ? "" : ".";
  switch (s.kind) {
    case PathStep::Kind::Key: {
      if (from + 1 == steps.size() && value.IsNull()) {  // ~ removes the key
        node.remove(s.key);
        places->push_back(where + dot + s.key);
        return;
      }
      if (!node[s.key].IsDefined() && from + 1 < steps.size()) node[s.key] = YAML::Node(YAML::NodeType::Map);
      assign_from(node[s.key], steps, from + 1, value, where + dot + s.key, places);
      return;
    }
    case PathStep::Kind::Index:
      assign_from(node[s.index], steps, from + 1, value, where + "[" + std::to_string(s.index) + "]", places);
      return;
    case PathStep::Kind::Named:
      for (std::size_t i = 0; i < node.size(); ++i)
        if (node[i].IsMap() && node[i]["name"].IsDefined() && node[i]["name"].Scalar() == s.key)
          assign_from(node[i], steps, from + 1, value, where + "[" + std::to_string(i) + "]", places);
      return;
    case PathStep::Kind::Each:
      for (std::size_t i = 0; i < node.size(); ++i)
        assign_from(node[i], steps, from + 1, value, where + "[" + std::to_string(i) + "]", places);
      return;
  }
}

}  // namespace

std::optional<YamlPath> parse_yaml_path(const std::string& text, std::string* why) {
  YamlPath out{text, {}};
  std::size_t i = 0;
  auto fail = [&](const std::string& what) {
    *why = "malformed path '" + text + "': " + what + " (at character " + std::to_string(i + 1) +
           "); write keys separated by dots, with [N], [*] or [NAME] after a list, e.g. layers[*].weights.bits";
    return std::nullopt;
  };
  while (i < text.size()) {
    if (text[i] == '[') {
      if (out.steps.empty()) return fail("a path starts with a key, not a list selector");
      const std::size_t close = text.find(']', i);
      if (close == std::string::npos) return fail("'[' without ']'");
      const std::string inside = text.substr(i + 1, close - i - 1);
      if (inside.empty()) return fail("empty []");
      PathStep s;
      if (inside == "*") {
        s.kind = PathStep::Kind::Each;
      } else if (inside.find_first_not_of("0123456789") == std::string::npos) {
        s.kind = PathStep::Kind::Index;
        s.index = std::stoul(inside);
      } else {
        s.kind = PathStep::Kind::Named;
        s.key = inside;
      }
      out.steps.push_back(s);
      i = close + 1;
      continue;
    }
    if (text[i] == '.') {
      if (out.steps.empty() || i + 1 == text.size()) return fail("a dot must sit between two keys");
      ++i;
    } else if (!out.steps.empty() && out.steps.back().kind == PathStep::Kind::Key) {
      return fail("unexpected character");
    }
    const std::size_t start = i;
    while (i < text.size() && is_key_char(text[i])) ++i;
    if (i == start) return fail("expected a key");
    out.steps.push_back(PathStep{PathStep::Kind::Key, text.substr(start, i - start), 0});
  }
  if (out.steps.empty()) return fail("the path is empty");
  return out;
}

std::optional<YamlPath> anchor_yaml_path(const YAML::Node& root, const YamlPath& path, std::string* why) {
  std::string missing;
  if (root.IsMap() && root[path.steps.front().key].IsDefined()) {
    if (follows(root, path.steps, 0, false, &missing)) return path;
    *why = "path '" + path.text + "': " + missing;
    return std::nullopt;
  }
  std::vector<std::vector<PathStep>> places;
  std::vector<PathStep> prefix;
  std::string partial;
  find_suffix_places(root, prefix, path, &places, &partial);
  if (places.size() == 1) {
    YamlPath out = path;
    out.steps.insert(out.steps.begin(), places[0].begin(), places[0].end());
    out.text = join(out.steps, out.steps.size());
    return out;
  }
  if (places.empty() && !partial.empty()) {
    *why = "path '" + path.text + "': " + partial;
  } else if (places.empty()) {
    *why = "path '" + path.text + "' exists neither at the top level (keys: " + key_list(root) +
           ") nor below any key";
  } else {
    *why = "path '" + path.text + "' is ambiguous: it ends at";
    for (std::size_t i = 0; i < places.size(); ++i)
      *why += (i ? ", " : " ") + join(places[i], places[i].size()) + "." + path.text;
    *why += "; write the full path";
  }
  return std::nullopt;
}

std::vector<std::string> assign_yaml_path(YAML::Node root, const YamlPath& anchored, const YAML::Node& value,
                                          std::string* why) {
  std::string missing;
  if (!follows(root, anchored.steps, 0, false, &missing)) {
    *why = "path '" + anchored.text + "': " + missing;
    return {};
  }
  std::vector<std::string> places;
  assign_from(root, anchored.steps, 0, value, "", &places);
  if (places.empty()) *why = "path '" + anchored.text + "' selects no value (an empty list?)";
  return places;
}

}  // namespace qnnsim
