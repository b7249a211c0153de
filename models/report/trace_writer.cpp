#include "report/trace_writer.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace qnnsim {

namespace {

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// chrome://tracing's reserved colour names; Perfetto colours by slice name,
// which is also one per cause ("stall: dram").
const char* colour_of(const std::string& cause) {
  if (cause == "dram") return "terrible";
  if (cause == "buffer") return "bad";
  if (cause == "noc") return "yellow";
  if (cause == "memory") return "rail_load";
  if (cause == "input") return "olive";
  return "grey";  // output: the next stage is full
}

bool moves_data(const std::string& what) { return what == "read" || what == "write" || what == "transfer"; }

// Microseconds, the format's time unit, to the picosecond.
std::string us(double s) { return fmt::format("{:.6f}", s * 1e6); }

}  // namespace

bool TraceFile::keeps(int layer, double start_s, double end_s) const {
  if (!limits_.layers.empty() && limits_.layers.count(layer) == 0) return false;
  if (limits_.from_s && end_s < *limits_.from_s) return false;
  if (limits_.to_s && start_s > *limits_.to_s) return false;
  return true;
}

int TraceFile::track_id(const std::string& track) {
  const auto [it, added] = track_ids_.emplace(track, static_cast<int>(tracks_.size()));
  if (added) tracks_.push_back(track);
  return it->second;
}

void TraceFile::slice(const std::string& track, const char* what, int layer, const sc_core::sc_time& start,
                      const sc_core::sc_time& end, uint64_t bits) {
  const double a = start.to_seconds(), b = end.to_seconds();
  if (keeps(layer, a, b)) slices_.push_back({track_id(track), what, layer, false, a, b, bits});
}

void TraceFile::stall(const std::string& track, const char* cause, int layer, const sc_core::sc_time& start,
                      const sc_core::sc_time& end) {
  const double a = start.to_seconds(), b = end.to_seconds();
  if (b > a && keeps(layer, a, b)) slices_.push_back({track_id(track), cause, layer, true, a, b, 0});
}

void TraceFile::counter(const char* name, const sc_core::sc_time& at, double value) {
  const double t = at.to_seconds();
  if ((limits_.from_s && t < *limits_.from_s) || (limits_.to_s && t > *limits_.to_s)) return;
  counters_.push_back({name, t, value});
}

namespace {

// Slices on one track may overlap (two DMAs booked at once); each gets the
// first lane free at its start, so that every lane's slices are disjoint as
// the format requires. Returns each slice's lane.
std::vector<int> pack_lanes(const std::vector<std::pair<double, double>>& spans, int& lanes) {
  std::vector<std::size_t> order(spans.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return spans[x].first < spans[y].first; });
  std::vector<double> free_at;
  std::vector<int> lane(spans.size());
  for (std::size_t i : order) {
    std::size_t k = 0;
    while (k < free_at.size() && free_at[k] > spans[i].first) ++k;
    if (k == free_at.size()) free_at.push_back(0);
    free_at[k] = spans[i].second;
    lane[i] = static_cast<int>(k);
  }
  lanes = static_cast<int>(free_at.size());
  return lane;
}

}  // namespace

void TraceFile::write(std::ostream& out, const std::string& design, const std::vector<std::string>& layer_names,
                      double clock_hz) const {
  const auto layer_name = [&](int l) {
    return l >= 0 && static_cast<std::size_t>(l) < layer_names.size() ? layer_names[static_cast<std::size_t>(l)]
                                                                       : std::to_string(l);
  };
  out << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"design\":" << quoted(design)
      << ",\"clock_hz\":" << fmt::format("{:.9g}", clock_hz) << "},\"traceEvents\":[\n";
  out << "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":" << quoted(design) << "}}";
  int next_tid = 1;
  const auto name_thread = [&](const std::string& name) {
    const int tid = next_tid++;
    out << fmt::format(",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_name\",\"args\":{{\"name\":{}}}}}", tid,
                       quoted(name));
    out << fmt::format(",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{}}}}}",
                       tid, tid);
    return tid;
  };

  // Layers: from each layer's first to its last recorded transaction or stall.
  std::map<int, std::pair<double, double>> layer_span;
  for (const Slice& s : slices_) {
    auto [it, added] = layer_span.emplace(s.layer, std::pair{s.start_s, s.end_s});
    if (!added) it->second = {std::min(it->second.first, s.start_s), std::max(it->second.second, s.end_s)};
  }
  {
    std::vector<std::pair<double, double>> spans;
    std::vector<int> ids;
    for (const auto& [l, span] : layer_span) {
      spans.push_back(span);
      ids.push_back(l);
    }
    int lanes = 0;
    const std::vector<int> lane = pack_lanes(spans, lanes);
    std::vector<int> tids;
    for (int k = 0; k < lanes; ++k) tids.push_back(name_thread(k == 0 ? "layers" : fmt::format("layers ({})", k + 1)));
    for (std::size_t i = 0; i < spans.size(); ++i)
      out << fmt::format(",\n{{\"ph\":\"X\",\"cat\":\"layer\",\"name\":{},\"pid\":1,\"tid\":{},\"ts\":{},\"dur\":{},"
                         "\"args\":{{\"layer\":{},\"cycles\":{:.0f}}}}}",
                         quoted(layer_name(ids[i])), tids[static_cast<std::size_t>(lane[i])], us(spans[i].first),
                         us(spans[i].second - spans[i].first), ids[i], (spans[i].second - spans[i].first) * clock_hz);
  }

  // One track (or several lanes of it) per component instance or stage.
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    std::vector<const Slice*> mine;
    std::vector<std::pair<double, double>> spans;
    for (const Slice& s : slices_)
      if (s.track == static_cast<int>(t)) {
        mine.push_back(&s);
        spans.emplace_back(s.start_s, s.end_s);
      }
    int lanes = 0;
    const std::vector<int> lane = pack_lanes(spans, lanes);
    std::vector<int> tids;
    for (int k = 0; k < lanes; ++k) tids.push_back(name_thread(k == 0 ? tracks_[t] : fmt::format("{} ({})", tracks_[t], k + 1)));
    // Bandwidth in use: each data-moving slice contributes its bytes over its duration.
    std::vector<std::pair<double, double>> rate_steps;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const Slice& s = *mine[i];
      const double dur = s.end_s - s.start_s;
      const int tid = tids[static_cast<std::size_t>(lane[i])];
      if (s.stall) {
        out << fmt::format(",\n{{\"ph\":\"X\",\"cat\":\"stall\",\"name\":\"stall: {}\",\"cname\":\"{}\",\"pid\":1,\"tid\":{},"
                           "\"ts\":{},\"dur\":{},\"args\":{{\"layer\":{},\"layer_name\":{},\"cause\":\"{}\",\"cycles\":{:.3f}}}}}",
                           s.what, colour_of(s.what), tid, us(s.start_s), us(dur), s.layer, quoted(layer_name(s.layer)),
                           s.what, dur * clock_hz);
        continue;
      }
      out << fmt::format(",\n{{\"ph\":\"X\",\"cat\":\"transaction\",\"name\":\"{}\",\"pid\":1,\"tid\":{},\"ts\":{},\"dur\":{},"
                         "\"args\":{{\"layer\":{},\"layer_name\":{},\"bytes\":{:.9g},\"cycles\":{:.3f}}}}}",
                         s.what, tid, us(s.start_s), us(dur), s.layer, quoted(layer_name(s.layer)), s.bits / 8.0,
                         dur * clock_hz);
      if (moves_data(s.what) && dur > 0 && s.bits > 0) {
        const double gbps = static_cast<double>(s.bits) / 8.0 / dur * 1e-9;
        rate_steps.emplace_back(s.start_s, gbps);
        rate_steps.emplace_back(s.end_s, -gbps);
      }
    }
    std::sort(rate_steps.begin(), rate_steps.end());
    double rate = 0;
    for (std::size_t i = 0; i < rate_steps.size(); ++i) {
      rate += rate_steps[i].second;
      if (i + 1 < rate_steps.size() && rate_steps[i + 1].first == rate_steps[i].first) continue;
      out << fmt::format(",\n{{\"ph\":\"C\",\"pid\":1,\"name\":{},\"ts\":{},\"args\":{{\"GB/s\":{:.6g}}}}}",
                         quoted(tracks_[t] + " bandwidth in use (GB/s)"), us(rate_steps[i].first), std::max(0.0, rate));
    }
  }
  for (const Sample& c : counters_)
    out << fmt::format(",\n{{\"ph\":\"C\",\"pid\":1,\"name\":{},\"ts\":{},\"args\":{{\"value\":{:.9g}}}}}", quoted(c.name),
                       us(c.at_s), c.value);
  out << "\n]}\n";
}

}  // namespace qnnsim
