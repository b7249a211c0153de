#include "sweep/forked_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "sweep/child_process.h"


namespace qnnsim {

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

[[noreturn]] void child_main(const ChildBody& body, std::size_t item, int result_fd, int error_fd) {
  start_child_process(error_fd);
  std::string result;
  const int code = run_body(body, item, result, STDERR_FILENO);
  if (code == 0) write_all(result_fd, result);
  _exit(code);  // no destructors, no flushing of the parent's buffers
}

struct Child {
  std::size_t item = 0;
  pid_t pid = -1;
  int fd[2] = {-1, -1};  // result, error
  std::string text[2];
  Clock::time_point start;
  bool timed_out = false;
};

Child spawn(const ChildBody& body, std::size_t item) {
  int result_pipe[2], error_pipe[2];
  if (pipe(result_pipe) != 0 || pipe(error_pipe) != 0)
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid == 0) {
    close(result_pipe[0]);
    close(error_pipe[0]);
    child_main(body, item, result_pipe[1], error_pipe[1]);
  }
  close(result_pipe[1]);
  close(error_pipe[1]);
  Child c;
  c.item = item;
  c.pid = pid;
  c.fd[0] = result_pipe[0];
  c.fd[1] = error_pipe[0];
  c.start = Clock::now();
  return c;
}

ItemOutcome outcome_of(Child& c, int status, double timeout_s) {
  ItemEnd end;
  end.timed_out = c.timed_out;
  if (WIFSIGNALED(status)) end.signal = WTERMSIG(status);
  else end.exit_code = WEXITSTATUS(status);
  const double wall_s = std::chrono::duration<double>(Clock::now() - c.start).count();
  return describe_outcome(c.item, wall_s, end, std::move(c.text[0]), c.text[1], timeout_s);
}

void kill_child(const Child& c) {
  kill(-c.pid, SIGKILL);
  kill(c.pid, SIGKILL);
}

}  // namespace

StopSignals::StopSignals() : old_(new struct sigaction[2]) {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_[0]);
  sigaction(SIGTERM, &sa, &old_[1]);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &old_[0], nullptr);
  sigaction(SIGTERM, &old_[1], nullptr);
  delete[] old_;
}

bool stop_requested() { return g_stop != 0; }

bool run_in_children(const std::vector<std::size_t>& items, const PoolOptions& options, const ChildBody& body,
                     const std::function<void(const ItemOutcome&)>& on_done, const std::function<void()>& on_tick) {
  StopSignals signals;
  std::vector<Child> running;
  std::size_t next = 0;
  auto last_tick = Clock::now();
  while ((next < items.size() || !running.empty()) && !g_stop) {
    while (static_cast<int>(running.size()) < options.jobs && next < items.size())
      running.push_back(spawn(body, items[next++]));

    std::vector<pollfd> fds;
    for (const Child& c : running)
      for (int fd : c.fd)
        if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 100);  // EINTR (a signal) just ends the wait early
    std::set<int> ready;  // data, end of file or an error: a read will not block
    for (const pollfd& f : fds)
      if (f.revents != 0) ready.insert(f.fd);

    for (std::size_t i = 0; i < running.size();) {
      Child& c = running[i];
      for (int k = 0; k < 2; ++k) {
        if (c.fd[k] < 0 || !ready.count(c.fd[k])) continue;
        char buffer[65536];
        const ssize_t n = read(c.fd[k], buffer, sizeof buffer);
        if (n > 0) {
          c.text[k].append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          close(c.fd[k]);
          c.fd[k] = -1;
        }
      }
      if (!c.timed_out && std::chrono::duration<double>(Clock::now() - c.start).count() > options.timeout_s) {
        kill_child(c);
        c.timed_out = true;
      }
      if (c.fd[0] < 0 && c.fd[1] < 0) {
        int status = 0;
        while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        const ItemOutcome o = outcome_of(c, status, options.timeout_s);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        on_done(o);
        continue;
      }
      ++i;
    }
    if (Clock::now() - last_tick > std::chrono::milliseconds(100)) {
      on_tick();
      last_tick = Clock::now();
    }
  }
  for (Child& c : running) {
    kill_child(c);
    for (int fd : c.fd)
      if (fd >= 0) close(fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  on_tick();
  return next == items.size() && running.empty();
}

}  // namespace qnnsim
