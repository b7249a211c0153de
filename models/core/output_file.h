#pragma once
// The one way qnnsim writes an output file (--json, --csv, --mappings-out,
// results -o, import -o): whole or not at all, and never a failure reported
// as success.
//
// The text goes to a temporary file beside the target (same directory, so
// the same file system), which is written, flushed, fsync'ed and closed, then
// renamed over the target. A full disk, a quota or a write error leaves the
// target as it was and throws an OutputError naming the file and the OS's
// reason. A target that is not a regular file (/dev/stdout, /dev/full, a
// pipe) cannot be replaced by a rename; it is written in place, every write
// checked.
#include <stdexcept>
#include <string>

namespace qnnsim {

class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  // Creates the temporary file now, so that a path that cannot be written
  // fails before a long run rather than after it.
  explicit OutputFile(std::string path);
  ~OutputFile();  // removes the temporary of a file never committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes `text` as the file's whole content and puts it in place.
  void commit(const std::string& text);
  // The two halves of commit, for a command that writes several files and
  // must replace none unless all were written: write each (to its temporary
  // file, synced), then place each (a rename).
  void write(const std::string& text);
  void place();
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& doing, int error);
  void discard();

  std::string path_;       // as the user gave it, for messages
  std::string target_;     // where the content ends up (a symbolic link followed)
  std::string temporary_;  // empty when writing in place
  int fd_ = -1;
  bool written_ = false;  // written, not yet placed
};

// Opens and commits in one step.
void write_output_file(const std::string& path, const std::string& text);

// Flushes standard output; throws an OutputError if anything written to it
// since the start was lost (a closed pipe, /dev/full, a full disk).
void check_stdout();

}  // namespace qnnsim
