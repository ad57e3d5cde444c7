#include "minitf/graph/execution_plan.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/logging.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t MixShape(uint64_t h, const Shape& shape) {
  h = Mix(h, static_cast<uint64_t>(shape.rank()));
  for (int64_t d : shape.dims()) h = Mix(h, static_cast<uint64_t>(d));
  return h;
}

absl::Status AnnotateWithNode(const absl::Status& status, const Node& node) {
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(), "\n\t [[{{node ", node.name(), "}}]]"));
}

bool IsRefInput(const OpDef& def, int i) {
  return std::find(def.ref_inputs.begin(), def.ref_inputs.end(), i) !=
         def.ref_inputs.end();
}

}  // namespace

uint64_t PlanSignature::Hash(const FeedDict& feeds,
                             const std::vector<Output>& fetches,
                             const std::vector<Operation>& targets) {
  uint64_t h = 0;
  for (const auto& [output, value] : feeds) {
    h = Mix(h, reinterpret_cast<uintptr_t>(output.node()));
    h = Mix(h, static_cast<uint64_t>(output.index()));
    h = MixShape(h, value.shape());
  }
  h = Mix(h, 0xfeedULL);
  for (const Output& f : fetches) {
    h = Mix(h, reinterpret_cast<uintptr_t>(f.node()));
    h = Mix(h, static_cast<uint64_t>(f.index()));
  }
  h = Mix(h, 0xfe7cULL);
  for (const Operation& t : targets)
    h = Mix(h, reinterpret_cast<uintptr_t>(t.node()));
  return h;
}

bool PlanSignature::Matches(const FeedDict& f, const std::vector<Output>& fe,
                            const std::vector<Operation>& t) const {
  if (f.size() != feeds.size() || fe != fetches || t != targets) return false;
  for (size_t i = 0; i < f.size(); ++i) {
    if (!(f[i].first == feeds[i]) || !(f[i].second.shape() == feed_shapes[i])) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::unique_ptr<ExecutionPlan>> ExecutionPlan::Compile(
    const FeedDict& feeds, const std::vector<Output>& fetches,
    const std::vector<Operation>& targets, const SessionResources& session) {
  auto plan = std::make_unique<ExecutionPlan>();
  PlanSignature& sig = plan->signature_;
  for (const auto& [output, value] : feeds) {
    sig.feeds.push_back(output);
    sig.feed_shapes.push_back(value.shape());
  }
  sig.fetches = fetches;
  sig.targets = targets;

  Graph* graph = nullptr;
  if (!fetches.empty())
    graph = fetches[0].graph();
  else if (!targets.empty())
    graph = targets[0].graph();
  else if (!feeds.empty())
    graph = feeds[0].first.graph();
  if (graph == nullptr) return plan;  // Nothing to run.

  absl::flat_hash_map<Output, int> fed;
  for (int i = 0; i < static_cast<int>(feeds.size()); ++i)
    fed[feeds[i].first] = i;

  // Prune: every node the fetches and targets need, stopping at fed tensors
  // and at ref edges (a variable is passed by reference, not computed).
  const int n = graph->num_nodes();
  std::vector<char> needed(n, 0);
  std::vector<const Node*> stack;
  auto want = [&](const Node* node) {
    if (!needed[node->id()]) {
      needed[node->id()] = 1;
      stack.push_back(node);
    }
  };
  for (const Output& f : fetches) {
    if (!fed.contains(f)) want(f.node());
  }
  for (const Operation& t : targets) want(t.node());
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Output& in = node->input(i);
      if (IsRefInput(node->op_def(), i) || fed.contains(in)) continue;
      want(in.node());
    }
    for (const Node* control : node->control_inputs()) want(control);
  }

  // Slots: fed tensors first, then the outputs of each needed node.
  absl::flat_hash_map<Output, int> slot_of;
  std::vector<Shape> slot_shapes;
  auto new_slot = [&](Output output, const Shape& shape) {
    slot_of[output] = static_cast<int>(slot_shapes.size());
    slot_shapes.push_back(shape);
    plan->slots_.emplace_back();
  };
  for (const auto& [output, value] : feeds) {
    if (!slot_of.contains(output)) new_slot(output, value.shape());
    plan->feed_slots_.push_back(slot_of[output]);
  }

  struct PendingStep {
    const Node* node;
    std::vector<int> in_slots;
    std::vector<VariableSlot*> refs;
    std::vector<int> out_slots;
  };
  std::vector<PendingStep> pending;
  for (const auto& owned : graph->nodes()) {
    const Node& node = *owned;
    if (!needed[node.id()]) continue;
    const OpDef& def = node.op_def();
    if (node.type() == "Placeholder") {
      return absl::InvalidArgumentError(absl::StrCat(
          "You must feed a value for placeholder tensor '", node.name(),
          "' with dtype ", DataTypeProtoName(node.output_dtype(0)),
          " and shape ", node.output_shape(0).DebugString()));
    }
    // Concrete shapes for this plan.
    PendingStep step{&node, {}, {}, {}};
    std::vector<DataType> in_dtypes;
    std::vector<Shape> in_shapes;
    std::vector<const Tensor*> in_values;
    for (int i = 0; i < node.num_inputs(); ++i) {
      const Output& in = node.input(i);
      in_dtypes.push_back(in.dtype());
      if (IsRefInput(def, i)) {
        step.refs.push_back(session.variable(*in.node()));
        step.in_slots.push_back(-1);
        in_shapes.push_back(in.shape());
        in_values.push_back(nullptr);
        continue;
      }
      step.refs.push_back(nullptr);
      const int slot = slot_of.at(in);
      step.in_slots.push_back(slot);
      in_shapes.push_back(slot_shapes[slot]);
      in_values.push_back(in.node()->type() == "Const" && !fed.contains(in)
                              ? &in.node()->attr<Tensor>("value")
                              : nullptr);
    }
    if (def.is_variable) step.refs.push_back(session.variable(node));
    ShapeContext shapes(node.attrs(), in_dtypes, in_shapes, in_values);
    if (def.shape_fn) {
      absl::Status status = def.shape_fn(shapes);
      if (!status.ok()) {
        return AnnotateWithNode(absl::InvalidArgumentError(status.message()),
                                node);
      }
    }
    for (int o = 0; o < node.num_outputs(); ++o) {
      const Shape& shape = shapes.output_shapes[o];
      if (!shape.IsFullyDefined()) {
        return AnnotateWithNode(
            absl::UnimplementedError(
                absl::StrCat("Cannot infer a concrete shape for output ", o,
                             " of '", node.name(), "': ", shape.ToString())),
            node);
      }
      // A fed output still gets a slot of its own to be computed into;
      // consumers keep reading the feed.
      const Output out(const_cast<Node*>(&node), o);
      const int slot = static_cast<int>(slot_shapes.size());
      slot_shapes.push_back(shape);
      plan->slots_.emplace_back();
      if (!slot_of.contains(out)) slot_of[out] = slot;
      step.out_slots.push_back(slot);
      if (def.kernel && !def.forwards_outputs) {
        plan->slots_.back() = Tensor(node.output_dtype(o), shape);
      }
    }
    if (def.kernel) pending.push_back(std::move(step));
  }

  // Steps: pointer arrays are filled only now that slots_ is final.
  for (PendingStep& p : pending) {
    Step step{p.node,
              p.node->op_def().kernel(*p.node),
              static_cast<int>(plan->input_ptrs_.size()),
              static_cast<int>(plan->output_ptrs_.size()),
              static_cast<int>(p.in_slots.size()),
              static_cast<int>(p.out_slots.size())};
    step.refs_begin = static_cast<int>(plan->ref_ptrs_.size());
    step.num_refs = static_cast<int>(p.refs.size());
    std::vector<Shape> in_shapes, out_shapes;
    for (int slot : p.in_slots) {
      plan->input_ptrs_.push_back(slot >= 0 ? &plan->slots_[slot] : nullptr);
      in_shapes.push_back(slot >= 0 ? slot_shapes[slot] : Shape::Unknown());
    }
    for (int i = 0; i < step.num_inputs; ++i) {
      if (p.in_slots[i] < 0) in_shapes[i] = p.node->input(i).shape();
    }
    for (int slot : p.out_slots) {
      plan->output_ptrs_.push_back(&plan->slots_[slot]);
      out_shapes.push_back(slot_shapes[slot]);
    }
    plan->ref_ptrs_.insert(plan->ref_ptrs_.end(), p.refs.begin(), p.refs.end());
    absl::Status status;
    try {
      std::shared_ptr<void>* state =
          p.node->op_def().is_stateful ? session.node_state(*p.node) : nullptr;
      status = step.kernel->Prepare({*p.node, in_shapes, out_shapes, state});
    } catch (const std::exception& e) {
      status = absl::InternalError(
          absl::StrCat("Preparing kernel failed: ", e.what()));
    }
    if (!status.ok()) return AnnotateWithNode(status, *p.node);
    plan->steps_.push_back(std::move(step));
  }

  for (const Output& f : fetches) plan->fetch_slots_.push_back(slot_of.at(f));
  Log().debug("compiled a plan of {} steps and {} slots", plan->steps_.size(),
              plan->slots_.size());
  return plan;
}

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::Run(const FeedDict& feeds) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < feeds.size(); ++i)
    slots_[feed_slots_[i]] = feeds[i].second;
  for (Step& step : steps_) {
    KernelContext ctx(
        *step.node,
        absl::MakeConstSpan(input_ptrs_.data() + step.inputs_begin,
                            step.num_inputs),
        absl::MakeConstSpan(output_ptrs_.data() + step.outputs_begin,
                            step.num_outputs),
        absl::MakeConstSpan(ref_ptrs_.data() + step.refs_begin, step.num_refs));
    absl::Status status;
    try {
      status = step.kernel->Compute(ctx);
    } catch (const std::exception& e) {  // dnnl::error, bad_alloc: never escape
      status = absl::InternalError(e.what());
    }
    if (!status.ok()) return AnnotateWithNode(status, *step.node);
  }
  std::vector<Tensor> results;
  results.reserve(fetch_slots_.size());
  for (int slot : fetch_slots_) results.push_back(slots_[slot].Clone());
  return results;
}

}  // namespace minitf
