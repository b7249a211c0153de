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

void add_missing_columns(sqlite3* db, const std::string& table, std::initializer_list<const char*> columns) {
  for (const char* column : columns) {
    const std::string name = std::string(column).substr(0, std::string(column).find(' '));
    Statement has(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    has.text(1, table).text(2, name);
    if (!has.step()) Statement(db, "ALTER TABLE " + table + " ADD COLUMN " + column).run();
  }
}

}  // namespace qnnsim
