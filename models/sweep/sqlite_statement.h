#pragma once
// The SQLite plumbing the results file's tables share: a prepared statement
// that finalizes itself and throws with the file's name on an error.
#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace qnnsim {

// SQLite's message, the OS's reason behind it (a full disk, a file-size
// limit) and the file it is about.
std::string db_error(sqlite3* db, const char* message = nullptr);

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) throw std::runtime_error(db_error(db));
  }
  ~Statement() { sqlite3_finalize(s_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& text(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), -1, SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Statement& real(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Statement& null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw std::runtime_error(db_error(db_));
    return false;
  }
  void run() {
    step();
    reset();
  }
  // Ready to bind and run again, also after a step that failed.
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string column_text(int i) const {
    const auto* t = sqlite3_column_text(s_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t column_int(int i) const { return sqlite3_column_int64(s_, i); }
  double column_real(int i) const { return sqlite3_column_double(s_, i); }
  bool column_null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

// Adds each column ("name TYPE") that `table` lacks: a file written before
// the column existed gains it, NULL in the old rows.
void add_missing_columns(sqlite3* db, const std::string& table, std::initializer_list<const char*> columns);

}  // namespace qnnsim
