#include "dram/dram_device_spec.h"

#include <filesystem>

#include <fmt/format.h>

#include "arch/arch_spec.h"

namespace qnnsim {

namespace {

namespace fs = std::filesystem;

bool power_of_two(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

int64_t power_of_two_at(const ConfigNode& node, const std::string& key, int64_t most) {
  const int64_t v = node.integer_in(key, 1, most);
  if (!power_of_two(v)) node.fail(key, fmt::format("expected a power of two (the address map slices bits), found {}", v));
  return v;
}

DramTiming parse_timing(const ConfigNode& node) {
  node.expect_map("JEDEC timing in clock cycles {tCK, tCL, tRCD, ...}");
  DramTiming t;
  t.tck_s = node.quantity_in("tCK", Dimension::Time, 1e-12, 1e-6);
  const auto cycles = [&](const char* key) { return node.integer_in(key, 1, 1000000); };
  t.cl = cycles("tCL");
  t.cwl = cycles("tCWL");
  t.rcd = cycles("tRCD");
  t.rp = cycles("tRP");
  t.ras = cycles("tRAS");
  t.ccd_s = cycles("tCCD_S");
  t.ccd_l = cycles("tCCD_L");
  t.rrd_s = cycles("tRRD_S");
  t.rrd_l = cycles("tRRD_L");
  t.faw = cycles("tFAW");
  t.wr = cycles("tWR");
  t.wtr = cycles("tWTR");
  t.rtp = cycles("tRTP");
  t.rfc = cycles("tRFC");
  t.refi = cycles("tREFI");
  if (t.ras < t.rcd) node.fail("tRAS", fmt::format("tRAS ({}) must cover tRCD ({}): a row opens before it is read", t.ras, t.rcd));
  if (t.ccd_l < t.ccd_s) node.fail("tCCD_L", fmt::format("tCCD_L ({}) must be at least tCCD_S ({})", t.ccd_l, t.ccd_s));
  if (t.rrd_l < t.rrd_s) node.fail("tRRD_L", fmt::format("tRRD_L ({}) must be at least tRRD_S ({})", t.rrd_l, t.rrd_s));
  if (t.refi <= t.rfc)
    node.fail("tREFI", fmt::format("tREFI ({}) must exceed tRFC ({}), or refresh would take all the time", t.refi, t.rfc));
  node.reject_unknown_keys();
  return t;
}

DramSupply parse_supply(const ConfigNode& node, const DramTiming& t) {
  node.expect_map("a supply {voltage, IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5}");
  DramSupply s;
  s.voltage_v = node.quantity_in("voltage", Dimension::Voltage, 0.1, 5.0);
  const auto amps = [&](const char* key) { return node.quantity_in(key, Dimension::Current, 0, 10.0); };
  s.idd0_a = amps("IDD0");
  s.idd2n_a = amps("IDD2N");
  s.idd3n_a = amps("IDD3N");
  s.idd4r_a = amps("IDD4R");
  s.idd4w_a = amps("IDD4W");
  s.idd5_a = amps("IDD5");
  // DRAMPower's activation energy, IDD0 over tRC less the standby currents
  // over tRAS and tRP, must not be negative.
  const double rc = t.s(t.ras + t.rp);
  if (s.idd0_a * rc < s.idd3n_a * t.s(t.ras) + s.idd2n_a * t.s(t.rp))
    node.fail("IDD0", "IDD0 over tRC must exceed IDD3N over tRAS plus IDD2N over tRP (activation energy would be negative)");
  for (const auto& [key, v] : {std::pair{"IDD4R", s.idd4r_a}, std::pair{"IDD4W", s.idd4w_a}, std::pair{"IDD5", s.idd5_a}})
    if (v < s.idd3n_a) node.fail(key, "must be at least IDD3N (active standby), which it includes");
  node.reject_unknown_keys();
  return s;
}

}  // namespace

DramDeviceSpec parse_dram_device(const ConfigNode& root) {
  root.expect_map("a DRAM device description");
  DramDeviceSpec d;
  d.standard = root.text("standard");
  d.burst_length = power_of_two_at(root, "burst_length", 64);
  d.channel_width_bits = root.whole_bits("channel_width", 1024);
  if (!power_of_two(d.channel_width_bits) || d.channel_width_bits < 8)
    root.fail("channel_width", "expected a power of two of at least 8 bit");
  d.devices_per_rank = root.integer_in("devices_per_rank", 1, 64);
  d.device_width_bits = root.whole_bits("device_width", 1024);
  if (d.device_width_bits * d.devices_per_rank != d.channel_width_bits)
    root.fail("devices_per_rank", fmt::format("{} devices of {} bit do not make the {}-bit channel", d.devices_per_rank,
                                              d.device_width_bits, d.channel_width_bits));
  d.bank_groups = power_of_two_at(root, "bank_groups", 64);
  d.banks_per_group = power_of_two_at(root, "banks_per_group", 64);
  d.rows = power_of_two_at(root, "rows", int64_t{1} << 24);
  d.columns = power_of_two_at(root, "columns", int64_t{1} << 16);
  if (d.row_bytes() < d.burst_bytes() || d.row_bytes() % d.burst_bytes() != 0)
    root.fail("columns", fmt::format("a row of {} B must hold whole bursts of {} B", d.row_bytes(), d.burst_bytes()));
  d.timing = parse_timing(root.child("timing"));
  const ConfigNode supplies = root.child("supplies");
  if (!supplies.is_sequence() || supplies.items().empty())
    root.fail("supplies", "expected a list of supplies, each {voltage, IDD0, IDD2N, IDD3N, IDD4R, IDD4W, IDD5}");
  for (const ConfigNode& s : supplies.items()) d.supplies.push_back(parse_supply(s, d.timing));
  root.reject_unknown_keys();
  return d;
}

DramDeviceSpec load_dram_device(const ConfigNode& arch_node, const std::string& key) {
  const std::string value = arch_node.text(key);
  fs::path path;
  if (value.find('/') == std::string::npos && value.find(".yaml") == std::string::npos)
    path = fs::path(data_dir()) / "configs" / "dram" / (value + ".yaml");
  else
    path = fs::path(arch_node.file()).parent_path() / value;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    arch_node.fail(key, "DRAM device file '" + path.string() + "' " +
                            (ec && ec != std::errc::no_such_file_or_directory ? "cannot be read: " + ec.message()
                                                                               : "does not exist"));
  return parse_dram_device(ConfigNode::load_file(path.string()));
}

}  // namespace qnnsim
