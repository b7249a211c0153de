#include "sweep/point_workload_memo.h"

#include <optional>
#include <string>
#include <vector>

namespace qnnsim {

namespace {

bool workload_edited(const SweepSpec& spec) {
  for (const SweepParameter& p : spec.parameters)
    if (!p.in_arch && !p.in_accuracy) return true;
  return false;
}

// Everything load_point_workload reads when no parameter edits the tree: the
// tree is the parse of this text from this file, and the options are applied to it.
struct WorkloadSource {
  std::string file, text;
  int64_t batch = 0;
  std::vector<std::string> bits, densities;

  static WorkloadSource of(const SweepSpec& spec, std::size_t index) {
    return {spec.workload_files[index], spec.workload_texts[index], spec.options.batch, spec.options.bits,
            spec.options.densities};
  }
  bool operator==(const WorkloadSource& o) const {
    return file == o.file && text == o.text && batch == o.batch && bits == o.bits && densities == o.densities;
  }
};

struct Memo {
  WorkloadSource source;
  Workload workload;
};

}  // namespace

const Workload& memoized_point_workload(const SweepSpec& spec, const ResolvedPoint& r) {
  static std::optional<Memo> memo;
  static Workload fresh;
  if (workload_edited(spec)) {
    fresh = load_point_workload(spec, r);
    return fresh;
  }
  WorkloadSource source = WorkloadSource::of(spec, r.workload_index);
  if (!memo || !(memo->source == source)) {
    memo.reset();  // a load that throws leaves no memo behind
    memo = Memo{std::move(source), load_point_workload(spec, r)};
  }
  return memo->workload;
}

}  // namespace qnnsim
