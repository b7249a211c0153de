#include "schedule/level_search.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include <boost/container/small_vector.hpp>

#include "schedule/closed_form_memo.h"
#include "schedule/level_limits.h"

namespace qnnsim {

namespace {

// Where a factor can go: a level's temporal loops, or its fan-out.
struct Slot {
  int level;
  bool spatial;
};

// Held inline: the refinement copies a candidate for every move it tries.
struct Candidate {
  boost::container::small_vector<DimArray, 16> factor;                // per slot, per dimension
  boost::container::small_vector<std::array<int, kDims>, 12> order;  // per level: its temporal dimensions, outermost first
};

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> p;
  for (int64_t f = 2; f * f <= n; ++f)
    while (n % f == 0) p.push_back(f), n /= f;
  if (n > 1) p.push_back(n);
  return p;
}

// Every price of the design is 0 or more, so costs grow with the counts.
// The design's reader refuses negative energies; a design built in code is
// not pruned unless this holds.
bool prices_not_negative(const LevelDesign& d) {
  if (d.compute_pj < 0) return false;
  for (const LevelPrices& p : d.prices) {
    if (p.leak_pj_per_cycle < 0) return false;
    for (const auto& actions : p.pj)
      for (double pj : actions)
        if (pj < 0) return false;
  }
  for (const LevelNetwork& n : d.networks)
    if (n.pj_per_bit < 0 || std::any_of(n.value_bits.begin(), n.value_bits.end(), [](double b) { return b < 0; }))
      return false;
  return true;
}

bool early_stop_on = true;

// The design's energy for a mapping: the computes, and every level's
// accesses, network and leakage over `cycles`, each level's price shared as
// `shared(l)` says (cluster_sharing). One sum for the search's scores and
// level_energy_pj, so the two agree to the last bit.
template <typename Shared>
double energy_pj(const LevelDesign& d, const LevelNest& n, const LevelNestCounts& c, uint64_t cycles, Shared shared) {
  double e = d.compute_pj * static_cast<double>(c.computes);
  for (std::size_t l = 0; l < d.prices.size(); ++l) e += price_level(d, n, c, l, cycles, shared(l)).total_pj();
  return e;
}

// What the search keeps of a nest it has scored.
struct Scored {
  std::optional<double> score;  // none: the nest breaks a limit
  bool bound_only = false;      // score is a lower bound: the counting stopped early
};

// The memos of a search, kept from one search to the next on a thread and
// emptied, not freed, between them (key_table.h's clear): a run searches
// every layer shape, and memory given back and faulted in again for each
// cost more than the counting.
struct SearchMemos {
  ClosedFormMemo counts;  // per-axis and per-pair sums, shared by the searches of one layer
  KeyTable<Scored> scored;
};
SearchMemos& thread_memos() {
  thread_local SearchMemos memos;
  return memos;
}

class Search {
 public:
  // `memos.counts`: the closed form's sums for this layer, which any
  // objective's search may share (they are counts, not scores), cleared by
  // the caller; `memos.scored` is this objective's, and starts empty.
  Search(const LevelDesign& d, const LoopBounds& b, Objective objective, SearchMemos& memos)
      : d_(d), b_(b), objective_(objective), memo_(memos.counts), scored_(memos.scored) {
    scored_.clear();
    for (std::size_t l = 0; l < d.nest.levels.size(); ++l) {
      slots_.push_back({int(l), false});
      if (d.limits[l].fanout > 1) slots_.push_back({int(l), true});
    }
    for (int dim = 0; dim < kDims; ++dim) primes_[dim] = prime_factors(b.extent[dim]);
    // Where a sampled prime that fits nowhere else goes: the outermost own
    // loops that may take its dimension (none: kNoHome).
    home_.fill(kNoHome);
    for (int dim = 0; dim < kDims; ++dim)
      for (std::size_t s = slots_.size(); s-- > 0;)
        if (allowed(slots_[s], dim) && !slots_[s].spatial) home_[dim] = s;
    blank_fits_ = fits(blank());
  }

  std::optional<LevelMapping> run() {
    // A dimension to split that no slot may take (every level's temporal_dims
    // and spatial_dims leave it out) has no mapping at all.
    for (int dim = 0; dim < kDims; ++dim)
      if (!primes_[dim].empty() &&
          std::none_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return allowed(s, dim); }))
        return std::nullopt;
    std::mt19937_64 rng(0x9e3779b97f4a7c15ULL);
    std::vector<std::pair<double, Candidate>> starts;
    // Everything at the outermost level always fits when it is unbounded.
    int drawn = consider(outermost(), starts) ? 1 : 0;
    for (int attempt = 0; attempt < kSampleAttempts && drawn < kSamples; ++attempt) drawn += consider(sample(rng), starts);
    if (starts.empty()) return std::nullopt;
    std::stable_sort(starts.begin(), starts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    starts.resize(std::min<std::size_t>(starts.size(), kRefined));
    for (auto& [s, c] : starts) refine(c, s);
    const auto best = std::min_element(starts.begin(), starts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return finish(best->second);
  }

  std::optional<LevelMapping> exhaustive() {
    std::optional<std::pair<double, Candidate>> best;
    // Every prime of every dimension in every slot, then every order of each level's loops.
    std::vector<std::pair<int, std::size_t>> all;  // (dimension, prime index)
    for (int dim = 0; dim < kDims; ++dim)
      for (std::size_t i = 0; i < primes_[dim].size(); ++i) all.emplace_back(dim, i);
    std::vector<std::size_t> where(all.size(), 0);
    for (bool more = true; more;) {
      Candidate x = blank();
      for (std::size_t i = 0; i < all.size(); ++i) x.factor[where[i]][all[i].first] *= primes_[all[i].first][all[i].second];
      every_order(x, 0, best);
      more = false;
      for (std::size_t i = where.size(); i-- > 0;) {
        if (++where[i] < slots_.size()) {
          more = true;
          break;
        }
        where[i] = 0;
      }
    }
    if (!best) return std::nullopt;
    return finish(best->second);
  }

 private:
  static constexpr int kSamples = 400, kSampleAttempts = 40000, kRefined = 16;
  static constexpr std::size_t kNoHome = SIZE_MAX;
  static constexpr double kNoLimit = std::numeric_limits<double>::infinity();

  Candidate blank() const {
    Candidate c;
    c.factor.assign(slots_.size(), kOnes);
    c.order.resize(d_.nest.levels.size());
    for (auto& o : c.order) std::iota(o.begin(), o.end(), 0);
    return c;
  }
  Candidate outermost() const {
    Candidate c = blank();
    for (int dim = 0; dim < kDims; ++dim) c.factor[0][dim] = b_.extent[dim];
    return c;
  }
  bool allowed(const Slot& s, int dim) const {
    const LevelLimits& lim = d_.limits[s.level];
    return s.spatial ? lim.spatial_dims[dim] : lim.temporal_dims[dim];
  }

  // A random mapping that fits: every prime, in random order, goes to a
  // random slot that may take its dimension, unless that would break a limit
  // (a fan-out or a level's size); then to the outermost level's own loops,
  // whose block the limits do not bound when it is unbounded (DRAM). Drawing
  // slots blindly and rejecting what does not fit would throw away nearly
  // every draw on a design with small scratchpads.
  Candidate sample(std::mt19937_64& rng) const {
    Candidate c = blank();
    std::vector<std::pair<int, int64_t>> primes;  // (dimension, prime)
    for (int dim = 0; dim < kDims; ++dim)
      for (int64_t p : primes_[dim]) primes.emplace_back(dim, p);
    std::shuffle(primes.begin(), primes.end(), rng);
    // Whether c is known to fit as a whole: then a prime added to one slot
    // can only break that slot's level or one above it, and only those are
    // checked (the same answer as checking all, for less).
    bool whole_fits = blank_fits_;
    for (const auto& [dim, p] : primes) {
      std::size_t s;
      do s = std::uniform_int_distribution<std::size_t>(0, slots_.size() - 1)(rng);
      while (!allowed(slots_[s], dim));
      c.factor[s][dim] *= p;
      if (home_[dim] == kNoHome || s == home_[dim]) {
        whole_fits = false;  // placed unchecked
        continue;
      }
      const bool ok = fits(c, whole_fits ? static_cast<std::size_t>(slots_[s].level) + 1 : SIZE_MAX);
      if (ok) {
        whole_fits = true;
      } else {
        c.factor[s][dim] /= p;
        c.factor[home_[dim]][dim] *= p;
        whole_fits = false;
      }
    }
    for (auto& o : c.order) std::shuffle(o.begin(), o.end(), rng);
    return c;
  }

  // The limits (level_limits.h) on the candidate's factors, without its
  // nest: of the outermost `check_levels` levels.
  bool fits(const Candidate& c, std::size_t check_levels = SIZE_MAX) const {
    LevelFactorList f(d_.nest.levels.size());
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      LevelFactors& level = f[slots_[s].level];
      (slots_[s].spatial ? level.spatial : level.temporal) = c.factor[s];
    }
    return !first_broken_limit(d_.nest.levels, f, d_.limits, b_, check_levels);
  }

  LevelNest to_nest(const Candidate& c) const {
    LevelNest n = d_.nest;
    fill_nest(c, n);
    return n;
  }

  // n: a copy of the design's nest, whose loops are replaced by c's. The
  // search fills one copy again and again, so its loop lists keep their
  // storage between candidates.
  void fill_nest(const Candidate& c, LevelNest& n) const {
    for (StorageLevel& l : n.levels) l.temporal.clear(), l.spatial.clear();
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      StorageLevel& l = n.levels[slots_[s].level];
      if (slots_[s].spatial) {
        for (int dim = 0; dim < kDims; ++dim)
          if (c.factor[s][dim] > 1) l.spatial.push_back({dim, c.factor[s][dim]});
      } else {
        for (int dim : c.order[slots_[s].level])
          if (c.factor[s][dim] > 1) l.temporal.push_back({dim, c.factor[s][dim]});
      }
    }
  }

  // A candidate's score, each distinct nest counted once: the refinements
  // of different starts walk through the same neighbours, and every step
  // looks again at the moves it turned down the step before. Only a score
  // below `below` is needed exactly: the search takes a mapping only when it
  // is better than one it has, so counting may stop once the mapping is
  // known to score `below` or more, and what is returned then is a lower
  // bound on its score (at least `below`), kept to be counted on if a later
  // question needs more.
  std::optional<double> score(const Candidate& c, double below = kNoLimit) {
    if (!fits(c)) return std::nullopt;
    LevelNest& n = scratch_nest_;
    fill_nest(c, n);
    ClosedFormMemo::Key key;
    for (const StorageLevel& l : n.levels) {
      for (const LevelLoop& x : l.temporal) key.insert(key.end(), {x.dim, x.factor});
      key.push_back(-1);
      for (const LevelLoop& x : l.spatial) key.insert(key.end(), {x.dim, x.factor});
      key.push_back(-2);
    }
    if (Scored* known = scored_.find(key)) {
      if (!known->bound_only || *known->score >= below) return known->score;
      *known = score_nest(n, below);  // score_nest inserts nothing into scored_, so `known` stays valid
      return known->score;
    }
    ++evaluated_;
    const Scored s = score_nest(n, below);
    scored_.insert(key, s);
    return s.score;
  }

  // The counts are taken in steps, and after each the objective is taken
  // with what is not counted yet at zero. Every price is 0 or more (the
  // design's reader refuses less; prunable_), so energy, cycles and leakage
  // only grow as the rest is counted: once that partial figure reaches
  // `below`, the mapping cannot be taken and the rest is not counted. On
  // ResNet-50 and the Eyeriss level design nearly half the nests stop early, and
  // the search counts 19% fewer instructions for the same mappings.
  Scored score_nest(const LevelNest& n, double below) {
    LevelNestCounter counter(n, b_, &memo_);
    Shares shared;
    for (std::size_t l = 0; l < d_.prices.size(); ++l) shared.push_back(cluster_sharing(d_, n, l));
    // The steps: what the compute units read and update, which is cheap to
    // count and much of the energy, with the outputs' transfers; then the
    // inputs' transfers; then the weights'. The figure is taken after each
    // but the last. (Taken after the compute units' accesses alone too, it
    // cut short one nest in twenty and cost more than it saved.) A design
    // that keeps finished outputs somewhere (Simba's requantized outputs
    // above the accumulation buffers) turns down most drawn mappings for
    // bringing partial sums back out there, which the outputs' counts alone
    // show, before anything is cut short: a nest cut short is one that fits.
    counter.count(Operand::Outputs);
    if (outputs_final_somewhere_ && !accumulation_broken(d_, counter.counts()).empty()) return {};
    counter.count_at_compute(Operand::Inputs);
    counter.count_at_compute(Operand::Weights);
    for (Operand o : {Operand::Inputs, Operand::Weights}) {
      if (prunable_) {
        const double bound = objective(n, counter.counts(), shared, /*bound=*/true);
        if (bound >= below) return {bound, true};
      }
      counter.count_transfers(o);
    }
    return {objective(n, counter.counts(), shared, /*bound=*/false), false};
  }

  // Each level's cluster_sharing.
  using Shares = boost::container::small_vector<double, 12>;

  // The objective of the nest counted in `c`. With `bound`, when some tensors
  // are not counted yet: at most the objective once they are, and for
  // latency the cycles alone (the energy term adds less than one).
  double objective(const LevelNest& n, const LevelNestCounts& c, const Shares& shared, bool bound) const {
    const uint64_t cycles = level_cycles_total(d_, c);
    if (bound && objective_ == Objective::Latency) return static_cast<double>(cycles);
    const double e = energy_pj(d_, n, c, cycles, [&](std::size_t l) { return shared[l]; });
    if (objective_ == Objective::Energy) return e;
    if (objective_ == Objective::Edp) return e * static_cast<double>(cycles);
    // Cycles first, then energy: e / (e + e0) lies in [0, 1) and grows with
    // e, so it orders equal cycle counts without reordering different ones.
    const double e0 = std::max(d_.compute_pj, 1.0) * static_cast<double>(c.computes);
    return static_cast<double>(cycles) + e / (e + e0);
  }

  // A start for the refinement, unless it fits no limit or is one already
  // drawn. Only the kRefined best are refined, the earlier first among equal
  // scores, so a draw that cannot score below the kRefined-th best so far
  // need not be counted to the end: it would not be among them. Returns
  // whether c was a new draw that fits (kSamples of them are drawn).
  bool consider(const Candidate& c, std::vector<std::pair<double, Candidate>>& into) {
    const std::size_t known = scored_.size();
    const double below = best_starts_.size() < kRefined ? kNoLimit : best_starts_.back();
    const auto s = score(c, below);
    if (!s || scored_.size() == known) return false;
    if (*s >= below) return true;
    into.emplace_back(*s, c);
    best_starts_.insert(std::upper_bound(best_starts_.begin(), best_starts_.end(), *s), *s);
    if (best_starts_.size() > kRefined) best_starts_.pop_back();
    return true;
  }

  // Best improving move at a time: one prime factor to another slot, or two
  // neighbouring loops of a level swapped; until no move improves.
  void refine(Candidate& c, double& s) {
    for (bool improved = true; improved;) {
      improved = false;
      Candidate best_move;
      double best = s;
      const auto try_move = [&](const Candidate& x) {
        if (const auto t = score(x, best); t && *t < best) best = *t, best_move = x, improved = true;
      };
      for (std::size_t from = 0; from < slots_.size(); ++from)
        for (int dim = 0; dim < kDims; ++dim)
          for (int64_t p : distinct_primes(c.factor[from][dim]))
            for (std::size_t to = 0; to < slots_.size(); ++to) {
              if (to == from || !allowed(slots_[to], dim)) continue;
              Candidate x = c;
              x.factor[from][dim] /= p;
              x.factor[to][dim] *= p;
              try_move(x);
            }
      for (std::size_t s_ = 0; s_ < slots_.size(); ++s_) {
        if (slots_[s_].spatial) continue;
        const int level = slots_[s_].level;
        boost::container::small_vector<int, kDims> active;  // positions in the order of dimensions that iterate here
        for (int i = 0; i < kDims; ++i)
          if (c.factor[s_][c.order[level][i]] > 1) active.push_back(i);
        for (std::size_t i = 0; i + 1 < active.size(); ++i) {
          Candidate x = c;
          std::swap(x.order[level][active[i]], x.order[level][active[i + 1]]);
          try_move(x);
        }
      }
      if (improved) c = best_move, s = best;
    }
  }

  static std::vector<int64_t> distinct_primes(int64_t n) {
    std::vector<int64_t> p = prime_factors(n);
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
  }

  void every_order(Candidate& x, std::size_t level, std::optional<std::pair<double, Candidate>>& best) {
    if (level == d_.nest.levels.size()) {
      if (const auto s = score(x, best ? best->first : kNoLimit); s && (!best || *s < best->first)) best.emplace(*s, x);
      return;
    }
    const std::size_t slot = temporal_slot(level);
    std::vector<int> active;
    for (int dim = 0; dim < kDims; ++dim)
      if (x.factor[slot][dim] > 1) active.push_back(dim);
    do {
      std::array<int, kDims> o{};
      std::copy(active.begin(), active.end(), o.begin());
      std::size_t k = active.size();
      for (int dim = 0; dim < kDims; ++dim)
        if (std::find(active.begin(), active.end(), dim) == active.end()) o[k++] = dim;
      x.order[level] = o;
      every_order(x, level + 1, best);
    } while (std::next_permutation(active.begin(), active.end()));
  }
  std::size_t temporal_slot(std::size_t level) const {
    for (std::size_t s = 0; s < slots_.size(); ++s)
      if (!slots_[s].spatial && slots_[s].level == int(level)) return s;
    return 0;
  }

  LevelMapping finish(const Candidate& c) const {
    LevelMapping m;
    m.nest = to_nest(c);
    m.counts = count_level_accesses(m.nest, b_);
    m.cycles = level_cycles(d_, m.counts);
    m.energy_pj = level_energy_pj(d_, m.nest, m.counts);
    m.evaluated = evaluated_;
    return m;
  }

  const LevelDesign& d_;
  const LoopBounds& b_;
  Objective objective_;
  std::vector<Slot> slots_;
  std::array<std::vector<int64_t>, kDims> primes_;
  std::array<std::size_t, kDims> home_{};
  uint64_t evaluated_ = 0;
  ClosedFormMemo& memo_;  // per-axis and per-pair sums shared by the nests this layer's searches count
  KeyTable<Scored>& scored_;
  std::vector<double> best_starts_;  // the kRefined best scores of starts so far, ascending
  LevelNest scratch_nest_ = d_.nest;  // what score() fills with each candidate's loops
  const bool prunable_ = early_stop_on && prices_not_negative(d_);  // what makes a partial figure a lower bound
  const bool outputs_final_somewhere_ =
      std::find(d_.final_outputs_only.begin(), d_.final_outputs_only.end(), true) != d_.final_outputs_only.end();
  bool blank_fits_ = false;  // every factor 1, what sample() starts from, fits (set once the slots are known)
};

}  // namespace

void set_level_search_early_stop(bool on) { early_stop_on = on; }

double level_energy_pj(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c) {
  return energy_pj(d, nest, c, level_cycles_total(d, c), [&](std::size_t l) { return cluster_sharing(d, nest, l); });
}

std::optional<LevelMapping> search_level_mapping(const LevelDesign& d, const LoopBounds& b, Objective objective) {
  SearchMemos& memos = thread_memos();
  memos.counts.clear();
  std::optional<LevelMapping> m = Search(d, b, objective, memos).run();
  if (objective != Objective::Latency || !m) return m;
  // The search is a heuristic: keep the EDP objective's mapping when it happens to be faster.
  std::optional<LevelMapping> edp = Search(d, b, Objective::Edp, memos).run();
  const uint64_t evaluated = m->evaluated + edp->evaluated;
  if (edp->cycles.total < m->cycles.total ||
      (edp->cycles.total == m->cycles.total && edp->energy_pj < m->energy_pj))
    m = std::move(edp);
  m->evaluated = evaluated;
  return m;
}

std::optional<LevelMapping> exhaustive_level_mapping(const LevelDesign& d, const LoopBounds& b, Objective objective) {
  SearchMemos& memos = thread_memos();
  memos.counts.clear();
  return Search(d, b, objective, memos).exhaustive();
}

}  // namespace qnnsim
