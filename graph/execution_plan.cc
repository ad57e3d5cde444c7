#include "minitf/graph/execution_plan.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/logging.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/shape_folding.h"

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

// Switch and Merge: what makes a plan track deadness.
bool IsControlFlow(const Node& node) {
  return node.type() == "Switch" || node.type() == "Merge";
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

// A stateless node whose every output is fed is replaced by its feeds: it
// does not run, so neither its data nor its control inputs are needed, and
// a control edge to it is satisfied by the feeds (TF replaces a fed
// Placeholder, control edges included, by the feed's Recv). A stateful
// node still runs for its effect.
bool ReplacedByFeeds(const Node& node, const absl::flat_hash_set<Output>& fed) {
  if (node.op_def().is_stateful || node.num_outputs() == 0) return false;
  for (int o = 0; o < node.num_outputs(); ++o) {
    if (!fed.contains(Output(const_cast<Node*>(&node), o))) return false;
  }
  return true;
}

// The shape a plan is compiled for a variable at: its static shape, or,
// when that is not fully defined (validate_shape=false), the shape of its
// current value, which the plan's signature then records.
Shape PlannedVariableShape(const Shape& static_shape,
                           const VariableSlot& slot) {
  if (static_shape.IsFullyDefined() || !slot.initialized()) {
    return static_shape;
  }
  return slot.value.shape();
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
  for (const auto& [slot, shape] : variable_shapes) {
    if (!slot->initialized() || !(slot->value.shape() == shape)) return false;
  }
  return true;
}

// What one run writes: every buffer, the prepared kernels (their oneDNN
// primitives bind buffers of this instance) and the liveness flags.
struct ExecutionPlan::Instance {
  // What kernels use only inside their Compute (see ScratchMemory). First:
  // the kernels' memories refer into it, so it outlives them.
  ScratchArena scratch;
  std::vector<Tensor> slots;                       // one per value
  std::vector<Tensor*> input_ptrs;                 // parallel to input_ids_
  std::vector<Tensor*> output_ptrs;                // parallel to output_ids_
  std::vector<std::unique_ptr<OpKernel>> kernels;  // one per step
  std::vector<char> dead;                          // per value
  std::vector<char> step_dead;                     // per step
  // Per step (control-flow plans): where its liveness flags are.
  std::vector<StepLiveness> liveness;
  // Per step, bound once: the step loop reads nothing else.
  struct BoundStep {
    OpKernel* kernel;
    KernelContext context;
  };
  std::vector<BoundStep> bound;
};

ExecutionPlan::ExecutionPlan() = default;
ExecutionPlan::~ExecutionPlan() = default;

absl::StatusOr<std::unique_ptr<ExecutionPlan>> ExecutionPlan::Compile(
    const FeedDict& feeds, const std::vector<Output>& fetches,
    const std::vector<Operation>& targets, const SessionResources& session,
    const std::vector<PlanPass>& passes) {
  auto plan = std::make_unique<ExecutionPlan>();
  PlanSignature& sig = plan->signature_;
  for (const auto& [output, value] : feeds) {
    sig.feeds.push_back(output);
    sig.feed_shapes.push_back(value.shape());
  }
  sig.fetches = fetches;
  sig.targets = targets;
  MINITF_ASSIGN_OR_RETURN(PlanIR ir, BuildIR(feeds, fetches, targets, session,
                                             sig.variable_shapes));
  // Passes may run on plans with control flow: a fused step is dead when
  // any input of the steps it replaces is, as they would have been, and
  // Switch and Merge take part in no rewrite (nor in layout propagation:
  // they are not layout aware).
  for (const PlanPass& pass : passes) MINITF_RETURN_IF_ERROR(pass(ir));
  plan->Materialize(ir, session);
  MINITF_ASSIGN_OR_RETURN(std::unique_ptr<Instance> first, plan->NewInstance());
  plan->idle_.store(first.get(), std::memory_order_relaxed);
  plan->instances_.push_back(std::move(first));
  plan->spare_.reserve(1);
  if (Log().should_log(spdlog::level::debug)) {
    Log().debug("compiled a plan:\n{}", plan->DebugString());
  }
  return plan;
}

std::string ExecutionPlan::DebugString() const {
  auto values = [this](const int* ids, int n) {
    std::vector<std::string> parts;
    for (int i = 0; i < n; ++i) {
      parts.push_back(
          ids[i] < 0
              ? std::string("ref")
              : absl::StrCat("v", ids[i], " ", values_[ids[i]].shape.ToString(),
                             arena_.offsets[ids[i]] >= 0
                                 ? absl::StrCat("@", arena_.offsets[ids[i]])
                                 : ""));
    }
    return absl::StrJoin(parts, ", ");
  };
  std::string s;
  std::lock_guard<std::mutex> lock(pool_mutex_);  // instances_ may grow
  const Instance& instance = *instances_.front();
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = steps_[i];
    std::string op = step.node->type();
    for (const std::string& fused : sources_[i].fused_ops)
      absl::StrAppend(&op, "+", fused);
    if (sources_[i].bfloat16) absl::StrAppend(&op, " [bfloat16]");
    absl::StrAppend(
        &s, "  ", i, " ", op, " '", step.node->name(), "' (",
        values(input_ids_.data() + step.inputs_begin, step.num_inputs),
        ") -> (",
        values(output_ids_.data() + step.outputs_begin, step.num_outputs), ")");
    const std::string kernel = instance.kernels[i]->DebugString();
    if (!kernel.empty()) absl::StrAppend(&s, "\n      ", kernel);
    absl::StrAppend(&s, "\n");
  }
  std::vector<std::string> blocked;
  for (const VariableLock& v : variable_locks_) {
    if (v.layout != nullptr) {
      blocked.push_back(
          absl::StrCat(v.slot->name, " in ", LayoutName(v.layout->blocked)));
    }
  }
  std::sort(blocked.begin(), blocked.end());
  if (!blocked.empty()) {
    absl::StrAppend(
        &s, "  variables kept blocked: ", absl::StrJoin(blocked, ", "), "\n");
  }
  absl::StrAppend(&s, steps_.size(), " steps, ", values_.size(),
                  " values; per instance an arena of ", arena_.bytes,
                  " bytes (values at @offset; ", arena_.unshared_bytes,
                  " without sharing; ", arena_.written_over,
                  " written in place) and ", instance.scratch.size(),
                  " of scratch");
  return s;
}

int ExecutionPlan::num_instances() const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  return static_cast<int>(instances_.size());
}

absl::StatusOr<PlanIR> ExecutionPlan::BuildIR(
    const FeedDict& feeds, const std::vector<Output>& fetches,
    const std::vector<Operation>& targets, const SessionResources& session,
    std::vector<std::pair<const VariableSlot*, Shape>>& variable_shapes) {
  PlanIR ir;
  Graph* graph = nullptr;
  if (!fetches.empty()) {
    graph = fetches[0].graph();
  } else if (!targets.empty()) {
    graph = targets[0].graph();
  } else if (!feeds.empty()) {
    graph = feeds[0].first.graph();
  }
  absl::flat_hash_map<Output, int> value_of;
  auto new_value = [&](DataType dtype, const Shape& shape) {
    ir.values.push_back({dtype, shape, false});
    return static_cast<int>(ir.values.size()) - 1;
  };
  absl::flat_hash_set<Output> fed;
  for (const auto& [output, value] : feeds) {
    if (fed.insert(output).second)
      value_of[output] = new_value(value.dtype(), value.shape());
    ir.feed_values.push_back(value_of[output]);
  }
  if (graph == nullptr) return ir;  // nothing to run

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
  for (const Operation& t : targets) {
    if (!ReplacedByFeeds(*t.node(), fed)) want(t.node());
  }
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Output& in = node->input(i);
      if (IsRefInput(node->op_def(), i) || fed.contains(in)) continue;
      want(in.node());
    }
    for (const Node* control : node->control_inputs()) {
      if (!ReplacedByFeeds(*control, fed)) want(control);
    }
  }

  // A variable's shape for this plan (see PlannedVariableShape), recorded
  // once when it comes from the variable's value.
  auto variable_shape = [&](const Shape& static_shape, VariableSlot* slot) {
    Shape shape = PlannedVariableShape(static_shape, *slot);
    if (!static_shape.IsFullyDefined() && shape.IsFullyDefined() &&
        std::none_of(variable_shapes.begin(), variable_shapes.end(),
                     [&](const auto& v) { return v.first == slot; })) {
      variable_shapes.emplace_back(slot, shape);
    }
    return shape;
  };
  auto uninitialized = [](const VariableSlot& slot) {
    return absl::FailedPreconditionError(
        absl::StrCat("Attempting to use uninitialized value ", slot.name));
  };

  // Node ids are a topological order (inputs exist before their users).
  ShapeFolder folder;
  for (const auto& owned : graph->nodes()) {
    const Node& node = *owned;
    if (!needed[node.id()]) continue;
    const OpDef& def = node.op_def();
    if (node.type() == "Placeholder") {
      // TF names the shape only when it has a rank above 0.
      const Shape& shape = node.output_shape(0);
      return absl::InvalidArgumentError(absl::StrCat(
          "You must feed a value for placeholder tensor '", node.name(),
          "' with dtype ", DataTypeProtoName(node.output_dtype(0)),
          shape.has_rank() && shape.rank() > 0
              ? absl::StrCat(" and shape ", shape.DebugString())
              : ""));
    }
    PlanStep step{&node,
                  def.kernel,
                  {},
                  {},
                  {},
                  def.shape_only_inputs,
                  def.inplace_inputs};
    std::vector<DataType> in_dtypes;
    std::vector<Shape> in_shapes;
    std::vector<const Tensor*> in_values;
    for (int i = 0; i < node.num_inputs(); ++i) {
      const Output& in = node.input(i);
      in_dtypes.push_back(in.dtype());
      const bool ref = IsRefInput(def, i);
      step.refs.push_back(ref ? session.variable(*in.node()) : nullptr);
      step.inputs.push_back(ref ? -1 : value_of.at(in));
      in_shapes.push_back(ref ? variable_shape(in.shape(), step.refs.back())
                              : ir.values[step.inputs.back()].shape);
      in_values.push_back(ref || fed.contains(in) ? nullptr : folder.value(in));
    }
    if (def.is_variable) step.refs.push_back(session.variable(node));
    // Concrete shapes for this plan.
    ShapeContext shapes(node.attrs(), in_dtypes, in_shapes, in_values);
    shapes.compiling_plan = true;
    if (def.shape_fn) {
      absl::Status status = def.shape_fn(shapes);
      if (!status.ok()) {
        return AnnotateWithNode(absl::InvalidArgumentError(status.message()),
                                node);
      }
    }
    if (def.is_variable) {
      shapes.output_shapes[0] =
          variable_shape(shapes.output_shapes[0], step.refs.back());
    }
    for (int o = 0; o < node.num_outputs(); ++o) {
      const Shape& shape = shapes.output_shapes[o];
      if (!shape.IsFullyDefined()) {
        // A variable of unknown shape has none until it is initialized.
        for (const VariableSlot* slot : step.refs) {
          if (slot != nullptr && !slot->initialized())
            return AnnotateWithNode(uninitialized(*slot), node);
        }
        return AnnotateWithNode(
            absl::UnimplementedError(absl::StrCat(
                "Cannot infer a concrete shape for output ", o, " of '",
                node.name(), "': ", shape.ToString(),
                ". A shape computed from tensors is known when the plan "
                "compiles only if it derives from constants and the shapes "
                "of fed tensors, not from their values")),
            node);
      }
      // A fed output still gets a value of its own to be computed into;
      // consumers keep reading the feed.
      const int id = new_value(node.output_dtype(o), shape);
      ir.values[id].preallocate = def.kernel && !def.forwards_outputs;
      value_of.try_emplace(Output(const_cast<Node*>(&node), o), id);
      step.outputs.push_back(id);
    }
    folder.Evaluate(node, in_shapes, shapes.output_shapes, in_values);
    if (def.kernel) ir.steps.push_back(std::move(step));
  }
  for (const Output& f : fetches) ir.fetch_values.push_back(value_of.at(f));
  return ir;
}

void ExecutionPlan::Materialize(const PlanIR& ir,
                                const SessionResources& session) {
  values_ = ir.values;
  arena_ = ValueArena::Plan(ir);
  feed_slots_ = ir.feed_values;
  fetch_slots_ = ir.fetch_values;
  prepare_mutex_ = session.prepare_mutex;
  // What control inputs resolve to: the step of a node, the value of a
  // tensor (a feed wins over its producer's output, as in BuildIR).
  absl::flat_hash_map<const Node*, int> step_of;
  absl::flat_hash_map<Output, int> value_of;
  const absl::flat_hash_set<Output> fed(signature_.feeds.begin(),
                                        signature_.feeds.end());
  for (size_t i = 0; i < signature_.feeds.size(); ++i)
    value_of.try_emplace(signature_.feeds[i], ir.feed_values[i]);
  for (size_t s = 0; s < ir.steps.size(); ++s) {
    const PlanStep& p = ir.steps[s];
    step_of[p.node] = static_cast<int>(s);
    for (const Node* fused : p.fused_nodes)
      step_of[fused] = static_cast<int>(s);
    for (size_t o = 0; o < p.outputs.size(); ++o) {
      value_of.try_emplace(Output(const_cast<Node*>(p.node), o), p.outputs[o]);
    }
    if (IsControlFlow(*p.node)) has_control_flow_ = true;
  }
  for (const PlanStep& p : ir.steps) {
    const OpDef& def = p.node->op_def();
    sources_.push_back({p.kernel,
                        def.is_stateful ? session.node_state(*p.node) : nullptr,
                        p.fused_ops, p.bfloat16});
    Step step{p.node, static_cast<int>(input_ids_.size()),
              static_cast<int>(output_ids_.size()),
              static_cast<int>(p.inputs.size()),
              static_cast<int>(p.outputs.size())};
    step.refs_begin = static_cast<int>(ref_ptrs_.size());
    step.num_refs = static_cast<int>(p.refs.size());
    step.is_merge = p.node->type() == "Merge";
    if (has_control_flow_)
      ResolveControlDeps(*p.node, step_of, value_of, fed, step);
    input_ids_.insert(input_ids_.end(), p.inputs.begin(), p.inputs.end());
    output_ids_.insert(output_ids_.end(), p.outputs.begin(), p.outputs.end());
    ref_ptrs_.insert(ref_ptrs_.end(), p.refs.begin(), p.refs.end());
    const bool exclusive =
        def.exclusive_refs || p.node->attr_or<bool>("use_locking", false);
    for (VariableSlot* slot : p.refs) {
      if (slot != nullptr) variable_locks_.push_back({slot, exclusive});
    }
    steps_.push_back(std::move(step));
  }
  // One lock per variable, exclusive when any step needs it so, in address
  // order: every run takes its locks in the same global order.
  std::sort(variable_locks_.begin(), variable_locks_.end(),
            [](const VariableLock& a, const VariableLock& b) {
              return a.slot < b.slot;
            });
  std::vector<VariableLock> merged;
  for (const VariableLock& lock : variable_locks_) {
    if (!merged.empty() && merged.back().slot == lock.slot) {
      merged.back().exclusive |= lock.exclusive;
    } else {
      merged.push_back(lock);
    }
  }
  for (const auto& [slot, layout] : ir.variable_layouts) {
    for (VariableLock& lock : merged) {
      if (lock.slot == slot) lock.layout = layout;
    }
  }
  variable_locks_ = std::move(merged);
}

absl::StatusOr<std::unique_ptr<ExecutionPlan::Instance>>
ExecutionPlan::NewInstance() const {
  auto instance = std::make_unique<Instance>();
  std::vector<Tensor>& slots = instance->slots;
  slots.reserve(values_.size());
  MINITF_ASSIGN_OR_RETURN(const Tensor arena, arena_.Allocate());
  for (size_t id = 0; id < values_.size(); ++id) {
    const PlanValue& v = values_[id];
    slots.push_back(v.preallocate
                        ? arena.ViewBytes(v.dtype, arena_.offsets[id], v.shape)
                        : Tensor());
  }
  for (int id : input_ids_)
    instance->input_ptrs.push_back(id >= 0 ? &slots[id] : nullptr);
  for (int id : output_ids_) instance->output_ptrs.push_back(&slots[id]);
  instance->kernels.reserve(steps_.size());
  // A ref input's shape: its static one, or the one the signature recorded
  // for a variable of unknown static shape (never its current value, which
  // a concurrent run may be replacing).
  auto compiled_variable_shape = [this](const Shape& static_shape,
                                        const VariableSlot* slot) {
    for (const auto& [s, shape] : signature_.variable_shapes) {
      if (s == slot) return shape;
    }
    return static_shape;
  };
  std::vector<Shape> in_shapes, out_shapes;
  // Layout propagation: each value's layout as its producer reported it.
  std::vector<const BlockedLayout*> layouts(values_.size(), nullptr);
  std::vector<const BlockedLayout*> in_layouts;
  std::vector<char> may_block;
  for (size_t s = 0; s < steps_.size(); ++s) {
    const Step& step = steps_[s];
    in_shapes.clear();
    out_shapes.clear();
    in_layouts.clear();
    may_block.clear();
    for (int i = 0; i < step.num_inputs; ++i) {
      const int id = input_ids_[step.inputs_begin + i];
      in_shapes.push_back(
          id >= 0 ? values_[id].shape
                  : compiled_variable_shape(step.node->input(i).shape(),
                                            ref_ptrs_[step.refs_begin + i]));
      in_layouts.push_back(id >= 0 ? layouts[id] : nullptr);
    }
    for (int o = 0; o < step.num_outputs; ++o) {
      const PlanValue& v = values_[output_ids_[step.outputs_begin + o]];
      out_shapes.push_back(v.shape);
      may_block.push_back(v.may_block);
    }
    std::unique_ptr<OpKernel> kernel;
    absl::Status status;
    try {
      const ScratchArena::Scope scratch(instance->scratch);
      kernel = sources_[s].kernel(*step.node);
      status = kernel->Prepare({*step.node, in_shapes, out_shapes,
                                sources_[s].node_state, in_layouts, may_block,
                                sources_[s].bfloat16});
      for (int o = 0; status.ok() && o < step.num_outputs; ++o) {
        const int id = output_ids_[step.outputs_begin + o];
        layouts[id] = kernel->output_layout(o);
        if (layouts[id] != nullptr &&
            (!values_[id].may_block ||
             layouts[id]->blocked.get_size() !=
                 values_[id].shape.num_elements() *
                     DataTypeSize(values_[id].dtype))) {
          status = absl::InternalError(
              absl::StrCat("kernel wrote output ", o,
                           " in a layout its readers cannot "
                           "take or of another size than the tensor"));
        }
      }
    } catch (const std::exception& e) {  // dnnl::error: never escapes
      status = absl::InternalError(
          absl::StrCat("Preparing kernel failed: ", e.what()));
    }
    if (!status.ok()) return AnnotateWithNode(status, *step.node);
    instance->kernels.push_back(std::move(kernel));
  }
  MINITF_RETURN_IF_ERROR(instance->scratch.Allocate());
  instance->dead.assign(values_.size(), 0);
  instance->step_dead.assign(steps_.size(), 0);
  // The vectors above never grow again, so the contexts may point into them.
  instance->liveness.reserve(steps_.size());
  instance->bound.reserve(steps_.size());
  for (size_t s = 0; s < steps_.size(); ++s) {
    const Step& step = steps_[s];
    const StepLiveness* liveness = nullptr;
    if (has_control_flow_) {
      instance->liveness.push_back({instance->dead.data(),
                                    input_ids_.data() + step.inputs_begin,
                                    output_ids_.data() + step.outputs_begin});
      liveness = &instance->liveness.back();
    }
    instance->bound.push_back(
        {instance->kernels[s].get(),
         KernelContext(*step.node,
                       absl::MakeConstSpan(
                           instance->input_ptrs.data() + step.inputs_begin,
                           step.num_inputs),
                       absl::MakeConstSpan(
                           instance->output_ptrs.data() + step.outputs_begin,
                           step.num_outputs),
                       absl::MakeConstSpan(ref_ptrs_.data() + step.refs_begin,
                                           step.num_refs),
                       liveness)});
  }
  return instance;
}

absl::StatusOr<ExecutionPlan::Instance*> ExecutionPlan::Checkout() {
  if (Instance* idle = idle_.exchange(nullptr, std::memory_order_acquire)) {
    return idle;
  }
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!spare_.empty()) {
      Instance* spare = spare_.back();
      spare_.pop_back();
      return spare;
    }
  }
  // Every instance is in a run: prepare another, as Compile did the first.
  std::unique_lock<std::mutex> preparing;
  if (prepare_mutex_ != nullptr) preparing = std::unique_lock(*prepare_mutex_);
  MINITF_ASSIGN_OR_RETURN(std::unique_ptr<Instance> instance, NewInstance());
  if (preparing.owns_lock()) preparing.unlock();
  std::lock_guard<std::mutex> lock(pool_mutex_);
  instances_.push_back(std::move(instance));
  spare_.reserve(instances_.size());  // so Checkin never allocates
  return instances_.back().get();
}

void ExecutionPlan::Checkin(Instance* instance) {
  Instance* expected = nullptr;
  if (idle_.compare_exchange_strong(expected, instance,
                                    std::memory_order_release,
                                    std::memory_order_relaxed)) {
    return;
  }
  std::lock_guard<std::mutex> lock(pool_mutex_);
  spare_.push_back(instance);
}

void ExecutionPlan::ResolveControlDeps(
    const Node& node, const absl::flat_hash_map<const Node*, int>& step_of,
    const absl::flat_hash_map<Output, int>& value_of,
    const absl::flat_hash_set<Output>& fed, Step& step) {
  step.dep_steps_begin = static_cast<int>(dep_steps_.size());
  step.dep_values_begin = static_cast<int>(dep_values_.size());
  // A kernel-less control input (NoOp) has no step: it is dead when its own
  // inputs are, so depend on those instead, transitively.
  absl::flat_hash_set<const Node*> seen;
  std::vector<const Node*> pending(node.control_inputs().begin(),
                                   node.control_inputs().end());
  while (!pending.empty()) {
    const Node* control = pending.back();
    pending.pop_back();
    // A node replaced by feeds is as live as the feeds: always.
    if (!seen.insert(control).second || ReplacedByFeeds(*control, fed))
      continue;
    if (auto it = step_of.find(control); it != step_of.end()) {
      dep_steps_.push_back(it->second);
      continue;
    }
    for (const Output& in : control->inputs()) {
      if (auto it = value_of.find(in); it != value_of.end())
        dep_values_.push_back(it->second);
    }
    pending.insert(pending.end(), control->control_inputs().begin(),
                   control->control_inputs().end());
  }
  step.num_dep_steps =
      static_cast<int>(dep_steps_.size()) - step.dep_steps_begin;
  step.num_dep_values =
      static_cast<int>(dep_values_.size()) - step.dep_values_begin;
}

bool ExecutionPlan::IsDead(const Instance& instance, const Step& step) const {
  const std::vector<char>& dead = instance.dead;
  const int* ids = input_ids_.data() + step.inputs_begin;
  if (step.is_merge) {
    // TF's rule: a Merge waits for one live data input; control inputs
    // do not make it dead.
    for (int i = 0; i < step.num_inputs; ++i) {
      if (ids[i] < 0 || !dead[ids[i]]) return false;
    }
    return true;
  }
  for (int i = 0; i < step.num_inputs; ++i) {
    if (ids[i] >= 0 && dead[ids[i]]) return true;
  }
  for (int i = 0; i < step.num_dep_steps; ++i) {
    if (instance.step_dead[dep_steps_[step.dep_steps_begin + i]]) return true;
  }
  for (int i = 0; i < step.num_dep_values; ++i) {
    if (dead[dep_values_[step.dep_values_begin + i]]) return true;
  }
  return false;
}

inline absl::Status ExecutionPlan::RunStep(Instance& instance, int s) {
  Instance::BoundStep& step = instance.bound[s];
  absl::Status status;
  try {
    status = step.kernel->Compute(step.context);
  } catch (const std::exception& e) {  // dnnl::error, bad_alloc: never escape
    status = absl::InternalError(e.what());
  }
  if (!status.ok()) return AnnotateWithNode(status, step.context.node());
  return absl::OkStatus();
}

void ExecutionPlan::LockVariables(bool exclusive) const {
  for (const VariableLock& v : variable_locks_) {
    if (exclusive || v.exclusive) {
      v.slot->mutex.lock();
    } else {
      v.slot->mutex.lock_shared();
    }
  }
}

void ExecutionPlan::UnlockVariables(bool exclusive) const {
  for (auto v = variable_locks_.rbegin(); v != variable_locks_.rend(); ++v) {
    if (exclusive || v->exclusive) {
      v->slot->mutex.unlock();
    } else {
      v->slot->mutex.unlock_shared();
    }
  }
}

absl::Status ExecutionPlan::ConvertVariableLayouts() const {
  for (const VariableLock& v : variable_locks_) {
    VariableSlot& slot = *v.slot;
    if (!slot.initialized()) continue;
    MINITF_RETURN_IF_ERROR(
        ConvertLayout(slot.value, slot.layout.get(), v.layout.get()));
    slot.layout = v.layout;
  }
  return absl::OkStatus();
}

template <bool kControlFlow>
absl::Status ExecutionPlan::RunSteps(Instance& instance) const {
  const int num_steps = static_cast<int>(steps_.size());
  if constexpr (!kControlFlow) {
    for (int s = 0; s < num_steps; ++s)
      MINITF_RETURN_IF_ERROR(RunStep(instance, s));
    return absl::OkStatus();
  } else {
    std::vector<char>& dead = instance.dead;
    std::fill(dead.begin(), dead.end(), 0);
    std::fill(instance.step_dead.begin(), instance.step_dead.end(), 0);
    for (int s = 0; s < num_steps; ++s) {
      const Step& step = steps_[s];
      if (IsDead(instance, step)) {
        instance.step_dead[s] = 1;
        for (int o = 0; o < step.num_outputs; ++o)
          dead[output_ids_[step.outputs_begin + o]] = 1;
        continue;
      }
      MINITF_RETURN_IF_ERROR(RunStep(instance, s));
    }
    for (size_t i = 0; i < fetch_slots_.size(); ++i) {
      if (dead[fetch_slots_[i]]) {
        return absl::InvalidArgumentError(
            absl::StrCat("Retval[", i, "] does not have value"));
      }
    }
    return absl::OkStatus();
  }
}

absl::StatusOr<std::vector<Tensor>> ExecutionPlan::Run(const FeedDict& feeds) {
  MINITF_ASSIGN_OR_RETURN(Instance * instance, Checkout());
  absl::Cleanup checkin = [this, instance] { Checkin(instance); };
  // Held from the first step to the last fetch copy, so a fetched variable
  // is copied as this run left it.
  bool exclusive = false;
  LockVariables(exclusive);
  absl::Cleanup unlock = [this, &exclusive] { UnlockVariables(exclusive); };
  for (const VariableLock& v : variable_locks_) {
    if (v.slot->initialized() &&
        !SameLayout(v.slot->layout.get(), v.layout.get())) {
      UnlockVariables(exclusive);
      exclusive = true;
      LockVariables(exclusive);
      MINITF_RETURN_IF_ERROR(ConvertVariableLayouts());
      break;
    }
  }
  std::vector<Tensor>& slots = instance->slots;
  for (size_t i = 0; i < feeds.size(); ++i)
    slots[feed_slots_[i]] = feeds[i].second;
  MINITF_RETURN_IF_ERROR(has_control_flow_ ? RunSteps<true>(*instance)
                                           : RunSteps<false>(*instance));
  std::vector<Tensor> results;
  results.reserve(fetch_slots_.size());
  for (int slot : fetch_slots_) results.push_back(slots[slot].Clone());
  return results;
}

}  // namespace minitf
