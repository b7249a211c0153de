#include "core/yaml_guard.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include "core/config_error.h"

namespace qnnsim {

namespace {

SourceLocation at(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

// Walks the parser's events once, before any tree is built, and measures the
// document as a tree walk would see it: each alias counts as a copy of the
// node it names. Linear in the text, whatever the aliases expand to.
class AliasBudget : public YAML::EventHandler {
 public:
  explicit AliasBudget(const std::string& file) : file_(file) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { leaf(m, a); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a, const std::string&) override { leaf(m, a); }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    if (open_.count(a))
      throw ConfigError(at(file_, m), "", "alias '*" + name_of(a) +
                                              "' refers to a node that contains it (a cycle); YAML aliases here must "
                                              "name a node defined before and outside them");
    const auto it = done_.find(a);
    // yaml-cpp itself rejects an alias to an unknown anchor before this point.
    const Measure seen = it == done_.end() ? Measure{1, 0} : it->second;
    add(m, seen.values, seen.height);
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a);
  }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapEnd() override { close(); }

 private:
  struct Measure {
    std::int64_t values = 0;  // this node and everything below it, aliases expanded
    int height = 0;           // collections nested inside it, itself included
  };
  struct Frame {
    YAML::anchor_t anchor;
    YAML::Mark mark;
    Measure m;
  };

  std::string name_of(YAML::anchor_t a) const {
    const auto it = names_.find(a);
    return it == names_.end() ? "?" : it->second;
  }

  void remember(YAML::anchor_t a) {
    if (a == YAML::NullAnchor) return;
    names_[a] = pending_name_;
    pending_name_.clear();
  }

  // A finished node of `values` values and `height` levels joins its parent.
  void add(const YAML::Mark& m, std::int64_t values, int height) {
    total_ += values;
    if (total_ > kMaxYamlValues)
      throw ConfigError(at(file_, m), "", "the document expands to more than " + std::to_string(kMaxYamlValues) +
                                              " values (aliases counted as copies); refusing it");
    if (static_cast<int>(stack_.size()) + height > kMaxYamlDepth)
      throw ConfigError(at(file_, m), "", "values nested more than " + std::to_string(kMaxYamlDepth) +
                                              " lists or mappings deep; refusing the document");
    if (!stack_.empty()) {
      stack_.back().m.values += values;
      stack_.back().m.height = std::max(stack_.back().m.height, height + 1);
    }
  }

  void leaf(const YAML::Mark& m, YAML::anchor_t a) {
    remember(a);
    add(m, 1, 0);
    if (a != YAML::NullAnchor) done_[a] = {1, 0};
  }

  void open(const YAML::Mark& m, YAML::anchor_t a) {
    remember(a);
    if (static_cast<int>(stack_.size()) >= kMaxYamlDepth)
      throw ConfigError(at(file_, m), "", "values nested more than " + std::to_string(kMaxYamlDepth) +
                                              " lists or mappings deep; refusing the document");
    if (a != YAML::NullAnchor) open_.insert(a);
    stack_.push_back({a, m, {1, 1}});
  }

  void close() {
    const Frame f = stack_.back();
    stack_.pop_back();
    if (f.anchor != YAML::NullAnchor) {
      open_.erase(f.anchor);
      done_[f.anchor] = f.m;
    }
    // The collection's own values were counted as they arrived; count only itself here.
    total_ -= f.m.values - 1;
    add(f.mark, f.m.values, f.m.height);
  }

  const std::string& file_;
  std::string pending_name_;
  std::map<YAML::anchor_t, std::string> names_;
  std::set<YAML::anchor_t> open_;
  std::map<YAML::anchor_t, Measure> done_;
  std::vector<Frame> stack_;
  std::int64_t total_ = 0;
};

// Whether a document holds anything but nulls, and where its first value is.
class DocumentContent : public YAML::EventHandler {
 public:
  bool found() const { return found_; }
  const YAML::Mark& mark() const { return mark_; }
  int start() const { return start_; }  // where the last document began, in characters

  void OnDocumentStart(const YAML::Mark& m) override { start_ = m.pos; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { see(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { see(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    see(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    see(m);
  }
  void OnMapEnd() override {}

 private:
  void see(const YAML::Mark& m) {
    if (found_) return;
    found_ = true;
    mark_ = m;
  }
  bool found_ = false;
  YAML::Mark mark_;
  int start_ = -1;
};

}  // namespace

std::string read_config_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path, 0, 0}, "", "cannot open file (does it exist and is it readable?)");
  // Read in blocks up to one byte past the limit: sizes from stat lie for
  // devices and pipes, and /dev/zero never ends.
  std::string text;
  char block[1 << 16];
  while (static_cast<std::int64_t>(text.size()) <= kMaxYamlBytes && in.read(block, sizeof block).gcount() > 0)
    text.append(block, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw ConfigError({path, 0, 0}, "", "cannot read file (is it a directory?)");
  if (static_cast<std::int64_t>(text.size()) > kMaxYamlBytes)
    throw ConfigError({path, 0, 0}, "", "file larger than " + std::to_string(kMaxYamlBytes >> 20) +
                                            " MiB; no qnnsim input is that large, refusing it");
  return text;
}

YAML::Node parse_yaml_guarded(const std::string& text, const std::string& file) {
  if (static_cast<std::int64_t>(text.size()) > kMaxYamlBytes)
    throw ConfigError({file, 0, 0}, "", "text larger than " + std::to_string(kMaxYamlBytes >> 20) +
                                            " MiB; no qnnsim input is that large, refusing it");
  try {
    {
      std::istringstream in(text);
      YAML::Parser parser(in);
      AliasBudget budget(file);
      parser.HandleNextDocument(budget);
      // YAML::Load reads the first document only: a second one would be
      // dropped without a word. Every qnnsim input is one document.
      DocumentContent rest;
      for (int last = -1; !rest.found() && parser.HandleNextDocument(rest); last = rest.start()) {
        // yaml-cpp can hand back the same empty document forever without
        // moving on (a stray ']' after the first document does it, found by
        // the fuzzer): no progress, no second document to report.
        if (rest.start() == last) break;
      }
      if (rest.found())
        throw ConfigError(at(file, rest.mark()), "",
                          "a second YAML document starts here (after '---'); a qnnsim file holds one document: "
                          "merge its keys into the first or move it to a file of its own");
    }
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at(file, e.mark), "", "YAML syntax error: " + e.msg);
  }
}

}  // namespace qnnsim
