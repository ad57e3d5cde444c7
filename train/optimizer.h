// Optimizer: TF1's tf.train.Optimizer base class, with compute_gradients,
// apply_gradients, minimize and slots, and TF 1.15's naming, collections,
// constraint and global-step rules. The optimizers themselves are in
// gradient_descent.h, momentum.h, adam.h, rmsprop.h and adagrad.h.
//
//   tf::Variable step = tf::train::get_or_create_global_step();
//   tf::train::MomentumOptimizer opt(0.01, 0.9);
//   tf::Operation train_op = opt.minimize(loss, {.global_step = step});
//   tf::Variable m = opt.get_slot(w, "momentum");          // "w/Momentum:0"
//
//   auto grads_and_vars = opt.compute_gradients(loss);     // [(grad, var)]
//   for (auto& [g, v] : grads_and_vars) g = tf::clip_by_value(g, lo, hi);
//   opt.apply_gradients(grads_and_vars);
//
// apply_gradients builds, under the optimizer's name scope ("Momentum",
// made unique), one update op per variable in "update_<var>", then the
// variable's constraint (assigned after its update), then the optimizer's
// finishing ops, then `global_step += 1` after all of them; the returned op
// joins the TRAIN_OP collection. Slots are non-trainable, zero-initialized
// (Adagrad: initial_accumulator_value; RMSProp's rms: ones) variables named
// "<var>/<Optimizer name>", uniquified per variable ("w/Adam", "w/Adam_1"),
// created with get_variable in the current variable scope as TF does.
//
// Left out from TF: sparse (IndexedSlices) updates, aggregation_method and
// colocate_gradients_with_ops (no devices here), and gate_gradients'
// effect: it is validated, but a step runs its ops one at a time in graph
// order, so every gradient is computed before any variable is updated,
// which is what GATE_GRAPH guarantees. As in Python, a subclass may
// override compute_gradients and apply_gradients (minimize calls both) and
// the slot accessors, as a wrapping optimizer does. An optimizer is used by
// one thread; it is neither copyable nor movable (its slots refer to it).
#ifndef MINITF_TRAIN_OPTIMIZER_H_
#define MINITF_TRAIN_OPTIMIZER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/variables/initializers.h"
#include "minitf/variables/variable.h"

namespace minitf::train {

// A hyper-parameter (learning rate, momentum, beta1, ...): a number, a
// tensor (a schedule such as exponential_decay, a placeholder), a variable,
// or a callable building the tensor when the update ops are built. Numbers
// become float32 constants in the optimizer's name scope
// ("Momentum/learning_rate").
class HyperParameter {
 public:
  HyperParameter(double value) : value_(value) {}            // NOLINT
  HyperParameter(Output tensor) : tensor_(tensor) {}         // NOLINT
  HyperParameter(const Variable& v) : tensor_(v.value()) {}  // NOLINT
  template <typename F>
  requires std::is_invocable_r_v<Output, F> HyperParameter(F fn)  // NOLINT
      : fn_(std::move(fn)) {}

  // The number, when the parameter is one.
  std::optional<double> number() const;
  // The tensor, building it now (a float32 constant named `name` for a
  // number; the callable's result for a callable).
  Output ToTensor(absl::string_view name) const;

 private:
  std::optional<double> value_;
  Output tensor_;
  std::function<Output()> fn_;
};

// (gradient, variable); the gradient is null where the loss does not
// depend on the variable (TF's None).
using GradAndVar = std::pair<Output, Variable>;

// TF's Optimizer.GATE_NONE / GATE_OP / GATE_GRAPH.
enum GateGradients : int { GATE_NONE = 0, GATE_OP = 1, GATE_GRAPH = 2 };

// compute_gradients' arguments after the loss, in TF's order.
struct ComputeGradientsOptions {
  // nullopt: trainable_variables().
  std::optional<std::vector<Variable>> var_list;
  int gate_gradients = GATE_OP;
  // Seeds the backprop (TF's grad_loss); null means ones.
  Output grad_loss;
};

// minimize's arguments after the loss, in TF's order.
struct MinimizeOptions {
  // Incremented by one after all updates when not null.
  Variable global_step;
  std::optional<std::vector<Variable>> var_list;
  int gate_gradients = GATE_OP;
  // The name scope of the update ops; "" uses the optimizer's name.
  std::string name = "";
  Output grad_loss;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  const std::string& get_name() const { return name_; }

  // Returns (d loss / d var, var) for each variable, a null gradient where
  // the loss does not depend on it. Throws ValueError "No variables to
  // optimize." for an empty var_list, and TF's ValueError for a bad
  // gate_gradients or a non-float loss or variable.
  virtual std::vector<GradAndVar> compute_gradients(
      Output loss, const ComputeGradientsOptions& options = {});

  // Builds the update ops for each pair with a gradient (pairs with a null
  // gradient are skipped) and returns the op that runs them all (the
  // global-step increment when global_step is given). Throws ValueError "No
  // variables provided." for no pairs and "No gradients provided for any
  // variable: [...]." when every gradient is null.
  virtual Operation apply_gradients(
      const std::vector<GradAndVar>& grads_and_vars,
      const Variable& global_step = Variable(), absl::string_view name = "");

  // compute_gradients then apply_gradients. Throws ValueError "No gradients
  // provided for any variable, check your graph for ops that do not support
  // gradients, between variables [...] and loss ...." when no variable has
  // a gradient.
  Operation minimize(Output loss, const MinimizeOptions& options = {});

  // The slot `name` made for `var`, or a null Variable.
  virtual Variable get_slot(const Variable& var, const std::string& name) const;
  // The slot names this optimizer has made, sorted.
  virtual std::vector<std::string> get_slot_names() const;
  // The slots and non-slot variables (Adam's beta powers) it made in the
  // default graph, sorted by name.
  virtual std::vector<Variable> variables() const;

 protected:
  // Throws ValueError "Must specify the optimizer name" for an empty name.
  Optimizer(bool use_locking, std::string name);

  // Creates the slots of `var_list` (called once per apply_gradients, in
  // the current name scope without control dependencies).
  virtual void CreateSlots(const std::vector<Variable>& var_list);
  // Builds the hyper-parameter tensors, in the optimizer's name scope.
  virtual void Prepare();
  // Builds the update of `var` by the dense gradient `grad`. The base
  // class's is TF's: it raises NotImplementedError (a wrapper such as
  // hvd::DistributedOptimizer, whose apply_gradients delegates, has none).
  virtual Operation ApplyDense(Output grad, const Variable& var);
  // Groups the updates in an op named `name_scope` (TF's _finish).
  virtual Operation Finish(const std::vector<Operation>& update_ops,
                           const std::string& name_scope);

  // The slot `slot_name` of `var`, made by slot_creator on first use under
  // variable scope "<var op name>/<op_name>" (made unique).
  Variable ZerosSlot(const Variable& var, const std::string& slot_name,
                     const std::string& op_name);
  Variable GetOrMakeSlotWithInitializer(const Variable& var,
                                        const Initializer& initializer,
                                        const std::string& slot_name,
                                        const std::string& op_name);
  // The existing slot; throws if it was never made.
  Variable GetSlotOrThrow(const Variable& var,
                          const std::string& slot_name) const;
  // A variable of this optimizer not tied to one variable (Adam's
  // beta1_power), made once per graph with tf.Variable in the current name
  // scope; non-trainable.
  Variable CreateNonSlotVariable(const HyperParameter& initial_value,
                                 const std::string& name);
  // The non-slot variable `name` of the default graph, or a null Variable.
  Variable GetNonSlotVariable(const std::string& name) const;

  bool use_locking() const { return use_locking_; }

 private:
  bool use_locking_;
  std::string name_;
  // slot name -> variable op -> slot.
  std::map<std::string, absl::flat_hash_map<const Node*, Variable>> slots_;
  // (name, graph) -> variable.
  std::map<std::pair<std::string, const Graph*>, Variable> non_slot_;
};

// How TF prints a variable and a tensor in messages:
// "<tf.Variable 'w:0' shape=(2,) dtype=float32_ref>" and
// "Tensor(\"add:0\", shape=(), dtype=float32)".
std::string VariableRepr(const Variable& v);
std::string TensorRepr(const Output& t);

}  // namespace minitf::train

#endif  // MINITF_TRAIN_OPTIMIZER_H_
