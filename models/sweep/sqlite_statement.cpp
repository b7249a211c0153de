#include "sweep/sqlite_statement.h"

#include <cstring>

namespace qnnsim {

// SQLite's message, the OS's reason behind it (a full disk, a file-size
// limit) and the file it is about.
std::string db_error(sqlite3* db, const char* message) {
  std::string out = std::string("results database '") + sqlite3_db_filename(db, "main") + "': " +
                    (message ? message : sqlite3_errmsg(db));
  if (const int os = sqlite3_system_errno(db); os != 0) out += std::string(" (") + std::strerror(os) + ")";
  return out;
}

}  // namespace qnnsim
