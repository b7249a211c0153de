#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace qnnsim {

namespace fs = std::filesystem;

namespace {

// The mode a new file gets from open(2): 0666 less the process's umask.
mode_t default_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) fail("open", ENOENT);
  std::error_code ec;
  // Follow a symbolic link, so that the link stays and its target is replaced.
  target_ = fs::is_symlink(fs::symlink_status(path_, ec)) ? fs::weakly_canonical(path_, ec).string() : path_;
  if (ec) target_ = path_;
  struct stat st {};
  const bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) fail("open", EISDIR);
  if (exists && !S_ISREG(st.st_mode)) {
    fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) fail("open", errno);
    return;
  }
  const fs::path t(target_);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  std::string name = (dir / ("." + t.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> buf(name.begin(), name.end());
  buf.push_back('\0');
  fd_ = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd_ < 0) fail("create a file in the directory of", errno);
  temporary_ = buf.data();
  // An existing file keeps its permissions; a new one gets what open(2) would give it.
  if (::fchmod(fd_, exists ? (st.st_mode & 07777) : default_mode()) != 0) fail("set the permissions of", errno);
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

void OutputFile::fail(const std::string& doing, int error) {
  const int saved = error;
  discard();
  throw OutputError("cannot " + doing + " '" + path_ + "': " + std::strerror(saved));
}

void OutputFile::commit(const std::string& text) {
  write(text);
  place();
}

void OutputFile::write(const std::string& text) {
  if (fd_ < 0) throw OutputError("cannot write '" + path_ + "': already written or never opened");
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write", errno);
    if (n == 0) fail("write", EIO);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  // A device or a pipe has nothing to sync (EINVAL); a file must reach the disk
  // before it replaces the old one, or a crash could leave an empty file.
  if (::fsync(fd_) != 0 && !(temporary_.empty() && (errno == EINVAL || errno == EROFS))) fail("write", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("write", errno);
  written_ = true;
}

void OutputFile::place() {
  if (!written_) throw OutputError("cannot put '" + path_ + "' in place: nothing written");
  written_ = false;
  if (temporary_.empty()) return;
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("replace", errno);
  temporary_.clear();
  // The rename itself reaches the disk with the directory.
  const fs::path t(target_);
  const int dir = ::open(t.has_parent_path() ? t.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_output_file(const std::string& path, const std::string& text) { OutputFile(path).commit(text); }

void check_stdout() {
  errno = 0;
  const int flushed = std::fflush(stdout);
  const int error = errno;
  if (flushed != 0 || std::ferror(stdout))
    throw OutputError(std::string("cannot write to standard output: ") + std::strerror(error ? error : EIO));
}

}  // namespace qnnsim
