#pragma once
// The one way qnnsim reads YAML. Every loader (arch, workload, sweep spec,
// mapping, energy table) comes through here, so a hostile file is refused
// with a ConfigError naming the file and line instead of crashing or hanging
// whatever walks the tree afterwards:
//  - a file larger than kMaxYamlBytes is refused before it is parsed;
//  - an alias inside the node it refers to (`a: &x [*x]`) is a cycle, refused
//    at the alias;
//  - aliases are expanded in the count: a document whose values, with every
//    alias expanded, number more than kMaxYamlValues is refused ("billion
//    laughs"), and so is one nested deeper than kMaxYamlDepth.
// What passes is a finite tree (a DAG where aliases share nodes) that any
// recursive walk visits in at most kMaxYamlValues steps.
#include <cstdint>
#include <string>

#include <yaml-cpp/yaml.h>

namespace qnnsim {

// The largest shipped file (a ResNet-50 trace) is about 20 KB; a trace
// imported from a large model is a few hundred KB. 16 MiB is far above any
// real input and far below what would exhaust memory.
constexpr std::int64_t kMaxYamlBytes = 16 << 20;
// Values (scalars, lists, mappings, keys) with every alias expanded.
constexpr std::int64_t kMaxYamlValues = 2'000'000;
// Lists and mappings nested in one another. Real files nest under 10 deep.
constexpr int kMaxYamlDepth = 64;

// Reads a configuration file whole; a missing, unreadable or oversized file
// (a device such as /dev/zero included) is a ConfigError naming it.
std::string read_config_text(const std::string& path);

// Parses the first document of `text` after the checks above; a syntax error
// or a refused document is a ConfigError naming `file` and the line.
YAML::Node parse_yaml_guarded(const std::string& text, const std::string& file);

}  // namespace qnnsim
