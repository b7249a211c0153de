// The array mapper's candidates (array_candidates.h): spatial unrollings,
// PE loop factors and buffer tile sizes.
#include "schedule/array_candidates.h"

#include "schedule/row_lanes.h"

#include <algorithm>
#include <map>

namespace qnnsim::search {

namespace {

constexpr std::size_t kSpatialCandidates = 6;     // row x column unrollings searched
constexpr std::size_t kMostWorkPeCandidates = 2;  // PE factor sets with most work, beside the smallest

}  // namespace

// For every set of at most two dimensions the axis allows, the unrolling
// that uses the axis best; and leaving the axis unused. One per set keeps the
// candidates diverse: which dimensions go in space decides the reuse, not
// only how full the array is.
std::vector<AxisChoice> axis_choices(const LoopBounds& b, const std::array<bool, kDims>& allowed, int64_t size) {
  std::map<unsigned, AxisChoice> best;
  best[0] = {kOnes, 1.0 / static_cast<double>(size), 0};
  const auto consider = [&](const DimArray& f) {
    double e = 1.0;
    int64_t used = 1;
    unsigned dims = 0;
    for (int d = 0; d < kDims; ++d) {
      const int64_t D = b.extent[static_cast<std::size_t>(d)], x = f[static_cast<std::size_t>(d)];
      e *= static_cast<double>(D) / static_cast<double>(ceil_div(D, x) * x);
      used *= x;
      if (x > 1) dims |= 1u << d;
    }
    e *= static_cast<double>(used) / static_cast<double>(size);
    auto it = best.find(dims);
    if (it == best.end() || e > it->second.efficiency) best[dims] = {f, e, dims};
  };
  for (int d1 = 0; d1 < kDims; ++d1) {
    if (!allowed[static_cast<std::size_t>(d1)]) continue;
    for (int64_t f1 = 2; f1 <= std::min(size, b.extent[static_cast<std::size_t>(d1)]); ++f1) {
      DimArray f = kOnes;
      f[static_cast<std::size_t>(d1)] = f1;
      consider(f);
      for (int d2 = d1 + 1; d2 < kDims; ++d2) {
        if (!allowed[static_cast<std::size_t>(d2)]) continue;
        for (int64_t f2 = 2; f2 * f1 <= size && f2 <= b.extent[static_cast<std::size_t>(d2)]; ++f2) {
          DimArray g = f;
          g[static_cast<std::size_t>(d2)] = f2;
          consider(g);
        }
      }
    }
  }
  std::vector<AxisChoice> out;
  for (const auto& [dims, c] : best) out.push_back(c);
  return out;
}

// Row and column unrollings that share no dimension, the fullest arrays first.
std::vector<std::pair<DimArray, DimArray>> spatial_candidates(const ArchSpec& arch, const LoopBounds& b,
                                                              const LayerPrecision& p) {
  const Dataflow& flow = arch.dataflow;
  const RowAxis rows = row_axis(arch, p);
  const auto rc = axis_choices(b, rows.allowed, rows.size);
  const auto cc = axis_choices(b, flow.cols, arch.pe_array->cols());
  std::vector<std::pair<double, std::pair<DimArray, DimArray>>> pairs;
  for (const auto& r : rc)
    for (const auto& c : cc) {
      if ((r.dims & c.dims) != 0) continue;
      // Whole dimensions that cannot loop in a PE must be all in space.
      bool whole = true;
      for (int d = 0; d < kDims; ++d) {
        const auto i = static_cast<std::size_t>(d);
        if (!flow.pe[i] && !flow.covers_whole(d, b.extent[i], r.f[i] * c.f[i], arch.pe_array->rows(), arch.pe_array->cols()))
          whole = false;
      }
      if (whole) pairs.push_back({r.efficiency * c.efficiency, {r.f, c.f}});
    }
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& c) { return a.first > c.first; });
  std::vector<std::pair<DimArray, DimArray>> out;
  for (std::size_t i = 0; i < pairs.size() && i < kSpatialCandidates; ++i) out.push_back(pairs[i].second);
  return out;
}

// A PE loop is free when no kept tensor's scratchpad space depends on it:
// the PE then takes the whole tile's extent (more passes could only refetch more).
std::array<bool, kDims> free_pe_loops(const Dataflow& flow) {
  std::array<bool, kDims> free_pe{};
  for (int d = 0; d < kDims; ++d) {
    bool f = flow.pe[static_cast<std::size_t>(d)];
    for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
      if (flow.keeps(o) && relevant(o, d) && d != flow.slide) f = false;
    if (is_reduction(d) && !flow.keeps(Operand::Outputs)) f = false;
    free_pe[static_cast<std::size_t>(d)] = f;
  }
  return free_pe;
}

bool fits_scratchpads(const ArchSpec& arch, const LoopBounds& b, const DimArray& pe) {
  const Dataflow& flow = arch.dataflow;
  for (Operand o : {Operand::Weights, Operand::Inputs, Operand::Outputs})
    if (flow.keeps(o) && pe_need(o, b, pe, flow.slide) > arch.pe_array->spad_capacity(o)) return false;
  return true;
}

// Tile sizes to try, in units of passes: the block sizes of n (see
// block_sizes), thinned to a geometric ladder (each at least 15% above the
// last) except that exact divisors of n are always kept. The estimate
// changes smoothly between neighbouring sizes; divisors leave no partial
// edge tile, which is where the cost jumps.
std::vector<int64_t> tile_ladder(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t s : block_sizes(n))
    if (out.empty() || n % s == 0 || static_cast<double>(s) >= 1.15 * static_cast<double>(out.back())) out.push_back(s);
  return out;
}

// A mapping of the given spatial and PE factors whose buffer tile is a single pass.
Mapping one_pass_tile(const LoopBounds& b, const DimArray& rows, const DimArray& cols, const DimArray& pe,
                      const std::array<bool, kDims>& free_pe) {
  Mapping m;
  m.rows = rows;
  m.cols = cols;
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    m.pe[i] = free_pe[i] ? 1 : pe[i];
    // Q, R and S tiles take the whole dimension (rows of the input stay whole).
    if (d == kQ || d == kR || d == kS) m.glb[i] = ceil_div(b.extent[i], std::min(b.extent[i], m.pe[i] * rows[i] * cols[i]));
  }
  return m;
}

// PE factors of the constrained PE loops that fit the scratchpads, and whose
// smallest buffer tile (one pass) fits the buffer: the few with most work in
// the PEs (most reuse there), and the one with least (the smallest passes, so
// the smallest tiles, for a tight buffer).
std::vector<DimArray> pe_candidates(const ArchSpec& arch, const Layer& l, const LoopBounds& b, const DimArray& rows,
                                    const DimArray& cols, const std::array<bool, kDims>& free_pe) {
  DimArray spatial{};
  for (int d = 0; d < kDims; ++d) spatial[static_cast<std::size_t>(d)] = rows[static_cast<std::size_t>(d)] * cols[static_cast<std::size_t>(d)];
  const Dataflow& flow = arch.dataflow;
  std::vector<DimArray> pes{kOnes};
  for (int d = 0; d < kDims; ++d) {
    const auto i = static_cast<std::size_t>(d);
    if (!flow.pe[i] || free_pe[i]) continue;
    // The dimension's factors, found once for every candidate so far: not a
    // whole dimension split over more passes than it needs.
    std::vector<int64_t> factors;
    for (int64_t f : block_sizes(ceil_div(b.extent[i], spatial[i])))
      if (flow.covers_whole(d, b.extent[i], f * spatial[i], arch.pe_array->rows(), arch.pe_array->cols()))
        factors.push_back(f);
    // Factors come smallest first, and a scratchpad's need grows with
    // each: past the first that overflows, none fits.
    std::vector<DimArray> next;
    next.reserve(pes.size() * factors.size());
    for (const DimArray& base : pes)
      for (int64_t f : factors) {
        DimArray x = base;
        x[i] = f;
        if (!fits_scratchpads(arch, b, x)) break;
        next.push_back(x);
      }
    pes.swap(next);
  }
  const auto work = [](const DimArray& x) {
    int64_t w = 1;
    for (int64_t v : x) w *= v;
    return w;
  };
  const BufferPartitions& parts = arch.glb->partitions();
  const auto one_pass_fits = [&](const DimArray& x) {
    const TileNeed need = tile_need(l, b, one_pass_tile(b, rows, cols, x, free_pe), *arch.glb, *arch.pe_array);
    return parts.fits(need.by_tensor());
  };
  // Most work first; the buffer is asked only about the candidates kept (a
  // large batch gives N many factors, and most would be asked for nothing):
  // the first that fit, and the last that fits after them.
  // Ties keep the order the factors were generated in.
  std::vector<std::pair<int64_t, std::size_t>> order;  // (-work, index): sorted, most work first
  order.reserve(pes.size());
  for (std::size_t k = 0; k < pes.size(); ++k) order.emplace_back(-work(pes[k]), k);
  std::sort(order.begin(), order.end());
  std::vector<DimArray> kept;
  std::size_t next = 0;
  for (; next < order.size() && kept.size() < kMostWorkPeCandidates; ++next)
    if (one_pass_fits(pes[order[next].second])) kept.push_back(pes[order[next].second]);
  for (std::size_t k = order.size(); k > next; --k)
    if (one_pass_fits(pes[order[k - 1].second])) {
      kept.push_back(pes[order[k - 1].second]);
      break;
    }
  return kept;
}

}  // namespace qnnsim::search
