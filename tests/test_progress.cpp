// Progress of a long run: shown on a terminal, never in a pipe or under --quiet.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "support.h"

using namespace qnnsim::test;

namespace {
// Runs qnnsim under script(1), which gives it a terminal; returns what the terminal showed.
std::string on_a_terminal(const std::string& args, const std::filesystem::path& dir) {
  const std::filesystem::path out = dir / "tty.txt";
  const std::string cmd = "script -qec '" + std::string(QNNSIM_BINARY) + " " + args + "' /dev/null >" + out.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  return read_file(out.string());
}
}  // namespace

TEST_CASE("run shows layers done and time left on a terminal only, and erases the line", "[cli]") {
  const auto dir = scratch_dir("progress");
  const std::string shown = on_a_terminal("run systolic_ws lenet5", dir);
  CHECK_THAT(shown, Catch::Contains("mapping 1/7 layers") && Catch::Contains("simulating 1/7 layers") &&
                        Catch::Contains("s left"));
  // The line is erased before the table, which starts a line of its own.
  CHECK_THAT(shown, Catch::Contains("\r\033[Kqnnsim: lenet5 on systolic_ws"));
  CHECK_THAT(on_a_terminal("run systolic_ws lenet5 --quiet", dir), !Catch::Contains("layers,"));
  REQUIRE(qnnsim_cli("run systolic_ws lenet5", dir / "out", dir / "err") == 0);
  CHECK(read_file((dir / "err").string()).empty());
  CHECK_THAT(read_file((dir / "out").string()), !Catch::Contains("mapping"));
  std::filesystem::remove_all(dir);
}
