#pragma once
// Name -> factory registry. An implementation registers itself with
// QNNSIM_REGISTER in its own .cpp, so `class: X` in YAML selects X without any
// hand-kept if/else factory, and a new component touches only its own folder.
// The model code is built as an OBJECT library so these registrations are linked.
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace qnnsim {

template <typename Product, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Product>(Args...)>;

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  // Two implementations under one name would make `class:` ambiguous, so the
  // second is refused. Registrations run before main, where this exception
  // stops the program with its message: a build mistake, caught at once.
  bool add(const std::string& name, Factory factory) {
    if (!factories_.emplace(name, std::move(factory)).second)
      throw std::logic_error("two implementations are registered as '" + name + "'");
    return true;
  }

  bool has(const std::string& name) const { return factories_.count(name) > 0; }

  // nullptr when no implementation has that name.
  std::unique_ptr<Product> create(const std::string& name, Args... args) const {
    const auto it = factories_.find(name);
    if (it == factories_.end()) return nullptr;
    return it->second(args...);
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, factory] : factories_) out.push_back(name);
    return out;
  }

  std::string known_names() const {
    std::string out;
    for (const auto& [name, factory] : factories_) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace qnnsim

#define QNNSIM_CONCAT_INNER(a, b) a##b
#define QNNSIM_CONCAT(a, b) QNNSIM_CONCAT_INNER(a, b)
// QNNSIM_REGISTER(RegistryType, "YamlClassName", lambda returning unique_ptr<Product>)
#define QNNSIM_REGISTER(RegistryType, name, factory) \
  static const bool QNNSIM_CONCAT(qnnsim_registered_, __LINE__) = RegistryType::instance().add(name, factory)
