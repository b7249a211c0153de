// Bad Mesh2D keys stop `qnnsim validate` with exit code 2 and an error naming
// the file, the line of the offending key, the key and what was expected.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "support.h"

namespace qnnsim {
namespace {

// 1-based line of `text` holding the last line of `needle`.
int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle.substr(needle.rfind('\n') + 1));
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Validates arch/eyeriss_v1_mesh.yaml with `from` replaced by `to`.
void expect_error(const std::string& name, const std::string& from, const std::string& to, const std::string& key,
                  const std::string& expected) {
  INFO(name);
  const auto dir = test::scratch_dir("mesh_errors_" + name);
  const std::string original = test::read_file(test::shipped("arch/eyeriss_v1_mesh.yaml"));
  REQUIRE(original.find(from) != std::string::npos);
  const std::string arch = test::replace_all(original, from, to);
  const std::string path = (dir / "arch.yaml").string();
  std::ofstream(path) << arch;
  CHECK(test::qnnsim_cli("validate " + path + " " + test::shipped("workloads/lenet5.yaml"), dir / "out.txt",
                         dir / "err.txt") == 2);
  const std::string err = test::read_file((dir / "err.txt").string());
  INFO(err);
  CHECK(err.find("arch.yaml:" + std::to_string(line_of(arch, to)) + ":") != std::string::npos);
  CHECK(err.find(key) != std::string::npos);
  CHECK(err.find(expected) != std::string::npos);
}

TEST_CASE("bad mesh keys exit 2 at their file, line and key", "[mesh]") {
  expect_error("routing", "routing: xy", "routing: west_first", "routing", "expected 'xy'");
  expect_error("injection", "injection: edge_middle", "injection: centre", "injection", "'corner' or 'edge_middle'");
  expect_error("buffer_at", "injection: edge_middle", "injection: edge_middle\n    buffer_at: every_pe", "buffer_at",
               "expected 'injection' or 'every_router', found 'every_pe'");
  // 12 rows of PEs cannot be split into routers of 5 rows.
  expect_error("concentration", "concentration: {rows: 1, cols: 1}", "concentration: {rows: 5, cols: 1}",
               "concentration.rows", "must divide the array's 12 rows");
  expect_error("concentration_cols", "concentration: {rows: 1, cols: 1}", "concentration: {rows: 2, cols: 4}",
               "concentration.cols", "must divide the array's 14 cols");
  expect_error("zero_width", "link_width: 64 bit", "link_width: 0 bit", "link_width", "");
  expect_error("negative_width", "link_width: 64 bit", "link_width: -16 bit", "link_width", "");
  expect_error("negative_latency", "router_cycles: 1", "router_cycles: -1", "router_cycles", "");
  expect_error("unknown", "router_cycles: 1 ", "router_cycles: 1\n    virtual_channels: 2 ", "virtual_channels", "");
}

}  // namespace
}  // namespace qnnsim
