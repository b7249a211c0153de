#include "controller/controller.h"

#include <algorithm>
#include <tuple>

#include "controller/relative_quantum_keeper.h"
#include "core/progress.h"
#include "core/trace_recorder.h"

namespace qnnsim {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

Controller::Controller(sc_core::sc_module_name name, const ArchSpec& arch, const Workload& workload,
                       const std::vector<LayerPlan>& plans)
    : sc_core::sc_module(name),
      dram("dram"),
      glb("glb"),
      noc("noc"),
      array("array"),
      vector("vector"),
      arch_(arch),
      workload_(workload),
      plans_(plans),
      timing_(plans.size()),
      slots_free_(arch.glb->tile_slots()),
      skipped_before_layer_(plans.size()) {
  uint64_t index = 0;
  for (std::size_t l = 0; l < plans.size(); ++l) {
    first_tile_.push_back(index);
    index += plans[l].tiles.size();
    const LayerPrecision& p = workload.layers[l].precision;
    requantizes_.push_back(!arch.vector_unit->requant_action(p).action.empty());
    sums_zero_points_.push_back(!arch.vector_unit->zero_point_action(p).action.empty());
  }
  loaded_at_.assign(index, SC_ZERO_TIME);
  compute_end_.assign(index, SC_ZERO_TIME);
  payload_.set_extension(&work_);
  payload_.set_data_length(0);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(arch.quantum_s, sc_core::SC_SEC));
  SC_THREAD(loader);
  SC_THREAD(compute);
  SC_THREAD(storer);
}

// The payload would free its extensions on destruction; work_ is a member.
Controller::~Controller() { payload_.clear_extension(&work_); }

sc_time Controller::issue(Socket& socket, Work::Kind kind, int layer, uint64_t bits, const sc_time& at) {
  const sc_time now = sc_core::sc_time_stamp();
  const bool moves_data = kind == Work::Kind::Read || kind == Work::Kind::Write || kind == Work::Kind::Transfer;
  if (moves_data && bits == 0) return std::max(at, now);
  work_.kind = kind;
  work_.layer = layer;
  work_.bits = bits;
  sc_time delay = at > now ? at - now : SC_ZERO_TIME;
  payload_.set_command(kind == Work::Kind::Write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  socket->b_transport(payload_, delay);
  return now + delay;
}

void Controller::loader() {
  for (std::size_t l = 0; l < plans_.size(); ++l) {
    const int layer = static_cast<int>(l);
    while (stored_ < first_tile_[l]) {  // the previous layer's outputs are in DRAM
      loader_waits_ = Waiting::Layer;
      wait(stored_ev_);
    }
    timing_[l].start = sc_core::sc_time_stamp();
    skipped_before_layer_[l] = skipped_time_;
    const uint64_t end_tile = first_tile_[l] + plans_[l].tiles.size();
    // Counted by issued_, not by a local index: a replayed tile (tile_replay.h)
    // moves all three threads' counts on at once.
    while (issued_ < end_tile) {
      while (slots_free_ == 0) {
        loader_waits_ = Waiting::Slot;
        wait(slot_ev_);
      }
      // Read after the wait: a period skipped meanwhile moves the next tile on.
      const uint64_t k = issued_;
      if (replay(k, l, settle_recording(k, l))) continue;
      const GlbTile tile = plans_[l].tiles[k - first_tile_[l]];
      --slots_free_;
      if (TraceRecorder* tr = trace_recorder())
        tr->counter("glb tile slots in use", sc_core::sc_time_stamp(), arch_.glb->tile_slots() - slots_free_);
      const sc_time t = sc_core::sc_time_stamp();
      sc_time done = t;
      for (auto [tensor, from_dram, into_buffer] :
           {std::tuple{Tensor::Weights, tile.weight_load_bits, tile.weight_load_bits},
            std::tuple{Tensor::Inputs, tile.input_dram_bits, tile.input_load_bits}}) {
        work_.tensor = tensor;  // a DRAM device places each tensor in its own region
        done = std::max(done, issue(dram, Work::Kind::Read, layer, from_dram, t));
        done = std::max(done, issue(glb, Work::Kind::Write, layer, into_buffer, t));
        timing_[l].dram_bits += from_dram;
      }
      // The compute thread may plan around this DMA's end as soon as it is booked.
      loaded_at_[issued_] = done;
      ++issued_;
      issued_ev_.notify(SC_ZERO_TIME);
      loader_waits_ = Waiting::Dma;
      loader_until_ = done;
      wait(done - sc_core::sc_time_stamp());
    }
  }
}

bool Controller::quiet() const {
  if (!tile_replay_enabled() || trace_recorder() != nullptr || components_.empty()) return false;
  if (stored_ != issued_ || computed_ != issued_ || slots_free_ != arch_.glb->tile_slots()) return false;
  if (sc_core::sc_pending_activity_at_current_time()) return false;
  const sc_time now = sc_core::sc_time_stamp();
  for (const ComponentModule* c : components_)
    if (!c->replayable() || !c->idle_after(now)) return false;
  return true;
}

void Controller::compute() {
  RelativeQuantumKeeper qk;
  qk.reset();
  for (std::size_t l = 0; l < plans_.size(); ++l) {
    const int layer = static_cast<int>(l);
    const uint64_t end_tile = first_tile_[l] + plans_[l].tiles.size();
    for (uint64_t index = first_tile_[l]; index < end_tile;) {
      // The array is free when its last tile ended, which is its local time
      // (or, once it has waited, the present). If the tile's DMA has not been
      // booked yet, synchronise and wait until the loader books it; then the
      // tile starts when both the array and its data are ready.
      if (issued_ <= index) {
        qk.sync();
        while (issued_ <= index) wait(issued_ev_);
        qk.reset();
      }
      // Tiles replayed while this thread waited (tile_replay.h) are computed:
      // on to the first that is not, in one step (a batch replays thousands).
      if (index < computed_) {
        index = computed_;
        continue;
      }
      const GlbTile tile = plans_[l].tiles[index - first_tile_[l]];
      const sc_time free_at = last_compute_end_;
      const sc_time ready = loaded_at_[index];
      // Waiting before the layer began belongs to the previous layer's store drain.
      const sc_time waited_from = std::max(free_at, timing_[l].start);
      if (ready > waited_from) {
        timing_[l].load_stall += ready - waited_from;
        timing_[l].stall_dram += ready - waited_from;
        if (TraceRecorder* tr = trace_recorder()) tr->stall("stalls", "dram", layer, waited_from, ready);
      }
      const sc_time t = std::max(free_at, ready);
      // Every tile starts in step with the other threads, its quantum counted
      // from there: what follows then depends only on times relative to the
      // tile's start (relative_quantum_keeper.h, periodic_replay.h).
      if (t > sc_core::sc_time_stamp()) {
        qk.set(t - sc_core::sc_time_stamp());
        qk.sync();
      } else {
        qk.reset();
      }
      // The other threads run up to the present first, so that the state here
      // is all in the controller's members and the components' calendars.
      while (sc_core::sc_pending_activity_at_current_time()) wait(SC_ZERO_TIME);
      settle_period(l, index);
      const sc_time end = plans_[l].uses_array ? run_array_tile(layer, plans_[l], tile, t, index) : run_vector_tile(layer, tile, t);
      // The storer may drain this tile once simulated time reaches its end.
      compute_end_[index] = end;
      timing_[l].compute_end = end;
      last_compute_end_ = end;
      computed_ = next_tile(computed_);
      computed_ev_.notify(end - sc_core::sc_time_stamp());
      qk.set(end - sc_core::sc_time_stamp());
      if (qk.need_sync()) qk.sync();
      index = next_tile(index);
    }
  }
  qk.sync();
}

sc_time Controller::run_array_tile(int layer, const LayerPlan& plan, const GlbTile& tile, sc_time t, uint64_t index) {
  const ArraySpec& pe = *arch_.pe_array;
  // Moves a value set from the buffer over the network into the PE
  // scratchpads; weights the buffer does not keep come from DRAM instead
  // (the engine lets only weights pass through; they cross as the PE array
  // stores them, raw or compressed).
  const auto deliver = [&](const ArrayPass::Move& mv, Tensor tensor, sc_time at, Finish& done) {
    work_.tensor = tensor;  // the DRAM region it comes from, the network it travels on
    work_.from_dram = !arch_.glb->keeps(tensor);
    if (!work_.from_dram) {
      done.merge(issue(glb, Work::Kind::Read, layer, mv.glb_bits, at), Cause::Buffer);
    } else {
      done.merge(issue(dram, Work::Kind::Read, layer, mv.glb_bits, at), Cause::Dram);
      timing_[static_cast<std::size_t>(layer)].dram_bits += mv.glb_bits;
    }
    work_.delivered_bits = mv.delivered_bits;
    work_.to_buffer = false;
    done.merge(issue(noc, Work::Kind::Transfer, layer, mv.sent_bits, at), Cause::Noc);
    if (mv.values > 0) {
      work_.values = mv.values;
      issue(array, Work::Kind::Fill, layer, 0, at);
    }
  };
  // A pass's weights: fetched (buffer -> network -> PE registers) when the walker says so.
  const auto load_weights = [&](const ArrayPass& a, sc_time at) {
    Finish ready{at, Cause::Noc};
    if (!a.weights_fetched) {
      ready.at = std::max(at, weights_ready_);
      return ready;
    }
    // The PEs the weights go to: a network laid out over the array routes by them.
    work_.rows_used = a.rows_used;
    work_.cols_used = a.cols_used;
    deliver(a.weights, Tensor::Weights, at, ready);
    work_.rows_used = a.weight_rows;
    // Taking the tile into the PEs is network time too.
    ready.merge(issue(array, Work::Kind::LoadWeights, layer, 0, at), Cause::Noc);
    weights_ready_ = ready.at;
    return ready;
  };

  RelativeQuantumKeeper qk;
  qk.reset();
  sc_time array_free = t;
  const NestWalker::TilePasses passes = plan.walker->passes(tile.index);
  ArrayPass a = passes.pass(0);
  // The first weights can load into the shadow registers as soon as the tile's
  // data is in the buffer and the previous pass has started.
  const sc_time first_at = pe.double_buffered_weights() ? std::max(last_pass_start_, loaded_at_[index]) : t;
  Finish weights = load_weights(a, first_at);
  for (uint64_t i = 0; i < tile.passes; ++i) {
    // Waiting for this pass's weights stalls the array on whatever delivered them last.
    if (weights.at > array_free) charge_stall(layer, weights.cause, array_free, weights.at);
    const sc_time start = std::max(array_free, weights.at);
    work_.macs = a.macs;
    work_.iterations = a.iterations;
    work_.rows_used = a.rows_used;
    work_.cols_used = a.cols_used;
    const sc_time computed = issue(array, Work::Kind::Compute, layer, 0, start);
    Finish done{computed, Cause::Array};
    // Streamed operands, inputs and partial sums move while the array computes.
    if (!a.weights_fetched && a.weights.glb_bits > 0) deliver(a.weights, Tensor::Weights, start, done);
    if (a.inputs.glb_bits > 0) deliver(a.inputs, Tensor::Inputs, start, done);
    if (a.psums_in_to_pes) {
      deliver(a.psums_in, Tensor::Outputs, start, done);
    } else {
      done.merge(issue(glb, Work::Kind::Read, layer, a.psums_in.glb_bits, start), Cause::Buffer);
    }
    if (a.psums_out.values > 0 || a.hop_bits > 0) {
      work_.values = a.psums_out.values;
      work_.hop_bits = a.hop_bits;
      issue(array, Work::Kind::Drain, layer, 0, start);
    }
    work_.delivered_bits = a.psums_out.delivered_bits;
    work_.tensor = Tensor::Outputs;
    work_.to_buffer = true;
    done.merge(issue(noc, Work::Kind::Transfer, layer, a.psums_out.sent_bits, start), Cause::Noc);
    work_.to_buffer = false;
    done.merge(issue(glb, Work::Kind::Write, layer, a.psums_out.glb_bits, start), Cause::Buffer);
    const sc_time end = done.at;
    timing_[static_cast<std::size_t>(layer)].compute += computed - start;
    if (end > computed) charge_stall(layer, done.cause, computed, end);

    // The next weight tile loads into the shadow registers while this one
    // computes, or after it with a single register set.
    if (i + 1 < tile.passes) {
      a = passes.pass(i + 1);
      weights = load_weights(a, pe.double_buffered_weights() ? start : end);
    } else {
      last_pass_start_ = start;
    }
    array_free = end;
    qk.set(array_free - sc_core::sc_time_stamp());
    if (qk.need_sync()) qk.sync();
  }
  return array_free;
}

sc_time Controller::run_vector_tile(int layer, const GlbTile& tile, sc_time t) {
  work_.vector = tile.vector;
  const sc_time computed = issue(vector, Work::Kind::Vector, layer, 0, t);
  Finish done{computed, Cause::Array};
  done.merge(issue(glb, Work::Kind::Read, layer, tile.vector_in_bits, t), Cause::Buffer);
  done.merge(issue(glb, Work::Kind::Write, layer, tile.vector_out_bits, t), Cause::Buffer);
  timing_[static_cast<std::size_t>(layer)].compute += computed - t;
  if (done.at > computed) charge_stall(layer, done.cause, computed, done.at);
  return done.at;
}

void Controller::charge_stall(int layer, Cause cause, const sc_time& from, const sc_time& to) {
  LayerTiming& lt = timing_[static_cast<std::size_t>(layer)];
  const char* why = cause == Cause::Noc ? "noc" : cause == Cause::Dram ? "dram" : "buffer";
  (cause == Cause::Noc ? lt.stall_noc : cause == Cause::Dram ? lt.stall_dram : lt.stall_buffer) += to - from;
  if (TraceRecorder* tr = trace_recorder()) tr->stall("stalls", why, layer, from, to);
}

void Controller::storer() {
  for (std::size_t l = 0; l < plans_.size(); ++l) {
    const int layer = static_cast<int>(l);
    const uint64_t end_tile = first_tile_[l] + plans_[l].tiles.size();
    while (stored_ < end_tile) {
      while (computed_ <= stored_) {
        storer_waits_ = Waiting::Computed;
        wait(computed_ev_);
      }
      const uint64_t k = stored_;  // tiles replayed while this thread waited are stored already
      const GlbTile tile = plans_[l].tiles[k - first_tile_[l]];
      const sc_time ready = compute_end_[k];
      if (ready > sc_core::sc_time_stamp()) {
        storer_waits_ = Waiting::Ready;
        storer_until_ = ready;
        wait(ready - sc_core::sc_time_stamp());
      }
      const sc_time t = sc_core::sc_time_stamp();
      work_.tensor = Tensor::Outputs;
      sc_time done = std::max(issue(glb, Work::Kind::Read, layer, tile.output_read_bits, t),
                              issue(dram, Work::Kind::Write, layer, tile.output_store_bits, t));
      // Finished outputs stream through the vector unit's requantization on the way out.
      if (tile.output_values > 0 && requantizes_[l]) {
        work_.values = tile.output_values;
        done = std::max(done, issue(vector, Work::Kind::Requantize, layer, 0, t));
      }
      // Then through the layer's activation functions (a vector layer's tiles apply them as they compute).
      if (tile.output_values > 0 && !workload_.layers[l].activations.empty()) {
        work_.vector = workload_.layers[l].activation_work(static_cast<int64_t>(tile.output_values));
        done = std::max(done, issue(vector, Work::Kind::Vector, layer, 0, t));
      }
      if (tile.output_values > 0 && sums_zero_points_[l]) {
        // Asymmetric weights: each output position needs the sum of its inputs (its reduction's K values).
        work_.values = tile.output_positions * static_cast<uint64_t>(workload_.layers[l].reduction_size());
        done = std::max(done, issue(vector, Work::Kind::ZeroPointSums, layer, 0, t));
      }
      timing_[l].dram_bits += tile.output_store_bits;
      storer_waits_ = Waiting::Store;
      storer_until_ = done;
      wait(done - sc_core::sc_time_stamp());
      ++slots_free_;
      if (TraceRecorder* tr = trace_recorder())
        tr->counter("glb tile slots in use", sc_core::sc_time_stamp(), arch_.glb->tile_slots() - slots_free_);
      slot_ev_.notify(SC_ZERO_TIME);
      stored_ = next_tile(stored_);
      stored_ev_.notify(SC_ZERO_TIME);
    }
    timing_[l].end = sc_core::sc_time_stamp();
    timing_[l].stall_dram += timing_[l].end - timing_[l].compute_end;  // draining the last outputs
    if (TraceRecorder* tr = trace_recorder()) tr->stall("stalls", "dram", layer, timing_[l].compute_end, timing_[l].end);
    // The periods skipped (periodic_replay.h) took time the kernel never ran.
    timing_[l].start += skipped_before_layer_[l];
    timing_[l].end += skipped_time_;
    timing_[l].compute_end += skipped_time_;
    report_progress("simulating", l + 1, plans_.size());
  }
}

}  // namespace qnnsim
