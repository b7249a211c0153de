#include "sweep/item_outcome.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "core/config_error.h"

namespace qnnsim {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  constexpr std::size_t kKeep = 4000;
  if (s.size() > kKeep) s = "..." + s.substr(s.size() - kKeep);
  return s;
}

}  // namespace

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

int run_body(const ChildBody& body, std::size_t item, std::string& result, int error_fd) {
  try {
    result = body(item);
    return 0;
  } catch (const ConfigError& e) {
    write_all(error_fd, e.what());
    return 2;
  } catch (const std::exception& e) {
    write_all(error_fd, e.what());
    return 1;
  }
}

ItemOutcome describe_outcome(std::size_t item, double wall_s, const ItemEnd& end, std::string result,
                             const std::string& error_text, double timeout_s) {
  ItemOutcome o;
  o.item = item;
  o.wall_s = wall_s;
  const std::string err = trimmed(error_text);
  if (end.timed_out) {
    o.error = fmt::format("timed out after {:g} s", timeout_s);
  } else if (end.signal != 0) {
    o.error = fmt::format("crashed: signal {} ({})", end.signal, strsignal(end.signal));
    if (!err.empty()) o.error += ": " + err;
  } else if (end.exit_code != 0) {
    o.error = err.empty() ? fmt::format("exited with status {}", end.exit_code) : err;
  } else if (result.empty()) {
    o.error = "the point's process returned no result";
  } else {
    o.ok = true;
    o.result = std::move(result);
  }
  return o;
}

}  // namespace qnnsim
