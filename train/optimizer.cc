#include "minitf/train/optimizer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/gradients.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/state/state_ops.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::train {
namespace {

// TF's Optimizer._valid_dtypes, restricted to the float types minitf has.
void AssertValidDtype(DataType dtype, const std::string& name) {
  if (dtype == DataType::kFloat) return;
  ThrowValueError(absl::StrCat("Invalid type tf.", DataTypeName(dtype), " for ",
                               name, ", expected: [tf.float32]."));
}

std::string VariableList(const std::vector<GradAndVar>& grads_and_vars) {
  std::vector<std::string> reprs;
  for (const auto& [g, v] : grads_and_vars) {
    reprs.push_back(absl::StrCat("\"", VariableRepr(v), "\""));
  }
  return absl::StrCat("[", absl::StrJoin(reprs, ", "), "]");
}

}  // namespace

std::string VariableRepr(const Variable& v) {
  if (!v.is_variable()) return TensorRepr(v.value());
  return absl::StrCat("<tf.Variable '", v.name(),
                      "' shape=", v.shape().ToString(),
                      " dtype=", DataTypeName(v.dtype()), "_ref>");
}

std::string TensorRepr(const Output& t) {
  return absl::StrCat("Tensor(\"", t.name(), "\", shape=", t.shape().ToString(),
                      ", dtype=", DataTypeName(t.dtype()), ")");
}

std::optional<double> HyperParameter::number() const { return value_; }

Output HyperParameter::ToTensor(absl::string_view name) const {
  if (value_) return constant(static_cast<float>(*value_), name);
  if (fn_) return fn_();
  return tensor_;
}

Optimizer::Optimizer(bool use_locking, std::string name)
    : use_locking_(use_locking), name_(std::move(name)) {
  if (name_.empty()) ThrowValueError("Must specify the optimizer name");
}

std::vector<GradAndVar> Optimizer::compute_gradients(
    Output loss, const ComputeGradientsOptions& options) {
  if (options.gate_gradients < GATE_NONE ||
      options.gate_gradients > GATE_GRAPH) {
    ThrowValueError(
        absl::StrCat("gate_gradients must be one of: Optimizer.GATE_NONE, "
                     "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not ",
                     options.gate_gradients));
  }
  if (loss.is_null()) ThrowValueError("loss must be a tensor, got None");
  AssertValidDtype(loss.dtype(), loss.name());
  if (!options.grad_loss.is_null()) {
    AssertValidDtype(options.grad_loss.dtype(), options.grad_loss.name());
  }
  GraphGuard in_graph(*loss.graph());
  const std::vector<Variable> var_list =
      options.var_list.value_or(trainable_variables());
  if (var_list.empty()) ThrowValueError("No variables to optimize.");
  // As TF differentiates with respect to a variable's ref, not its reads.
  std::vector<Output> xs;
  for (const Variable& v : var_list) {
    xs.push_back(v.is_variable() ? v.ref() : v.value());
  }
  std::vector<Output> grad_ys;
  if (!options.grad_loss.is_null()) grad_ys.push_back(options.grad_loss);
  std::vector<Output> grads = gradients({loss}, xs, grad_ys);
  std::vector<GradAndVar> result;
  for (size_t i = 0; i < var_list.size(); ++i) {
    if (!grads[i].is_null()) {
      AssertValidDtype(var_list[i].dtype(), var_list[i].value().name());
    }
    result.emplace_back(grads[i], var_list[i]);
  }
  return result;
}

Operation Optimizer::apply_gradients(
    const std::vector<GradAndVar>& grads_and_vars, const Variable& global_step,
    absl::string_view name) {
  if (grads_and_vars.empty()) ThrowValueError("No variables provided.");
  std::vector<Variable> var_list;
  for (const auto& [g, v] : grads_and_vars) {
    if (!g.is_null()) var_list.push_back(v);
  }
  if (var_list.empty()) {
    ThrowValueError(absl::StrCat("No gradients provided for any variable: ",
                                 VariableList(grads_and_vars), "."));
  }
  for (const Variable& v : var_list) {
    if (!v.is_variable()) {
      throw Error(absl::UnimplementedError(absl::StrCat(
                      "Trying to update a Tensor ", TensorRepr(v.value()))),
                  "NotImplementedError");
    }
  }
  GraphGuard in_graph(*var_list[0].graph());
  {
    // TF's init_scope: slots never inherit control dependencies.
    control_dependencies no_deps(nullptr);
    CreateSlots(var_list);
  }
  std::vector<Operation> update_ops;
  name_scope scope(
      name.empty() ? std::nullopt : std::optional<std::string>(name), name_);
  Prepare();
  for (const auto& [grad, var] : grads_and_vars) {
    if (grad.is_null()) continue;
    name_scope update(absl::StrCat("update_", var.op().name()));
    Operation op = ApplyDense(grad, var);
    if (var.constraint()) {
      control_dependencies after({op});
      op = var.assign(var.constraint()(var.value())).op();
    }
    update_ops.push_back(op);
  }
  Operation train_op;
  if (global_step.is_null()) {
    train_op = Finish(update_ops, scope.name());
  } else {
    control_dependencies after({Finish(update_ops, "update")});
    Output one;
    {
      name_scope op_scope(scope.name());
      one = ScalarConstant(1, global_step.dtype(), "value");
    }
    train_op = assign_add(global_step.ref(), one, scope.name()).op();
  }
  std::vector<CollectionItem>& train_ops =
      get_collection_ref(GraphKeys::TRAIN_OP);
  if (std::find(train_ops.begin(), train_ops.end(), CollectionItem(train_op)) ==
      train_ops.end()) {
    train_ops.push_back(train_op);
  }
  return train_op;
}

Operation Optimizer::minimize(Output loss, const MinimizeOptions& options) {
  std::vector<GradAndVar> grads_and_vars =
      compute_gradients(loss, {.var_list = options.var_list,
                               .gate_gradients = options.gate_gradients,
                               .grad_loss = options.grad_loss});
  if (std::all_of(grads_and_vars.begin(), grads_and_vars.end(),
                  [](const GradAndVar& gv) { return gv.first.is_null(); })) {
    ThrowValueError(absl::StrCat(
        "No gradients provided for any variable, check your graph for ops "
        "that do not support gradients, between variables ",
        VariableList(grads_and_vars), " and loss ", TensorRepr(loss), "."));
  }
  return apply_gradients(grads_and_vars, options.global_step, options.name);
}

Operation Optimizer::ApplyDense(Output, const Variable&) {
  // TF's Optimizer._apply_dense: `raise NotImplementedError()`.
  throw Error(absl::UnimplementedError(""), "NotImplementedError");
}

Variable Optimizer::get_slot(const Variable& var,
                             const std::string& name) const {
  auto named = slots_.find(name);
  if (named == slots_.end() || var.is_null() || !var.is_variable()) {
    return Variable();
  }
  auto it = named->second.find(var.op().node());
  return it == named->second.end() ? Variable() : it->second;
}

std::vector<std::string> Optimizer::get_slot_names() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : slots_) names.push_back(name);
  return names;
}

std::vector<Variable> Optimizer::variables() const {
  const Graph* graph = &get_default_graph();
  std::vector<Variable> vars;
  for (const auto& [key, v] : non_slot_) {
    if (key.second == graph) vars.push_back(v);
  }
  for (const auto& [name, by_var] : slots_) {
    for (const auto& [node, slot] : by_var) {
      if (slot.graph() == graph) vars.push_back(slot);
    }
  }
  std::sort(vars.begin(), vars.end(), [](const Variable& a, const Variable& b) {
    return a.name() < b.name();
  });
  return vars;
}

void Optimizer::CreateSlots(const std::vector<Variable>& var_list) {
  (void)var_list;  // TF's default: no slots.
}

void Optimizer::Prepare() {}

Operation Optimizer::Finish(const std::vector<Operation>& update_ops,
                            const std::string& name_scope) {
  std::vector<CollectionItem> items(update_ops.begin(), update_ops.end());
  return group(items, name_scope);
}

Variable Optimizer::ZerosSlot(const Variable& var, const std::string& slot_name,
                              const std::string& op_name) {
  return GetOrMakeSlotWithInitializer(var, zeros_initializer(), slot_name,
                                      op_name);
}

Variable Optimizer::GetOrMakeSlotWithInitializer(const Variable& var,
                                                 const Initializer& initializer,
                                                 const std::string& slot_name,
                                                 const std::string& op_name) {
  auto& named = slots_[slot_name];
  auto it = named.find(var.op().node());
  if (it != named.end()) return it->second;
  // TF's slot_creator.create_slot_with_initializer: get_variable("") in a
  // fresh variable scope named after the primary, so repeated slots of one
  // variable are uniquified ("w/Adam", "w/Adam_1").
  Variable slot;
  {
    variable_scope scope(
        nullptr, {.default_name = absl::StrCat(var.op().name(), "/", op_name)});
    slot = get_variable("", {.shape = var.shape(),
                             .dtype = var.dtype(),
                             .initializer = initializer,
                             .trainable = false,
                             .validate_shape = var.shape().IsFullyDefined()});
  }
  named.emplace(var.op().node(), slot);
  return slot;
}

Variable Optimizer::GetSlotOrThrow(const Variable& var,
                                   const std::string& slot_name) const {
  Variable slot = get_slot(var, slot_name);
  if (slot.is_null()) {
    ThrowRuntimeError(absl::StrCat("Optimizer ", name_, " has no slot '",
                                   slot_name, "' for ", var.name()));
  }
  return slot;
}

Variable Optimizer::CreateNonSlotVariable(const HyperParameter& initial_value,
                                          const std::string& name) {
  Graph& graph = get_default_graph();
  auto key = std::make_pair(name, static_cast<const Graph*>(&graph));
  auto it = non_slot_.find(key);
  if (it != non_slot_.end()) return it->second;
  Variable v([&] { return initial_value.ToTensor("initial_value"); },
             {.trainable = false, .name = name});
  non_slot_.emplace(key, v);
  return v;
}

Variable Optimizer::GetNonSlotVariable(const std::string& name) const {
  auto it = non_slot_.find(
      std::make_pair(name, static_cast<const Graph*>(&get_default_graph())));
  return it == non_slot_.end() ? Variable() : it->second;
}

}  // namespace minitf::train
