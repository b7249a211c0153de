#include "sweep/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace qnnsim {

namespace {

std::string clock_text(double s) {
  if (!(s >= 0) || s > 1e7) return "--:--";
  const auto t = static_cast<int64_t>(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60) : fmt::format("{}:{:02}", t / 60, t % 60);
}

}  // namespace

Progress::Progress(int64_t total, bool enabled)
    : total_(total), enabled_(enabled), tty_(isatty(STDOUT_FILENO) != 0), start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void Progress::set(int64_t done, int64_t failed) {
  done_ = done;
  failed_ = failed;
  print(false);
}

void Progress::finish() {
  print(true);
  if (enabled_ && tty_) std::fputs("\n", stdout);
  std::fflush(stdout);
}

void Progress::print(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (!force && since_print < (tty_ ? 0.2 : 5.0)) return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1.0;
  const std::string figures = fmt::format("{}/{} done, {} failed, {:.1f} points/s, elapsed {}, ETA {}", done_, total_,
                                          failed_, rate, clock_text(elapsed), clock_text(eta));
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    std::fputs(fmt::format("\r[{}{}] {}  ", std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(kWidth - filled), '.'), figures)
                   .c_str(),
               stdout);
  } else {
    std::fputs(("progress: " + figures + "\n").c_str(), stdout);
  }
  std::fflush(stdout);
}

}  // namespace qnnsim
