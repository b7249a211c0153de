// A 2D mesh of routers over the PE array (or over clusters of PEs, a
// concentrated mesh as ISAAC's and PUMA's), the buffer attached to one router
// on an edge or split into a slice at every router (Eyeriss v2's GLB
// clusters), X-Y dimension-order routing, multicast as trees along the X-Y
// routes (mesh_routes.h).
//
// A tile's transfer is timed in closed form, not packet by packet: its bits
// split over the pattern's groups put a load on every link their trees cross,
// and the transfer takes ceil(busiest link's bits / link_width) cycles of
// serialisation plus router_cycles per link of its longest route (the head's
// latency). Transfers to the PEs share one calendar and transfers back to the
// buffer another (they use links of opposite directions), so two transfers of
// one direction never overlap, even on disjoint links: a conservative choice.
//
// Energy: every bit pays mesh_router_per_bit for each router it visits and
// mesh_link_per_bit for each link it crosses (the energy table's entries).
#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "arch/roles.h"
#include "noc/mesh_routes.h"

namespace qnnsim {

namespace {

class MeshSpec;

class MeshModule : public ComponentModule {
 public:
  MeshModule(sc_core::sc_module_name name, const MeshSpec& spec);
  void prepare(const std::vector<Layer>& layers) override;
  std::optional<ComponentStats> stats(double run_s) const override;
  void layer_figures(int layer, double layer_s, std::map<std::string, double>& out) const override;
  // Link loads are summed per pattern as floating point: not replayed.
  bool replayable() const override { return false; }

 private:
  void serve(Work& work, sc_core::sc_time& delay) override;
  struct Pattern {
    RouteLoad load;
    std::vector<double> bits;  // sent over this pattern by each layer, for link utilization
  };
  Pattern& pattern(const Work& work);
  // Each link's bits over what it could carry in `span_s`, from the layers in [first, last).
  std::vector<double> link_use(std::size_t first, std::size_t last, double span_s) const;
  std::size_t layers_ = 0;
  const MeshSpec& mesh_;
  // Tiles repeat a few patterns: each is routed once.
  std::map<std::tuple<int, int64_t, int64_t, int64_t>, Pattern> patterns_;
  int sent_id_ = 0, delivered_id_ = 0, link_id_ = 0, router_id_ = 0;
};

class MeshSpec : public NocSpec {
 public:
  MeshSpec(const ConfigNode& node, const BuildContext& ctx) : NocSpec(node, ctx) {
    const std::string routing = node.text("routing");
    if (routing != "xy") node.fail("routing", "expected 'xy' (X-Y dimension-order routing), found '" + routing + "'");
    injection_ = node.text("injection");
    if (injection_ != "corner" && injection_ != "edge_middle")
      node.fail("injection", "expected 'corner' or 'edge_middle', found '" + injection_ + "'");
    // Where the buffer sits: at the injection router, or a slice of it at every router.
    const std::string at = node.text("buffer_at", "injection");
    if (at != "injection" && at != "every_router")
      node.fail("buffer_at", "expected 'injection' or 'every_router', found '" + at + "'");
    layout_.slices = at == "every_router";
    link_width_ = node.whole_bits("link_width", 1 << 20);
    router_cycles_ = node.integer("router_cycles", 0);
    if (const auto c = node.optional_child("concentration")) {
      concentration_ = *c;
      layout_.conc_rows = c->integer("rows", 1);
      layout_.conc_cols = c->integer("cols", 1);
      c->reject_unknown_keys();
    }
    router_pj_ = table_.energy_pj("mesh_router_per_bit", node);
    link_pj_ = table_.energy_pj("mesh_link_per_bit", node);
    finish_parse();
  }

  void fit_array(int64_t rows, int64_t cols) override {
    for (auto [key, pes, per] : {std::tuple{"rows", rows, layout_.conc_rows}, std::tuple{"cols", cols, layout_.conc_cols}}) {
      if (pes % per == 0) continue;
      const std::string msg = "a concentration of " + std::to_string(per) + " PEs per router must divide the array's " +
                              std::to_string(pes) + " " + key;
      if (concentration_) concentration_->fail(key, msg);
      node_.fail("concentration", msg);
    }
    layout_.pe_rows = rows;
    layout_.pe_cols = cols;
    layout_.inject_x = injection_ == "corner" ? 0 : layout_.routers_x() / 2;
  }

  const MeshLayout& layout() const { return layout_; }
  int64_t link_width() const { return link_width_; }
  int64_t router_cycles() const { return router_cycles_; }
  double period_s() const { return tech_.period_s(); }

  // Two networks for the mapper's estimate: to the PEs and back. Each is as
  // wide as the links leaving (entering) the buffer's router together, or
  // with slices every slice's port, an upper bound on the rate, so the
  // estimate stays a lower bound on time.
  int networks() const override { return 2; }
  int network_of(Tensor t) const override { return t == Tensor::Weights || t == Tensor::Inputs ? 0 : 1; }
  int64_t network_width_bits(int /*network*/) const override {
    const int64_t nx = layout_.routers_x(), ny = layout_.routers_y();
    const int64_t x = layout_.inject_x;
    const int64_t links = (x > 0 ? 1 : 0) + (x + 1 < nx ? 1 : 0) + (ny > 1 ? 1 : 0);
    const int64_t ports = layout_.slices ? nx * ny : 0;
    return std::max<int64_t>({links, ports, 1}) * link_width_;
  }
  // The longest X-Y route between the buffer's router and the region, as
  // route_to_pes and route_to_buffer find it: along row 0 to the farther of
  // the region's first and last router columns, then down to its last router
  // row. With a slice at every router a group's values start at its own
  // corner, nearer by an amount the estimate does not know: 0 there.
  int64_t head_cycles(int64_t rows, int64_t cols) const override {
    if (layout_.slices) return 0;
    const int64_t r = rows > 0 ? std::min(rows, layout_.pe_rows) : layout_.pe_rows;
    const int64_t c = cols > 0 ? std::min(cols, layout_.pe_cols) : layout_.pe_cols;
    const int64_t last_x = (c - 1) / layout_.conc_cols, last_y = (r - 1) / layout_.conc_rows;
    return router_cycles_ * (std::max(last_x - layout_.inject_x, layout_.inject_x) + last_y);
  }
  // MeshModule::serve reserves every transfer to the PEs on one calendar.
  bool reads_back_beside_inputs() const override { return true; }
  // As MeshModule::serve times a transfer, less its rounding up to whole
  // cycles: the busiest link's share of the bits over the link's width. The
  // mapper asks it for every candidate it scores, and candidates share a few
  // regions: each is routed once (behind a lock, for callers on several
  // threads).
  bool rate_by_route() const override { return true; }
  double cycles_per_bit(bool to_pes, int64_t rows, int64_t cols, int64_t copies, bool from_dram) const override {
    const MeshLayout& m = layout_;
    const int64_t r = rows > 0 ? std::min(rows, m.pe_rows) : m.pe_rows;
    const int64_t c = cols > 0 ? std::min(cols, m.pe_cols) : m.pe_cols;
    enum Route { ToPes, ToBuffer, FromSlices, ToSlices };
    const Route route = !to_pes ? (m.slices ? ToSlices : ToBuffer)
                        : m.slices && !from_dram ? FromSlices
                                                 : ToPes;
    const auto key = std::make_tuple(static_cast<int>(route), r, c, route == ToPes || route == FromSlices ? copies : 1);
    const std::lock_guard<std::mutex> lock(routed_mutex_);
    auto it = routed_.find(key);
    if (it == routed_.end()) {
      RouteLoad load;
      switch (route) {
        case ToPes: load = route_to_pes(m, r, c, copies); break;
        case ToBuffer: load = route_to_buffer(m, r, c); break;
        case FromSlices: load = route_from_slices(m, r, c, copies); break;
        case ToSlices: load = route_to_slices(m, r, c); break;
      }
      const double per_bit =
          static_cast<double>(load.busiest) / static_cast<double>(load.groups) / static_cast<double>(link_width_);
      it = routed_.emplace(key, per_bit).first;
    }
    return it->second;
  }
  std::unique_ptr<ComponentModule> build(const char* name) const override {
    return std::make_unique<MeshModule>(name, *this);
  }

 protected:
  double model_energy_pj(const ActionDesc& a) const override {
    if (a.action == "router_bits") return router_pj_;
    if (a.action == "link_bits") return link_pj_;
    return 0.0;  // sent and delivered bits are priced by the routers and links they cross
  }
  double model_area_um2() const override { return 0; }  // no published router area at these nodes is used
  std::vector<std::string> action_names() const override { return {"router_bits", "link_bits"}; }

 private:
  MeshLayout layout_;
  std::optional<ConfigNode> concentration_;
  std::string injection_;
  int64_t link_width_ = 1, router_cycles_ = 0;
  double router_pj_ = 0, link_pj_ = 0;
  mutable std::mutex routed_mutex_;
  mutable std::map<std::tuple<int, int64_t, int64_t, int64_t>, double> routed_;  // cycles_per_bit by route and region
};

MeshModule::MeshModule(sc_core::sc_module_name name, const MeshSpec& spec) : ComponentModule(name, spec), mesh_(spec) {
  set_lanes({"to PEs", "to buffer"});
}

void MeshModule::prepare(const std::vector<Layer>& layers) {
  log_.set_layers(static_cast<int>(layers.size()));
  layers_ = layers.size();
  sent_id_ = log_.declare("noc", "sent_bits", 0);
  delivered_id_ = log_.declare("noc", "delivered_bits", 0);
  router_id_ = log_.declare("noc", "router_bits", 0);
  link_id_ = log_.declare("noc", "link_bits", 0);
}

MeshModule::Pattern& MeshModule::pattern(const Work& work) {
  const MeshLayout& m = mesh_.layout();
  const int64_t rows = work.rows_used > 0 ? std::min(work.rows_used, m.pe_rows) : m.pe_rows;
  const int64_t cols = work.cols_used > 0 ? std::min(work.cols_used, m.pe_cols) : m.pe_cols;
  // Copies of each value: delivered over sent bits, to the nearest whole PE.
  const int64_t copies = work.to_buffer ? 1
                                        : static_cast<int64_t>((work.delivered_bits + work.bits / 2) / work.bits);
  // Which routes: to or from the buffer's router, or the slices; DRAM's traffic enters at the edge.
  enum Route { ToPes, ToBuffer, FromSlices, ToSlices };
  const Route route = work.to_buffer ? (m.slices ? ToSlices : ToBuffer) : (m.slices && !work.from_dram ? FromSlices : ToPes);
  const auto key = std::make_tuple(static_cast<int>(route), rows, cols, copies);
  auto it = patterns_.find(key);
  if (it == patterns_.end()) {
    Pattern p;
    p.bits.assign(layers_, 0.0);
    switch (route) {
      case ToPes: p.load = route_to_pes(m, rows, cols, copies); break;
      case ToBuffer: p.load = route_to_buffer(m, rows, cols); break;
      case FromSlices: p.load = route_from_slices(m, rows, cols, copies); break;
      case ToSlices: p.load = route_to_slices(m, rows, cols); break;
    }
    it = patterns_.emplace(key, std::move(p)).first;
  }
  return it->second;
}

// bits x n / groups, rounded to the nearest bit.
uint64_t share(uint64_t bits, uint64_t n, uint64_t groups) {
  const unsigned __int128 v = static_cast<unsigned __int128>(bits) * n + groups / 2;
  return static_cast<uint64_t>(v / groups);
}

void MeshModule::serve(Work& work, sc_core::sc_time& delay) {
  if (work.bits == 0) return;  // nothing to route: no copies to count, no time
  Pattern& p = pattern(work);
  const RouteLoad& load = p.load;
  const uint64_t busiest_bits = share(work.bits, load.busiest, load.groups);
  const uint64_t width = static_cast<uint64_t>(mesh_.link_width());
  const uint64_t cycles = (busiest_bits + width - 1) / width;
  const double head = static_cast<double>(load.longest_route * mesh_.router_cycles()) * mesh_.period_s();
  delay = reserve(delay, seconds(static_cast<double>(cycles) * mesh_.period_s()), work.to_buffer ? 1 : 0) + seconds(head);
  p.bits[static_cast<std::size_t>(work.layer)] += static_cast<double>(work.bits);
  log_.add(work.layer, sent_id_, work.bits);
  log_.add(work.layer, delivered_id_, work.delivered_bits);
  log_.add(work.layer, link_id_, share(work.bits, load.link_traversals, load.groups));
  log_.add(work.layer, router_id_, share(work.bits, load.router_traversals, load.groups));
}

// Per directed link (index MeshLayout::link: direction, row, column), the
// fraction of the run's cycles it carried bits, and the hottest link's.
std::vector<double> MeshModule::link_use(std::size_t first, std::size_t last, double span_s) const {
  std::vector<double> used(static_cast<std::size_t>(mesh_.layout().links()), 0.0);
  const double capacity = static_cast<double>(mesh_.link_width()) * span_s / mesh_.period_s();
  for (const auto& [key, p] : patterns_) {
    double bits = 0;
    for (std::size_t layer = first; layer < last; ++layer) bits += p.bits[layer];
    for (std::size_t l = 0; l < used.size(); ++l)
      used[l] += bits * static_cast<double>(p.load.link_groups[l]) / static_cast<double>(p.load.groups) / capacity;
  }
  return used;
}

void MeshModule::layer_figures(int layer, double layer_s, std::map<std::string, double>& out) const {
  if (!(layer_s > 0)) return;
  const auto l = static_cast<std::size_t>(layer);
  const std::vector<double> used = link_use(l, l + 1, layer_s);
  out["hottest_link_utilization_fraction"] = used.empty() ? 0.0 : *std::max_element(used.begin(), used.end());
}

std::optional<ComponentStats> MeshModule::stats(double run_s) const {
  ComponentStats s;
  s.component = spec().instance();
  if (!(run_s > 0)) return std::nullopt;  // an empty run: no time to use
  std::vector<double> used = link_use(0, layers_, run_s);
  double hottest = 0;
  for (double u : used) hottest = std::max(hottest, u);
  s.values.push_back({"hottest_link_utilization_fraction", hottest});
  s.values.push_back({"routers_x", static_cast<double>(mesh_.layout().routers_x())});
  s.values.push_back({"routers_y", static_cast<double>(mesh_.layout().routers_y())});
  s.series.push_back({"link_utilization_fraction", std::move(used)});
  return s;
}

QNNSIM_REGISTER(NocSpec::Registry, "Mesh2D", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<NocSpec>(new MeshSpec(n, c));
});

}  // namespace
}  // namespace qnnsim
