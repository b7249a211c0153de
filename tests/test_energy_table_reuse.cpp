// EnergyTable::load hands back the table it parsed before for the same path
// and text (a sweep's worker loads one table for every point); a file whose
// text changed must be parsed again, and a bad file must fail every time.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/config_error.h"
#include "energy/energy_table.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

void write_table(const std::string& path, const std::string& mac_energy) {
  std::ofstream(path) << "name: t\nnode: 45 nm\nvoltage: 0.9 V\nenergy:\n  mac: " << mac_energy << "\n";
}

}  // namespace

TEST_CASE("an energy table loaded again follows its file's text", "[energy]") {
  const std::string path = (scratch_dir("energy_reuse") / "table.yaml").string();
  const ConfigNode user = ConfigNode::load_string("a: 1\n", "user.yaml");
  write_table(path, "0.5 pJ");
  CHECK(EnergyTable::load(path).energy_pj("mac", user) == Approx(0.5));
  CHECK(EnergyTable::load(path).energy_pj("mac", user) == Approx(0.5));  // the kept copy
  write_table(path, "0.75 pJ");
  CHECK(EnergyTable::load(path).energy_pj("mac", user) == Approx(0.75));
  write_table(path, "-1 pJ");
  CHECK_THROWS_AS(EnergyTable::load(path), ConfigError);
  CHECK_THROWS_AS(EnergyTable::load(path), ConfigError);
  write_table(path, "0.75 pJ");
  CHECK(EnergyTable::load(path).energy_pj("mac", user) == Approx(0.75));
}
