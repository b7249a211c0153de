#include "sweep/sweep_points.h"

#include <algorithm>
#include <random>
#include <set>

namespace qnnsim {

namespace {

// Uniform in [0, n) from the 64-bit Mersenne twister by rejection, so the
// draws do not depend on the standard library's distribution code.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do v = rng();
  while (v >= limit);
  return v % n;
}

// Value index per axis for combination number `k` of the grid (first axis slowest).
std::vector<std::size_t> grid_digits(const SweepSpec& spec, uint64_t k) {
  std::vector<std::size_t> d(spec.axes.size());
  for (std::size_t a = spec.axes.size(); a-- > 0;) {
    d[a] = static_cast<std::size_t>(k % spec.axes[a].size);
    k /= spec.axes[a].size;
  }
  return d;
}

std::vector<std::vector<std::size_t>> combinations(const SweepSpec& spec) {
  std::vector<std::vector<std::size_t>> out;
  long double grid = 1;
  for (const SweepAxis& a : spec.axes) grid *= static_cast<long double>(a.size);
  switch (spec.combine) {
    case Combine::Grid:
      for (uint64_t k = 0; k < static_cast<uint64_t>(grid); ++k) out.push_back(grid_digits(spec, k));
      break;
    case Combine::Zip:
      for (std::size_t i = 0; i < spec.axes[0].size; ++i) out.emplace_back(spec.axes.size(), i);
      break;
    case Combine::Random: {
      std::mt19937_64 rng(spec.seed);
      const auto n = static_cast<uint64_t>(spec.samples);
      if (grid < static_cast<long double>(UINT64_MAX / 2)) {
        // Floyd's algorithm: n distinct combination numbers, each subset equally likely.
        const auto total = static_cast<uint64_t>(grid);
        std::set<uint64_t> chosen;
        for (uint64_t j = total - n; j < total; ++j) {
          const uint64_t t = uniform_below(rng, j + 1);
          chosen.insert(chosen.count(t) ? j : t);
        }
        for (uint64_t k : chosen) out.push_back(grid_digits(spec, k));
      } else {
        std::set<std::vector<std::size_t>> seen;
        while (seen.size() < n) {
          std::vector<std::size_t> d(spec.axes.size());
          for (std::size_t a = 0; a < d.size(); ++a) d[a] = uniform_below(rng, spec.axes[a].size);
          if (seen.insert(d).second) out.push_back(d);
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  std::vector<SweepPoint> out;
  for (const std::vector<std::size_t>& digits : combinations(spec)) {
    SweepPoint p;
    p.choice.assign(spec.parameters.size(), 0);
    for (std::size_t a = 0; a < spec.axes.size(); ++a)
      for (std::size_t param : spec.axes[a].parameters) p.choice[param] = digits[a];
    for (std::size_t w = 0; w < spec.workload_files.size(); ++w) {
      p.workload = w;
      p.index = out.size();
      out.push_back(p);
    }
  }
  return out;
}

std::map<std::string, double> numeric_values(const SweepSpec& spec, const SweepPoint& p) {
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    if (const auto& v = spec.parameters[i].numeric[p.choice[i]]) out[spec.parameters[i].name] = *v;
  return out;
}

std::string describe_point(const SweepSpec& spec, const SweepPoint& p) {
  std::string out;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i)
    if (!spec.parameters[i].fixed)
      out += (out.empty() ? "" : " ") + spec.parameters[i].name + "=" + spec.parameters[i].value_text[p.choice[i]];
  if (spec.workload_files.size() > 1) out += " workload=" + spec.workload_files[p.workload];
  return out;
}

}  // namespace qnnsim
