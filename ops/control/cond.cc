#include "minitf/ops/control/cond.h"

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/session.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/control/switch_merge.h"

namespace minitf {
namespace {

bool IsRefInput(const OpDef& def, int i) {
  return std::find(def.ref_inputs.begin(), def.ref_inputs.end(), i) !=
         def.ref_inputs.end();
}

// TF's CondContext: one branch of one cond. Everything built while it is
// the graph's control-flow context belongs to the branch, and so does
// everything built in a cond nested in it: the nodes from `first_node_id`
// on (node ids grow in creation order). Values from before enter through a
// Switch on the predicate, one per value, reused.
class CondContext : public ControlFlowContext {
 public:
  CondContext(Graph& graph, Output pred, Output pivot, int branch)
      : graph_(graph),
        pred_(pred),
        pivot_(pivot),
        branch_(branch),
        outer_(dynamic_cast<CondContext*>(graph.control_flow_context())),
        saved_(graph.control_flow_context()),
        first_node_id_(graph.num_nodes()) {}

  void AddOp(const OpDef& def, const std::string& op_name,
             std::vector<Output>& inputs,
             std::vector<Node*>& control_inputs) override {
    bool has_data_input = false;
    for (int i = 0; i < static_cast<int>(inputs.size()); ++i) {
      // A ref input names a variable, which is passed by reference and
      // never switched; the op's other inputs keep it in the branch.
      if (IsRefInput(def, i)) continue;
      has_data_input = true;
      inputs[i] = AddValue(inputs[i], absl::StrCat(op_name, "/"));
    }
    if (has_data_input) return;
    // No data input (a constant): run only when the branch is taken,
    // unless a control input inside the branch already says so.
    auto inside = [&](const Node* node) { return Contains(node); };
    if (std::any_of(control_inputs.begin(), control_inputs.end(), inside)) {
      return;
    }
    for (const auto& block : graph_.control_dependency_stack()) {
      for (const Operation& op : block.inputs) {
        if (Contains(op.node())) return;
      }
    }
    control_inputs.push_back(pivot_.node());
  }

  // TF's AddValue: `value` as seen inside the branch. `scope` is the name
  // scope of the Switch ("cond/mul/"), or "" for the current one.
  Output AddValue(Output value, const std::string& scope) {
    if (auto it = external_.find(value); it != external_.end())
      return it->second;
    if (value == pred_ || Contains(value.node())) return value;
    // The outer branch's view first (nested conds), then our own Switch,
    // built outside any context and any control_dependencies block.
    Output real = outer_ != nullptr ? outer_->AddValue(value, scope) : value;
    ControlFlowContext* active = graph_.control_flow_context();
    graph_.set_control_flow_context(nullptr);
    Output switched;
    try {
      control_dependencies none(nullptr);
      std::optional<name_scope> in_scope;
      if (!scope.empty()) in_scope.emplace(scope);
      switched = switch_(real, pred_)[branch_];
    } catch (...) {
      graph_.set_control_flow_context(active);
      throw;
    }
    graph_.set_control_flow_context(active);
    external_[value] = switched;
    return switched;
  }

  // TF's BuildCondBranch: calls `fn` inside this context and returns its
  // results as seen from outside the branch (an external result goes
  // through a Switch, "cond/Switch_1").
  std::vector<Output> Build(const BranchListFn& fn, const char* fn_name) {
    graph_.set_control_flow_context(this);
    std::vector<Output> results;
    try {
      results = fn();
      for (Output& r : results) {
        if (r.is_null()) {
          ThrowValueError(absl::StrCat(fn_name, " must have a return value."));
        }
        if (r.graph() != &graph_) {
          ThrowValueError(absl::StrCat("Tensor(\"", r.name(),
                                       "\") must be from the same graph as "
                                       "the cond predicate."));
        }
        r = AddValue(r, "");
      }
    } catch (...) {
      graph_.set_control_flow_context(saved_);
      throw;
    }
    graph_.set_control_flow_context(saved_);
    return results;
  }

 private:
  bool Contains(const Node* node) const {
    return node == pivot_.node() || node->id() >= first_node_id_;
  }

  Graph& graph_;
  const Output pred_;   // the cond's "pred_id"
  const Output pivot_;  // "switch_t" or "switch_f"
  const int branch_;    // 1: the true branch
  CondContext* const outer_;
  ControlFlowContext* const saved_;
  const int first_node_id_;
  absl::flat_hash_map<Output, Output> external_;
};

void CheckCallable(bool callable, const char* what) {
  if (!callable) ThrowTypeError(absl::StrCat(what, " must be callable."));
}

std::string DescribeResults(const std::vector<Output>& results) {
  return absl::StrCat("[",
                      absl::StrJoin(results, ", ",
                                    [](std::string* out, const Output& o) {
                                      absl::StrAppend(out, "<tf.Tensor '",
                                                      o.name(), "'>");
                                    }),
                      "]");
}

}  // namespace

std::vector<Output> cond(Output pred, const BranchListFn& true_fn,
                         const BranchListFn& false_fn, absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "true_fn");
  CheckCallable(static_cast<bool>(false_fn), "false_fn");
  if (pred.is_null()) {
    ThrowValueError(
        "Tried to convert 'pred' to a tensor and failed. Error: None values "
        "not supported.");
  }
  Graph& graph = *pred.graph();
  GraphGuard as_default(graph);
  name_scope scope(name.empty() ? std::nullopt
                                : std::optional<std::string>(std::string(name)),
                   "cond");
  SwitchOutputs pivots = switch_(pred, pred);
  Output pivot_t = identity(pivots.output_true, "switch_t");
  Output pivot_f = identity(pivots.output_false, "switch_f");
  Output pred_id = identity(pred, "pred_id");

  std::vector<Output> res_t =
      CondContext(graph, pred_id, pivot_t, 1).Build(true_fn, "true_fn");
  std::vector<Output> res_f =
      CondContext(graph, pred_id, pivot_f, 0).Build(false_fn, "false_fn");

  if (res_t.size() != res_f.size()) {
    ThrowValueError(absl::StrCat(
        "Incompatible return values of true_fn and false_fn: The two "
        "structures don't have the same number of elements.\n\nFirst "
        "structure (",
        res_t.size(), " elements): ", DescribeResults(res_t),
        "\n\nSecond structure (", res_f.size(),
        " elements): ", DescribeResults(res_f)));
  }
  if (res_t.empty()) {
    ThrowValueError("true_fn and false_fn must return at least one result.");
  }
  for (size_t i = 0; i < res_t.size(); ++i) {
    if (res_t[i].dtype() != res_f[i].dtype()) {
      ThrowValueError(absl::StrCat(
          "Outputs of true_fn and false_fn must have the same type: ",
          DataTypeName(res_t[i].dtype()), ", ",
          DataTypeName(res_f[i].dtype())));
    }
  }
  std::vector<Output> merged;
  merged.reserve(res_t.size());
  for (size_t i = 0; i < res_t.size(); ++i) {
    MergeOutputs m = merge({res_f[i], res_t[i]});
    SetMergePredicate(m.output.op(), pred_id);
    merged.push_back(m.output);
  }
  return merged;
}

Output cond(Output pred, const BranchFn& true_fn, const BranchFn& false_fn,
            absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "true_fn");
  CheckCallable(static_cast<bool>(false_fn), "false_fn");
  return cond(
      pred, [&] { return std::vector<Output>{true_fn()}; },
      [&] { return std::vector<Output>{false_fn()}; }, name)[0];
}

std::optional<bool> constant_value(Output pred) {
  if (pred.is_null() || pred.dtype() != DataType::kBool ||
      !pred.shape().IsFullyDefined() || pred.shape().num_elements() != 1) {
    return std::nullopt;
  }
  if (pred.node()->type() == "Const") {
    return pred.node()->attr<Tensor>("value").scalar<bool>();
  }
  // TF's TryEvaluateConstant: a small subgraph with nothing that could be
  // fed, read from a session or drawn at random, evaluated once.
  constexpr int kMaxNodes = 64;
  absl::flat_hash_set<const Node*> seen;
  std::vector<const Node*> pending = {pred.node()};
  while (!pending.empty()) {
    const Node* node = pending.back();
    pending.pop_back();
    if (!seen.insert(node).second) continue;
    const OpDef& def = node->op_def();
    if (static_cast<int>(seen.size()) > kMaxNodes || !def.kernel ||
        def.is_variable || def.is_stateful || !def.ref_inputs.empty() ||
        node->type() == "PlaceholderWithDefault" || node->type() == "Switch" ||
        node->type() == "Merge") {
      return std::nullopt;
    }
    for (const Output& in : node->inputs()) pending.push_back(in.node());
    for (const Node* control : node->control_inputs())
      pending.push_back(control);
  }
  Session session(*pred.graph());
  absl::StatusOr<std::vector<Tensor>> value = session.run({pred});
  if (!value.ok()) return std::nullopt;
  return (*value)[0].scalar<bool>();
}

std::vector<Output> smart_cond(Output pred, const BranchListFn& true_fn,
                               const BranchListFn& false_fn,
                               absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "`true_fn`");
  CheckCallable(static_cast<bool>(false_fn), "`false_fn`");
  if (std::optional<bool> value = constant_value(pred)) {
    return *value ? true_fn() : false_fn();
  }
  return cond(pred, true_fn, false_fn, name);
}

Output smart_cond(Output pred, const BranchFn& true_fn,
                  const BranchFn& false_fn, absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "`true_fn`");
  CheckCallable(static_cast<bool>(false_fn), "`false_fn`");
  if (std::optional<bool> value = constant_value(pred)) {
    return *value ? true_fn() : false_fn();
  }
  return cond(pred, true_fn, false_fn, name);
}

Output smart_cond(bool pred, const BranchFn& true_fn, const BranchFn& false_fn,
                  absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "`true_fn`");
  CheckCallable(static_cast<bool>(false_fn), "`false_fn`");
  (void)name;  // nothing is built around the selected branch
  return pred ? true_fn() : false_fn();
}

std::vector<Output> smart_cond(bool pred, const BranchListFn& true_fn,
                               const BranchListFn& false_fn,
                               absl::string_view name) {
  CheckCallable(static_cast<bool>(true_fn), "`true_fn`");
  CheckCallable(static_cast<bool>(false_fn), "`false_fn`");
  (void)name;
  return pred ? true_fn() : false_fn();
}

}  // namespace minitf
