#include "sweep/sweep_runner.h"

#include <filesystem>

#include "core/content_hash.h"
#include "core/version.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "core/config_error.h"
#include "sweep/pareto.h"
#include "sweep/point_run.h"
#include "sweep/result_constraints.h"
#include "sweep/sweep_backends.h"

namespace qnnsim {

namespace {

int cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

// A Slurm task's share of the points: those at positions shard, shard +
// shards, ... of the file, which lists point indices (whole numbers)
// separated by white space. Anything else in it is an error at its line: a
// garbled file must not quietly become another set of points.
std::optional<PointShare> read_share(const SweepOptions& o) {
  if (o.points_file.empty()) return std::nullopt;
  std::ifstream in(o.points_file);
  if (!in) throw ConfigError({o.points_file, 0, 0}, "", "cannot read the points file");
  PointShare share{o.points_file, {}};
  std::string line;
  std::size_t position = 0;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      const bool digits = word.size() <= 18 && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits)
        throw ConfigError({o.points_file, line_no, 0}, "",
                          "expected point indices (whole numbers 0, 1, ... separated by spaces or lines), found '" +
                              word + "'");
      if (static_cast<int>(position % static_cast<std::size_t>(o.shards)) == o.shard)
        share.indices.push_back(static_cast<std::size_t>(std::stoull(word)));
      ++position;
    }
  }
  if (in.bad()) throw ConfigError({o.points_file, 0, 0}, "", "cannot read the points file (is it a directory?)");
  if (position == 0) throw ConfigError({o.points_file, 0, 0}, "", "the points file lists no point indices");
  return share;
}

// The best point for each objective, and the Pareto front's size over the first two.
void print_outcome(const SweepPlan& plan, const ResultsDb& db, int64_t failing_constraints) {
  std::set<std::string> ours;
  for (std::size_t i : plan.runnable) ours.insert(plan.hashes[i]);
  std::vector<PointRecord> points;
  for (PointRecord& r : db.points())
    if (ours.count(r.hash)) points.push_back(std::move(r));
  int64_t ok = 0;
  for (const PointRecord& r : points) ok += r.status == "ok";
  std::cout << fmt::format("results: {} ok, {} failed, in {}\n", ok, static_cast<int64_t>(points.size()) - ok, db.path());
  if (failing_constraints > 0) {
    std::string texts;
    for (const SweepConstraint& c : plan.spec.constraints)
      if (c.reads_results()) texts += (texts.empty() ? "" : ", ") + c.text;
    std::cout << fmt::format("{} ok points fail a constraint on their results ({}): kept in the file, left off the "
                             "fronts and the best points\n",
                             failing_constraints, texts);
  }
  if (ok == 0) {
    for (const PointRecord& r : points)
      if (r.status != "ok") {
        std::cout << "first error: " << r.error << "\n";
        break;
      }
    return;
  }
  for (const std::string& objective : plan.spec.objectives) {
    const auto front = pareto_front(points, {objective});
    if (front.empty()) {
      std::cout << fmt::format("best {:<10} none: no ok point passes the constraints on results\n", objective);
      continue;
    }
    const PointRecord& best = points[front.front()];
    std::string params;
    for (const ParamValue& v : best.params) params += (params.empty() ? "" : " ") + v.name + "=" + v.value;
    // A best point whose run warned (clipping ADCs, layers not costed) says so beside its figure.
    std::cout << fmt::format("best {:<10} {:>12.4g} {:<4}  {}{}\n", objective, objective_value(best, objective),
                             objective_unit(objective), params,
                             best.warnings.empty() ? "" : fmt::format("  ! {} warning(s): {}", best.warnings.size(),
                                                                      best.warnings.front()));
  }
  if (plan.spec.objectives.size() >= 2) {
    const std::vector<std::string> two(plan.spec.objectives.begin(), plan.spec.objectives.begin() + 2);
    std::cout << fmt::format("Pareto front ({}, {}): {} points; `qnnsim results {} --pareto {},{}` lists them\n", two[0],
                             two[1], pareto_front(points, two).size(), db.path(), two[0], two[1]);
  }
}

// The binary, the command line and a content hash of every input the points resolve from.
std::vector<std::pair<std::string, std::string>> sweep_provenance(const SweepSpec& spec, const std::string& command_line) {
  std::vector<std::pair<std::string, std::string>> p = {{"qnnsim_version", qnnsim_version()},
                                                        {"commit", qnnsim_commit()},
                                                        {"command_line", command_line},
                                                        {"spec_sha1", sha1_hex(spec.text)},
                                                        {"arch_sha1", sha1_hex(spec.arch_text)},
                                                        {"energy_table_sha1", sha1_hex(spec.energy_table_text)}};
  for (std::size_t i = 0; i < spec.workload_files.size(); ++i)
    p.emplace_back("workload_sha1:" + spec.workload_files[i], sha1_hex(spec.workload_texts[i]));
  return p;
}

// The error of the first of the plan's points that failed, by point order.
std::string first_error(const SweepPlan& plan, const ResultsDb& db) {
  std::set<std::string> ours;
  for (std::size_t i : plan.runnable) ours.insert(plan.hashes[i]);
  for (const PointRecord& r : db.points())
    if (ours.count(r.hash) && r.status != "ok") return r.error;
  return "(no error recorded)";
}

}  // namespace

int run_sweep(const SweepOptions& o) {
  if (o.backend != "local" && o.backend != "slurm") {
    std::cerr << "error: --backend: expected local or slurm, found '" << o.backend << "'\n";
    return 2;
  }
  const std::unique_ptr<SweepPlan> plan = plan_sweep(o.spec_path, read_share(o));
  const std::string db_path = o.db_path.empty() ? plan->spec.name + ".db" : o.db_path;
  const int jobs = o.jobs > 0 ? o.jobs : cores();
  const auto expanded = static_cast<int64_t>(o.points_file.empty() ? plan->points.size()
                                                                   : plan->runnable.size() + plan->dropped);
  if (o.progress)
    std::cout << fmt::format("sweep {}: {} points, {} dropped by constraints, {} repeat earlier points, {} to run\n",
                             plan->spec.name, expanded, plan->dropped, plan->duplicates, plan->runnable.size());
  if (!plan->runnable.empty()) check_shared_edits(plan->spec, plan->resolver->resolve(plan->points[plan->runnable[0]]));
  if (o.dry_run) {
    // With --resume, what is left: the points not yet in the database.
    if (o.resume && std::filesystem::exists(db_path)) {
      const std::set<std::string> stored = ResultsDb(db_path, false).hashes(!o.retry_failed);
      int64_t present = 0;
      for (std::size_t i : plan->runnable) present += stored.count(plan->hashes[i]) ? 1 : 0;
      std::cout << fmt::format("{} points are already in {}; {} left to run\n", present, db_path,
                               static_cast<int64_t>(plan->runnable.size()) - present);
    }
    return 0;
  }

  ResultsDb db(db_path, true);
  db.note_sweep(plan->spec.name, plan->spec.text);
  db.note_provenance(plan->spec.name, sweep_provenance(plan->spec, o.command_line));
  if (o.backend == "slurm" && merge_leftover_shards(db) > 0 && o.progress)
    std::cout << "merged the points a stopped Slurm run left behind\n";
  const std::set<std::string> stored = db.hashes(!o.retry_failed);
  std::vector<std::size_t> todo;
  int64_t present = 0;
  for (std::size_t i : plan->runnable) {
    if (stored.count(plan->hashes[i]))
      ++present;
    else
      todo.push_back(i);
  }
  if (present > 0 && !o.resume) {
    std::cerr << fmt::format("error: '{}' already holds {} of this sweep's {} points; add --resume to run only the "
                             "other {}, or give another --db\n",
                             db_path, present, plan->runnable.size(), todo.size());
    return 2;
  }
  for (const PointRecord& r : plan->unloadable)
    if (!stored.count(r.hash)) db.insert(r);
  if (o.progress && present > 0) std::cout << fmt::format("{} points are already in {}; running the other {}\n", present, db_path, todo.size());

  BackendEnd end = BackendEnd::Done;
  if (!todo.empty())
    end = o.backend == "slurm" ? run_slurm(*plan, todo, db, o) : run_local(*plan, todo, db, jobs, o.progress, o.process_per_point);
  // Points run earlier (--resume) are judged again: the constraints may have changed.
  const int64_t failing = judge_results(*plan, db);
  if (end == BackendEnd::Interrupted) {
    std::cerr << fmt::format("interrupted: finished points are stored in '{}'; run the same command with --resume to "
                             "do the rest\n", db_path);
    return 130;
  }
  if (o.progress) print_outcome(*plan, db, failing);
  if (end == BackendEnd::Failed) return 1;
  // Every point failing is a problem with the spec, not a result: said on
  // standard error even when progress and the summary are off.
  const std::set<std::string> ok = db.hashes(false);
  for (std::size_t i : plan->runnable)
    if (ok.count(plan->hashes[i])) return 0;
  if (plan->runnable.empty()) return 0;
  std::cerr << fmt::format("error: every point of the sweep failed; the first: {}\n", first_error(*plan, db));
  return 1;
}

}  // namespace qnnsim
