#include "dram/transfer_time.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace qnnsim {

TransferTime transfer_time(const DramDeviceSpec& device, const AddressMap& map, const TransferShape& shape,
                           bool write) {
  const DramTiming& t = device.timing;
  const double burst = static_cast<double>(device.burst_length) / 2.0;  // cycles on the data bus
  const double close = write ? static_cast<double>(t.cwl) + burst + static_cast<double>(t.wr) : static_cast<double>(t.rtp);
  const int64_t channels = map.count(DramField::Channel), ranks = map.count(DramField::Rank);
  const int64_t groups = map.count(DramField::BankGroup);

  // Per channel: bursts; per rank: activations; per bank group: both.
  std::vector<double> ch_bursts(static_cast<std::size_t>(channels)), ch_first(static_cast<std::size_t>(channels),
                                                                              std::numeric_limits<double>::infinity());
  std::vector<double> ch_span(static_cast<std::size_t>(channels));
  std::vector<double> rank_acts(static_cast<std::size_t>(channels * ranks)),
      rank_first_act(static_cast<std::size_t>(channels * ranks), std::numeric_limits<double>::infinity());
  std::vector<double> bg_bursts(static_cast<std::size_t>(channels * ranks * groups)),
      bg_acts(static_cast<std::size_t>(channels * ranks * groups));

  for (int64_t k = 0; k < map.banks(); ++k) {
    const BankLoad& b = shape.banks[static_cast<std::size_t>(k)];
    if (b.bursts == 0) continue;
    const BankCoordinates& c = map.coordinates(k);
    const auto ch = static_cast<std::size_t>(c.channel);
    const auto rank = static_cast<std::size_t>(c.channel * ranks + c.rank);
    const auto bg = static_cast<std::size_t>((c.channel * ranks + c.rank) * groups + c.bank_group);
    const double start = b.start == BankLoad::Start::Hit ? 0.0
                         : b.start == BankLoad::Start::Empty
                             ? static_cast<double>(t.rcd)
                             : static_cast<double>(t.rp + t.rcd);
    const double visits = static_cast<double>(b.visits);
    const double per_visit = static_cast<double>(b.bursts) / visits;  // bursts spread evenly over the visits
    const double cycle = std::max(static_cast<double>(t.ras),
                                  static_cast<double>(t.rcd) + (per_visit - 1) * static_cast<double>(t.ccd_l) + close) +
                         static_cast<double>(t.rp);
    const double bank_span = start + (visits - 1) * cycle + (per_visit - 1) * static_cast<double>(t.ccd_l);
    ch_span[ch] = std::max(ch_span[ch], bank_span);
    ch_first[ch] = std::min(ch_first[ch], start);
    ch_bursts[ch] += static_cast<double>(b.bursts);
    bg_bursts[bg] += static_cast<double>(b.bursts);
    if (b.activations > 0) {
      rank_acts[rank] += static_cast<double>(b.activations);
      bg_acts[bg] += static_cast<double>(b.activations);
      rank_first_act[rank] =
          std::min(rank_first_act[rank], b.start == BankLoad::Start::Conflict ? static_cast<double>(t.rp) : 0.0);
    }
  }

  // Phases (each run's stripes) follow one another: a bank's next row opens
  // only after its bursts of this stripe. Within a phase, activations (one
  // per tRRD_S, four per tFAW) and the data bus pace each other: a phase
  // lasts its bursts on the bus, or its activations plus the last row's share
  // of bursts, whichever is longer. A phase that activates nothing may fill
  // bus time an earlier phase left idle (ready row hits go first).
  const double column_gap = std::max(static_cast<double>(t.ccd_s), burst);
  std::vector<double> phases(static_cast<std::size_t>(channels)), idle(static_cast<std::size_t>(channels));
  std::vector<double> p_bursts(static_cast<std::size_t>(channels)), p_acts(static_cast<std::size_t>(channels * ranks));
  for (const Phase& phase : shape.phases) {
    std::fill(p_bursts.begin(), p_bursts.end(), 0.0);
    std::fill(p_acts.begin(), p_acts.end(), 0.0);
    for (int64_t k = 0; k < map.banks(); ++k) {
      const BankCoordinates& c = map.coordinates(k);
      p_bursts[static_cast<std::size_t>(c.channel)] += static_cast<double>(phase.bursts[static_cast<std::size_t>(k)]);
      p_acts[static_cast<std::size_t>(c.channel * ranks + c.rank)] +=
          static_cast<double>(phase.activations[static_cast<std::size_t>(k)]);
    }
    for (int64_t ch = 0; ch < channels; ++ch) {
      const auto c = static_cast<std::size_t>(ch);
      const double bus = p_bursts[c] * column_gap;
      double acts = 0, pace = 0;
      for (int64_t r = 0; r < ranks; ++r) {
        const double a = p_acts[static_cast<std::size_t>(ch * ranks + r)];
        acts += a;
        if (a > 0)
          pace = std::max({pace, (a - 1) * static_cast<double>(t.rrd_s), std::floor((a - 1) / 4) * static_cast<double>(t.faw)});
      }
      if (acts == 0) {
        const double filled = std::min(idle[c], bus);
        idle[c] -= filled;
        phases[c] += bus - filled;
        continue;
      }
      const double length = std::max(bus, pace + p_bursts[c] / acts * column_gap);
      idle[c] += (length - bus) * static_cast<double>(phase.repeat);
      phases[c] += length * static_cast<double>(phase.repeat);
    }
  }

  double span = 0;
  for (int64_t ch = 0; ch < channels; ++ch) {
    const auto c = static_cast<std::size_t>(ch);
    if (ch_bursts[c] == 0) continue;
    double s = std::max({ch_span[c], ch_first[c] + (ch_bursts[c] - 1) * column_gap, ch_first[c] + phases[c] - column_gap});
    for (int64_t r = 0; r < ranks; ++r) {
      const auto rank = static_cast<std::size_t>(ch * ranks + r);
      double group_acts = 0;
      for (int64_t g = 0; g < groups; ++g) {
        const auto bg = static_cast<std::size_t>(rank * static_cast<std::size_t>(groups) + static_cast<std::size_t>(g));
        if (bg_bursts[bg] > 0) s = std::max(s, ch_first[c] + (bg_bursts[bg] - 1) * static_cast<double>(t.ccd_l));
        group_acts = std::max(group_acts, (bg_acts[bg] - 1) * static_cast<double>(t.rrd_l));
      }
      const double acts = rank_acts[rank];
      if (acts > 0) {
        const double pace = std::max({(acts - 1) * static_cast<double>(t.rrd_s),
                                      std::floor((acts - 1) / 4) * static_cast<double>(t.faw), group_acts});
        s = std::max(s, rank_first_act[rank] + pace + static_cast<double>(t.rcd));
      }
    }
    span = std::max(span, s);
  }
  TransferTime out;
  out.span_s = t.tck_s * span;
  out.tail_s = t.tck_s * ((write ? static_cast<double>(t.cwl) : static_cast<double>(t.cl)) + burst);
  return out;
}

}  // namespace qnnsim
