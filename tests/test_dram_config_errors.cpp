// A bad DRAM device file or bad DRAMDevice keys in an arch file stop
// `qnnsim validate` with exit code 2 and an error naming the file, the line
// of the offending key, the key and what was expected.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "support.h"

namespace qnnsim {
namespace {

using test::read_file;
using test::replace_all;
using test::shipped;

std::string write(const std::filesystem::path& dir, const std::string& name, const std::string& text) {
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

// 1-based line of `text` holding the last line of `needle`.
int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle.substr(needle.rfind('\n') + 1));
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Validates the DDR4 design with its `dram:` block's `from` replaced by `to`
// and the device file's `device_from` by `device_to`; checks exit 2 and that
// the error names `file:line:` of the changed text, `key` and `expected`.
void expect_error(const std::string& name, const std::string& from, const std::string& to,
                  const std::string& device_from, const std::string& device_to, const std::string& key,
                  const std::string& expected) {
  INFO(name);
  const auto dir = test::scratch_dir("dram_errors_" + name);
  std::string device = read_file(shipped("configs/dram/ddr4_3200.yaml"));
  if (!device_from.empty()) device = replace_all(device, device_from, device_to);
  write(dir, "device.yaml", device);
  std::string arch = replace_all(read_file(shipped("arch/systolic_ws_ddr4.yaml")), "device: ddr4_3200", "device: device.yaml");
  if (!from.empty()) arch = replace_all(arch, from, to);
  const std::string arch_path = write(dir, "arch.yaml", arch);
  CHECK(test::qnnsim_cli("validate " + arch_path + " " + shipped("workloads/lenet5.yaml"), dir / "out.txt",
                         dir / "err.txt") == 2);
  const std::string err = read_file((dir / "err.txt").string());
  INFO(err);
  const bool in_device = !device_from.empty();
  const std::string where = in_device ? "device.yaml:" + std::to_string(line_of(device, device_to)) + ":"
                                      : "arch.yaml:" + std::to_string(line_of(arch, to)) + ":";
  CHECK(err.find(where) != std::string::npos);
  CHECK(err.find(key) != std::string::npos);
  CHECK(err.find(expected) != std::string::npos);
}

TEST_CASE("bad DRAM device files are errors at their key", "[dram][cli]") {
  expect_error("tras", "", "", "tRAS: 52", "tRAS: 10", "tRAS", "must cover tRCD");
  expect_error("banks", "", "", "banks_per_group: 4", "banks_per_group: 3", "banks_per_group", "power of two");
  expect_error("refi", "", "", "tREFI: 12480", "tREFI: 500", "tREFI", "must exceed tRFC");
  expect_error("idd5", "", "", "IDD5: 250 mA", "IDD5: 20 mA", "IDD5", "at least IDD3N");
  expect_error("idd0", "", "", "IDD0: 57 mA", "IDD0: 10 mA", "IDD0", "activation energy would be negative");
  expect_error("unit", "", "", "IDD4R: 168 mA", "IDD4R: 168 mV", "IDD4R", "current");
  expect_error("unknown", "", "", "tRTP: 12", "tRTP: 12\n  tXYZ: 3", "tXYZ", "");
  expect_error("width", "", "", "devices_per_rank: 8", "devices_per_rank: 4", "devices_per_rank", "do not make");
}

TEST_CASE("bad DRAMDevice keys in an arch file are errors at their key", "[dram][cli]") {
  expect_error("policy", "page_policy: open", "page_policy: sideways", "", "", "page_policy", "expected open");
  expect_error("twice", "interleave: [channel, bank_group, bank, rank]", "interleave: [channel, bank, bank, rank]", "", "",
               "interleave", "appears twice");
  expect_error("field", "interleave: [channel, bank_group, bank, rank]", "interleave: [channel, bank_group, bank, row]", "",
               "", "interleave", "unknown field 'row'");
  expect_error("grain", "interleave_size: 64 B", "interleave_size: 32 B", "", "", "interleave_size",
               "from one burst (64 B)");
  expect_error("channels", "channels: 1 ", "channels: 3 ", "", "", "channels", "power of two");
  expect_error("missing", "device: device.yaml", "device: nowhere.yaml", "", "", "device", "does not exist");
}

}  // namespace
}  // namespace qnnsim
