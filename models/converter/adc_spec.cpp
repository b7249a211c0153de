#include "converter/adc_spec.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qnnsim {

AdcSpec AdcSpec::parse(const ConfigNode& node) {
  node.expect_map("an ADC {bits, sample_rate, columns_per_adc, energy_model, power (table), comparator_energy (flash), "
                  "levels (flash), step, area}");
  AdcSpec a;
  a.bits = static_cast<int>(node.integer_in("bits", 1, 16));
  a.sample_rate_hz = node.quantity_in("sample_rate", Dimension::Frequency, 1e3, 1e12);
  a.columns_per_adc = node.integer_in("columns_per_adc", 1, 1 << 20);
  const std::string model = node.text("energy_model");
  if (model == "table") {
    a.model = AdcEnergyModel::Table;
    a.power_w = node.positive_quantity("power", Dimension::Power);
  } else if (model == "fom") {
    a.model = AdcEnergyModel::FigureOfMerit;
  } else if (model == "flash") {
    a.model = AdcEnergyModel::Flash;
    a.comparator_energy_j = node.positive_quantity("comparator_energy", Dimension::Energy);
  } else {
    node.fail("energy_model", "expected table (a published power), fom (the survey's figure-of-merit fit) or flash "
                              "(its comparators' energy), found '" + model + "'");
  }
  a.levels = int64_t{1} << a.bits;
  if (node.has("levels")) {
    if (a.model != AdcEnergyModel::Flash)
      node.fail("levels", "a level count other than 2^bits is a flash ADC's: set energy_model: flash");
    a.levels = node.integer_in("levels", 2, a.levels);
    if (a.levels <= (int64_t{1} << (a.bits - 1)))
      node.fail("levels", "needs more than 2^(bits - 1) levels; otherwise lower bits");
  }
  a.step = node.integer_in("step", 1, 1 << 20, 1);
  a.area_m2 = node.positive_quantity("area", Dimension::Area);
  node.reject_unknown_keys();
  return a;
}

double AdcSpec::conversion_energy_j() const {
  if (model == AdcEnergyModel::Table) return *power_w / sample_rate_hz;
  if (model == AdcEnergyModel::Flash) return static_cast<double>(levels - 1) * *comparator_energy_j;
  return adc_fom_energy_j(bits, sample_rate_hz);
}

double AdcSpec::resolution_bits() const { return std::log2(static_cast<double>(levels)); }

double adc_fom_energy_j(int bits, double sample_rate_hz) {
  const double foms_db = std::min(302.74 - 6.461 * std::log(sample_rate_hz), 180.14);
  const double sndr_db = 6.02 * bits + 1.76;
  return 1.0 / (2.0 * std::pow(10.0, (foms_db - sndr_db) / 10.0));
}

int adc_bits_needed(int64_t rows, int dac_bits, int cell_bits, bool flipped_columns) {
  const int log_rows = static_cast<int>(std::ceil(std::log2(static_cast<double>(rows)) - 1e-9));
  // The largest column sum is rows * (2^v - 1) * (2^w - 1). When v or w is one
  // bit the product fits v + w - 1 bits; with both wider it needs v + w (the
  // case split of Shafiee et al., ISCA 2016, Section 4).
  int needed = log_rows + dac_bits + cell_bits - ((dac_bits > 1 && cell_bits > 1) ? 0 : 1);
  if (flipped_columns) needed -= 1;
  return std::max(needed, 1);
}

double signed_sum_clip_fraction(int64_t rows_used, int64_t levels, int64_t step) {
  // Codes at -h .. +h steps (h = (levels - 1) / 2; an even count reaches half
  // a step further on one side, counted here on neither); a sum saturates
  // once it is more than half a step past the outermost code.
  const double reach = (static_cast<double>(levels - 1) / 2.0 + 0.5) * static_cast<double>(step);
  // P(|2k - n| > reach), k binomial(n, 1/2), in logs to stay finite for large n.
  double p = 0;
  const double n = static_cast<double>(rows_used);
  for (int64_t k = 0; k <= rows_used; ++k) {
    const double sum = 2.0 * static_cast<double>(k) - n;
    if (std::fabs(sum) <= reach) continue;
    const double kd = static_cast<double>(k);
    p += std::exp(std::lgamma(n + 1) - std::lgamma(kd + 1) - std::lgamma(n - kd + 1) - n * std::log(2.0));
  }
  return p;
}

namespace {

// Distribution of one row's product: DAC level d (0 with the zero mass) times cell level g.
std::vector<double> row_distribution(int dac_bits, int cell_bits, double density) {
  const int dl = (1 << dac_bits) - 1, gl = (1 << cell_bits) - 1;
  std::vector<double> p(static_cast<std::size_t>(dl * gl + 1), 0.0);
  const double per_level = density / (dl + 1) / (gl + 1);
  p[0] += 1.0 - density;
  for (int d = 0; d <= dl; ++d)
    for (int g = 0; g <= gl; ++g) p[static_cast<std::size_t>(d * g)] += per_level;
  return p;
}

double normal_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

double adc_clip_fraction(int64_t rows_used, int dac_bits, int cell_bits, double density, int adc_bits,
                         bool flipped_columns) {
  const std::vector<double> row = row_distribution(dac_bits, cell_bits, density);
  const int64_t row_max = static_cast<int64_t>(row.size()) - 1;
  const int64_t sum_max = rows_used * row_max;
  const double limit = std::ldexp(1.0, adc_bits) - 1.0;  // the largest code
  if (static_cast<double>(flipped_columns ? sum_max / 2 : sum_max) <= limit) return 0.0;
  // A stored sum s saturates when s > limit; flipped, when min(s, max - s) > limit.
  const auto clips = [&](int64_t s) {
    const int64_t stored = flipped_columns ? std::min(s, sum_max - s) : s;
    return static_cast<double>(stored) > limit;
  };
  if (static_cast<double>(rows_used) * static_cast<double>(sum_max) * static_cast<double>(row.size()) <= 3e7) {
    std::vector<double> dist{1.0};
    for (int64_t r = 0; r < rows_used; ++r) {
      std::vector<double> next(dist.size() + row.size() - 1, 0.0);
      for (std::size_t a = 0; a < dist.size(); ++a)
        if (dist[a] > 0)
          for (std::size_t b = 0; b < row.size(); ++b) next[a + b] += dist[a] * row[b];
      dist.swap(next);
    }
    double p = 0;
    for (std::size_t s = 0; s < dist.size(); ++s)
      if (clips(static_cast<int64_t>(s))) p += dist[s];
    return p;
  }
  double mean = 0, second = 0;
  for (std::size_t v = 0; v < row.size(); ++v) {
    mean += static_cast<double>(v) * row[v];
    second += static_cast<double>(v) * static_cast<double>(v) * row[v];
  }
  const double mu = mean * static_cast<double>(rows_used);
  const double sigma = std::sqrt(std::max((second - mean * mean) * static_cast<double>(rows_used), 1e-12));
  // Continuity-corrected tails above the limit (and, flipped, below max - limit).
  double p = normal_tail((limit + 0.5 - mu) / sigma);
  if (flipped_columns) {
    const double low = static_cast<double>(sum_max) - limit - 0.5;
    p = std::max(0.0, normal_tail((limit + 0.5 - mu) / sigma) - normal_tail((low - mu) / sigma));
  }
  return p;
}

}  // namespace qnnsim
