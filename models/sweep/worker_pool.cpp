#include "sweep/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include "sweep/child_process.h"

namespace qnnsim {

namespace {

using Clock = std::chrono::steady_clock;

// A worker's reply for one item: item, exit code, result length, error
// length (each 8 bytes, this machine's byte order: both ends are this
// binary), then the result and the error text.
constexpr std::size_t kHeader = 4 * sizeof(uint64_t);

bool read_exactly(int fd, void* out, std::size_t n) {
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    const ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

// What the item wrote to the worker's standard error: a file the pool also
// holds, so that it can still read it when the worker dies in the item.
std::string error_text(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size <= 0) return "";
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  const ssize_t n = pread(fd, out.data(), out.size(), 0);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

[[noreturn]] void worker_main(const BeforeItem& before, const ChildBody& body, int items_fd, int replies_fd,
                              int error_fd) {
  start_child_process(error_fd);  // as a process per item
  uint64_t item = 0;
  while (read_exactly(items_fd, &item, sizeof item)) {
    // Each item's error text starts empty, as a fresh process's pipe would.
    if (ftruncate(STDERR_FILENO, 0) != 0 || lseek(STDERR_FILENO, 0, SEEK_SET) != 0) _exit(1);
    before();
    std::string result;
    const int code = run_body(body, static_cast<std::size_t>(item), result, STDERR_FILENO);
    std::cerr.flush();
    if (code != 0) result.clear();  // a failed process returned nothing
    const std::string error = error_text(STDERR_FILENO);
    const uint64_t header[4] = {item, static_cast<uint64_t>(code), result.size(), error.size()};
    std::string reply(reinterpret_cast<const char*>(header), kHeader);
    if (!write_all(replies_fd, reply + result + error)) _exit(1);
  }
  _exit(0);  // the pool closed the item pipe: no more work
}

struct Worker {
  pid_t pid = -1;
  int items = -1, replies = -1, error_file = -1;
  std::string inbox;  // reply bytes read so far
  bool busy = false, timed_out = false;
  std::size_t item = 0;
  Clock::time_point start;
};

void close_worker(Worker& w) {
  for (int* fd : {&w.items, &w.replies, &w.error_file})
    if (*fd >= 0) close(*fd), *fd = -1;
}

// `others`: the workers already running. A new worker closes its copies of
// their pipes, or an idle worker would never see its item pipe close.
Worker spawn(const BeforeItem& before, const ChildBody& body, std::vector<Worker> others) {
  int to_worker[2], from_worker[2];
  if (pipe2(to_worker, O_CLOEXEC) != 0 || pipe2(from_worker, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  const int error_file = memfd_create("qnnsim-point-stderr", MFD_CLOEXEC);
  if (error_file < 0) throw std::runtime_error(std::string("cannot create a file: ") + std::strerror(errno));
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid == 0) {
    for (Worker& w : others) close_worker(w);
    close(to_worker[1]);
    close(from_worker[0]);
    worker_main(before, body, to_worker[0], from_worker[1], error_file);
  }
  close(to_worker[0]);
  close(from_worker[1]);
  Worker w;
  w.pid = pid;
  w.items = to_worker[1];
  w.replies = from_worker[0];
  w.error_file = error_file;
  return w;
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The replies complete in the worker's inbox, as outcomes, added to `done`.
void take_replies(Worker& w, double timeout_s, std::vector<ItemOutcome>& done) {
  while (w.inbox.size() >= kHeader) {
    uint64_t h[4];
    std::memcpy(h, w.inbox.data(), kHeader);
    if (w.inbox.size() < kHeader + h[2] + h[3]) return;
    ItemEnd end;
    end.exit_code = static_cast<int>(h[1]);
    std::string result = w.inbox.substr(kHeader, h[2]);
    const std::string error = w.inbox.substr(kHeader + h[2], h[3]);
    w.inbox.erase(0, kHeader + h[2] + h[3]);
    w.busy = false;
    done.push_back(describe_outcome(static_cast<std::size_t>(h[0]), seconds_since(w.start), end, std::move(result),
                                    error, timeout_s));
  }
}

// The worker ended (crashed, killed, or exited): its item, if any, fails with why.
void worker_ended(Worker& w, double timeout_s, const std::function<void(const ItemOutcome&)>& on_done) {
  kill(-w.pid, SIGKILL);  // anything it started dies with it
  const int status = reap(w.pid);
  if (w.busy) {
    ItemEnd end;
    end.timed_out = w.timed_out;
    if (WIFSIGNALED(status)) end.signal = WTERMSIG(status);
    else end.exit_code = WEXITSTATUS(status);
    on_done(describe_outcome(w.item, seconds_since(w.start), end, "", error_text(w.error_file), timeout_s));
  }
  close_worker(w);
}

}  // namespace

bool run_in_workers(const std::vector<std::size_t>& items, const PoolOptions& options, const BeforeItem& before,
                    const ChildBody& body, const std::function<void(const ItemOutcome&)>& on_done,
                    const std::function<void()>& on_tick) {
  StopSignals signals;
  // A worker whose pool is gone would die writing to its pipe; the pool
  // itself must see the failed write instead of dying of SIGPIPE.
  struct sigaction ignore {}, old_pipe {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);
  const int pool_size = std::max(1, std::min<int>(options.jobs, static_cast<int>(items.size())));
  std::vector<Worker> workers;
  std::size_t next = 0, finished = 0;
  auto last_tick = Clock::now();
  // Hands every idle worker its next item, starting workers as needed.
  const auto hand_out = [&] {
    for (int k = 0; k < pool_size && next < items.size(); ++k) {
      if (static_cast<int>(workers.size()) <= k) workers.push_back(spawn(before, body, workers));
      Worker& w = workers[static_cast<std::size_t>(k)];
      if (w.pid < 0) w = spawn(before, body, workers);
      if (w.busy) continue;
      const uint64_t item = items[next];
      w.busy = true;
      w.timed_out = false;
      w.item = items[next++];
      w.start = Clock::now();
      if (!write_all(w.items, std::string(reinterpret_cast<const char*>(&item), sizeof item))) {
        // It died idle: its end is read below and the item fails with the reason.
      }
    }
  };
  while (finished < items.size() && !stop_requested()) {
    hand_out();

    std::vector<pollfd> fds;
    for (const Worker& w : workers)
      if (w.replies >= 0) fds.push_back({w.replies, POLLIN, 0});
    poll(fds.data(), fds.size(), 100);  // EINTR (a signal) just ends the wait early

    // Outcomes are passed on only once the workers that sent them have their
    // next items: recording a point (parsing its report, writing the database)
    // would otherwise keep its worker idle.
    std::vector<ItemOutcome> done;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      Worker& w = *std::find_if(workers.begin(), workers.end(), [&](const Worker& x) { return x.replies == fds[k].fd; });
      if (fds[k].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = read(w.replies, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        w.inbox.append(buffer, static_cast<std::size_t>(n));
        const bool was_busy = w.busy;
        take_replies(w, options.timeout_s, done);
        finished += was_busy && !w.busy;
        continue;
      }
      // End of file: the worker is gone.
      finished += w.busy;
      worker_ended(w, options.timeout_s, [&](const ItemOutcome& o) { done.push_back(o); });
      w.pid = -1;
      w.busy = false;
    }
    if (!stop_requested()) {
      try {
        hand_out();
      } catch (...) {
        // A worker that could not be started must not lose the outcomes read.
        for (const ItemOutcome& o : done) on_done(o);
        throw;
      }
    }
    for (const ItemOutcome& o : done) on_done(o);
    for (Worker& w : workers)
      if (w.busy && !w.timed_out && seconds_since(w.start) > options.timeout_s) {
        kill(-w.pid, SIGKILL);  // its end of file then fails the item as timed out
        kill(w.pid, SIGKILL);
        w.timed_out = true;
      }
    if (Clock::now() - last_tick > std::chrono::milliseconds(100)) {
      on_tick();
      last_tick = Clock::now();
    }
  }
  // Done or stopped: idle workers see their item pipe close and exit; busy
  // ones are killed, their items left for a later run.
  for (Worker& w : workers) {
    if (w.pid < 0) continue;
    if (w.busy) kill(-w.pid, SIGKILL), kill(w.pid, SIGKILL);
    close_worker(w);
    reap(w.pid);
  }
  sigaction(SIGPIPE, &old_pipe, nullptr);
  on_tick();
  return finished == items.size();
}

}  // namespace qnnsim
