#include "dram/dram_energy.h"

namespace qnnsim {

DramActionEnergy dram_action_energy(const DramDeviceSpec& d) {
  const DramTiming& t = d.timing;
  const double devices = static_cast<double>(d.devices_per_rank);
  const double ras = t.s(t.ras), rp = t.s(t.rp), rc = ras + rp, rfc = t.s(t.rfc), burst = d.burst_s();
  DramActionEnergy e;
  for (const DramSupply& s : d.supplies) {
    const double v = s.voltage_v * devices * 1e12;  // J -> pJ
    e.activate_pj += v * (s.idd0_a * rc - s.idd3n_a * ras - s.idd2n_a * rp);
    e.read_burst_pj += v * (s.idd4r_a - s.idd3n_a) * burst;
    e.write_burst_pj += v * (s.idd4w_a - s.idd3n_a) * burst;
    e.refresh_pj += v * (s.idd5_a - s.idd3n_a) * rfc;
    e.active_standby_w += s.voltage_v * devices * s.idd3n_a;
    e.precharged_standby_w += s.voltage_v * devices * s.idd2n_a;
  }
  return e;
}

}  // namespace qnnsim
