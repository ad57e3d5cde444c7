// The tf.layers Layer base (TF 1.15's tf.compat.v1.layers.Layer): a layer
// object lives in the static graph, creates its variables lazily on its
// first call, under a variable scope captured once, and shares them on every
// later call.
//
//   tf::layers::Conv2D conv({.filters = 32, .kernel_size = 3});
//   auto y = conv(images);              // builds: conv2d/kernel, conv2d/bias
//   auto z = conv(other);               // same weights, ops conv2d/Conv2D_1
//   conv.name() == "conv2d_1";          // keras' 1-based object name
//   conv.scope_name() == "conv2d";      // the variable scope
//
// Naming follows TF exactly: an unnamed layer's variable scope is the snake
// case class name made unique (`conv2d`, `conv2d_1`, ...), a named one's is
// its name made unique (the class form) or entered by name (the functional
// form, which passes `_scope=name`, so a repeated name without reuse is the
// "already exists" ValueError). Ops go under the scope's original name scope.
// Variables come from get_variable, so the enclosing variable scope's reuse,
// initializer, regularizer and custom getter apply as in TF.
//
// A Layer is built by one thread at a time, like the graph it lives in.
#ifndef MINITF_LAYERS_LAYER_H_
#define MINITF_LAYERS_LAYER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/variables/variable.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::layers {

// What a layer's `name` may be: a string, or a VariableScope object the
// layer then uses as its scope (TF's `tf.layers.dense(x, name=scope)`).
class LayerName {
 public:
  LayerName() = default;
  LayerName(const char* name) : value_(std::string(name)) {}    // NOLINT
  LayerName(std::string name) : value_(std::move(name)) {}      // NOLINT
  LayerName(VariableScope scope) : value_(std::move(scope)) {}  // NOLINT

  // None or "".
  bool empty() const;
  const std::string* string() const {
    return std::get_if<std::string>(&value_);
  }
  const VariableScope* scope() const {
    return std::get_if<VariableScope>(&value_);
  }

 private:
  std::variant<std::monostate, std::string, VariableScope> value_;
};

// A layer's `training` argument: a bool, a bool scalar tensor (e.g. from
// placeholder_with_default) chosen at run time, or None (the layer's
// default, false for tf.layers).
class Training {
 public:
  Training() = default;
  Training(bool value) : value_(value) {}      // NOLINT
  Training(Output tensor) : value_(tensor) {}  // NOLINT

  bool is_none() const {
    return std::holds_alternative<std::monostate>(value_);
  }
  // The bool, the tensor, or `fallback` for None.
  std::variant<bool, Output> value_or(bool fallback) const;

 private:
  std::variant<std::monostate, bool, Output> value_;
};

// An activation: any callable Output(Output), or an activation builder such
// as tf::nn::relu (called with its default op name). Empty is None.
class Activation {
 public:
  Activation() = default;
  Activation(std::nullptr_t) {}                              // NOLINT
  Activation(Output (*builder)(Output, absl::string_view));  // NOLINT
  template <typename F>
  requires(std::is_invocable_r_v<Output, F, Output> &&
           !std::is_convertible_v<F, Output (*)(Output, absl::string_view)>)
      Activation(F f)  // NOLINT
      : fn_(std::move(f)) {}

  explicit operator bool() const { return static_cast<bool>(fn_); }
  Output operator()(Output x) const { return fn_(x); }

 private:
  std::function<Output(Output)> fn_;
};

// Keras' InputSpec: what a layer checks about each input before calling.
struct InputSpec {
  std::optional<DataType> dtype;
  std::optional<Shape> shape;
  std::optional<int> ndim;
  std::optional<int> max_ndim;
  std::optional<int> min_ndim;
  std::map<int64_t, int64_t> axes;  // axis (may be negative) -> size
};

// Arguments every layer takes (tf.layers.Layer(trainable, name, dtype) and
// the private `_scope` / `_reuse` the functional forms pass).
struct LayerArgs {
  bool trainable = true;
  LayerName name;
  std::optional<DataType> dtype;  // nullopt: inferred from the first input
  Regularizer activity_regularizer;
  LayerName scope;  // TF's _scope: captured at construction when set
  Reuse reuse;      // TF's _reuse
};

// add_weight's arguments after the name, in TF's order.
struct AddWeightOptions {
  Shape shape = Shape::Unknown();
  std::optional<DataType> dtype;
  VariableInitializer initializer;
  Regularizer regularizer;
  std::optional<bool> trainable;
  Constraint constraint;
  VariableSynchronization synchronization = VariableSynchronization::AUTO;
  VariableAggregation aggregation = VariableAggregation::NONE;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // TF's __call__ / apply: checks the input spec, builds on the first call,
  // calls, adds the activity regularizer's loss and puts the layer's
  // updates into UPDATE_OPS. Throws TF's ValueError texts.
  Output operator()(Output inputs, Training training = {});
  Output apply(Output inputs, Training training = {}) {
    return (*this)(inputs, training);
  }

  // Creates the weights for inputs of `input_shape`; __call__ does it once.
  void build(const Shape& input_shape);

  // The keras object name: the given name, else the snake-case class name
  // made unique per graph, 1-based (`dense_1`, `dense_2`).
  const std::string& name() const { return name_; }
  // The variable scope's name. ValueError before the scope exists (the
  // layer was never called and has no weights).
  std::string scope_name() const;
  bool built() const { return built_; }
  bool trainable() const { return trainable_; }
  void set_trainable(bool trainable) { trainable_ = trainable; }
  // The layer's dtype (nullopt until given or inferred).
  std::optional<DataType> dtype() const { return dtype_; }
  // Deprecated in TF: the graph of the layer's first input (null before).
  Graph* graph() const { return graph_; }
  const std::optional<InputSpec>& input_spec() const { return input_spec_; }
  void set_input_spec(std::optional<InputSpec> spec) {
    input_spec_ = std::move(spec);
  }
  const Regularizer& activity_regularizer() const {
    return activity_regularizer_;
  }

  // Trainable weights first, then non-trainable ones (keras' `weights`).
  std::vector<Variable> weights() const;
  std::vector<Variable> variables() const { return weights(); }
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> trainable_variables() const {
    return trainable_weights();
  }
  std::vector<Variable> non_trainable_weights() const;
  std::vector<Variable> non_trainable_variables() const {
    return non_trainable_weights();
  }
  // Regularization losses of the weights and activity losses of each call.
  std::vector<Output> losses() const;
  // Update ops (batch norm's moving averages), one set per call.
  std::vector<Output> updates() const;
  // The conditional losses / updates computed from `inputs` (the tensor
  // they were added for, or anything upstream of it), or the unconditional
  // ones for nullopt (keras' get_losses_for(None)).
  std::vector<Output> get_losses_for(std::optional<Output> inputs) const;
  std::vector<Output> get_updates_for(std::optional<Output> inputs) const;
  // Number of weight elements; ValueError before the layer is built.
  int64_t count_params() const;

  // TF's add_weight (alias add_variable): a variable "<scope>/<name>" made
  // through get_variable under the layer's scope, its regularizer loss
  // added only when the variable is new.
  Variable add_weight(absl::string_view name,
                      const AddWeightOptions& options = {});
  Variable add_variable(absl::string_view name,
                        const AddWeightOptions& options = {}) {
    return add_weight(name, options);
  }
  // Adds a loss (also to REGULARIZATION_LOSSES); `inputs` marks it as
  // conditional on those inputs.
  void add_loss(Output loss, std::optional<Output> inputs = std::nullopt);
  void add_update(Output update, std::optional<Output> inputs = std::nullopt);

 protected:
  // `class_name` is TF's class name ("Conv2D"), made snake case for names.
  Layer(absl::string_view class_name, const LayerArgs& args);

  // Creates the weights; the default creates none.
  virtual void Build(const Shape& input_shape) { (void)input_shape; }
  // The computation. `training` is as the caller passed it.
  virtual Output Call(Output inputs, const Training& training) = 0;

 private:
  struct Tagged {
    Output value;
    std::optional<Output> inputs;  // what it is conditional on
  };

  // TF's _set_scope: creates the layer's variable scope on first use.
  void SetScope();
  void MaybeBuild(Output inputs);
  void AssertInputCompatibility(Output inputs) const;
  static std::vector<Output> Filter(const std::vector<Tagged>& items,
                                    const std::optional<Output>& inputs);

  std::string name_;
  std::string base_name_;
  bool trainable_;
  std::optional<DataType> dtype_;
  Regularizer activity_regularizer_;
  Reuse reuse_;
  bool built_ = false;
  Graph* graph_ = nullptr;
  std::optional<VariableScope> scope_;
  std::optional<InputSpec> input_spec_;
  std::vector<Variable> trainable_weights_;
  std::vector<Variable> non_trainable_weights_;
  std::vector<Tagged> losses_;
  std::vector<Tagged> updates_;
};

// TF's snake_case of a class name: "Conv2D" -> "conv2d",
// "Conv2DTranspose" -> "conv2d_transpose", "_Private" -> "private__private".
std::string ToSnakeCase(absl::string_view class_name);

// A shape as Python prints TensorShape.as_list(): "[None, 28, 28, 1]".
std::string PythonShapeList(const Shape& shape);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_LAYER_H_
