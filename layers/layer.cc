#include "minitf/layers/layer.h"

#include <regex>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/context.h"
#include "minitf/graph/graph.h"
#include "minitf/layers/layer_utils.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/variables/initializers.h"

namespace minitf::layers {
namespace {

// keras.backend's per-graph name counters for unique_object_name.
struct ObjectNameCounts {
  absl::flat_hash_map<std::string, int> counts;
};

// keras' unique_object_name(name, zero_based=False): "dense_1", "dense_2".
std::string UniqueObjectName(Graph& graph, const std::string& base) {
  int& count = graph.GetExtension<ObjectNameCounts>().counts[base];
  return absl::StrCat(base, "_", ++count);
}

std::string PythonDim(int64_t d) { return d < 0 ? "None" : absl::StrCat(d); }

std::string PythonShapeTuple(const Shape& shape) {
  std::vector<std::string> dims;
  for (int64_t d : shape.dims()) dims.push_back(PythonDim(d));
  if (dims.size() == 1) return absl::StrCat("(", dims[0], ",)");
  return absl::StrCat("(", absl::StrJoin(dims, ", "), ")");
}

// Appends the items of `values` not yet in collection `key`.
void AddNewToCollection(const std::vector<Output>& values,
                        const std::string& key) {
  std::vector<CollectionItem>& collection = get_collection_ref(key);
  for (const Output& v : values) {
    if (std::find(collection.begin(), collection.end(), CollectionItem(v)) ==
        collection.end()) {
      collection.push_back(v);
    }
  }
}

// TF's get_reachable_from_inputs for one target: whether `target` is
// `source` or is computed from it (through data or control edges).
bool ReachableFrom(const Output& target, const Output& source) {
  if (target == source) return true;
  std::vector<const Node*> stack = {target.node()};
  absl::flat_hash_set<const Node*> seen;
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second) continue;
    for (const Output& input : node->inputs()) {
      if (input == source) return true;
      stack.push_back(input.node());
    }
    for (const Node* control : node->control_inputs()) stack.push_back(control);
  }
  return false;
}

}  // namespace

bool LayerName::empty() const {
  if (std::holds_alternative<std::monostate>(value_)) return true;
  const std::string* s = string();
  return s != nullptr && s->empty();
}

std::variant<bool, Output> Training::value_or(bool fallback) const {
  if (const bool* b = std::get_if<bool>(&value_)) return *b;
  if (const Output* t = std::get_if<Output>(&value_)) return *t;
  return fallback;
}

Activation::Activation(Output (*builder)(Output, absl::string_view)) {
  if (builder != nullptr) {
    fn_ = [builder](Output x) { return builder(x, ""); };
  }
}

std::string ToSnakeCase(absl::string_view class_name) {
  static const std::regex kWord("(.)([A-Z][a-z0-9]+)");
  static const std::regex kCase("([a-z])([A-Z])");
  std::string s = std::regex_replace(std::string(class_name), kWord, "$1_$2");
  s = absl::AsciiStrToLower(std::regex_replace(s, kCase, "$1_$2"));
  if (!s.empty() && s[0] == '_') return absl::StrCat("private", s);
  return s;
}

std::string PythonShapeList(const Shape& shape) {
  if (!shape.has_rank()) return "None";
  std::vector<std::string> dims;
  for (int64_t d : shape.dims()) dims.push_back(PythonDim(d));
  return absl::StrCat("[", absl::StrJoin(dims, ", "), "]");
}

Layer::Layer(absl::string_view class_name, const LayerArgs& args)
    : trainable_(args.trainable),
      dtype_(args.dtype),
      activity_regularizer_(args.activity_regularizer),
      reuse_(args.reuse) {
  // keras' _init_set_name: a string is kept as given; None or a scope
  // object gets a unique object name.
  const std::string snake = ToSnakeCase(class_name);
  if (const VariableScope* scope = args.name.scope()) {
    base_name_ = scope->name();
    name_ = UniqueObjectName(get_default_graph(), snake);
  } else if (args.name.empty()) {
    base_name_ = snake;
    name_ = UniqueObjectName(get_default_graph(), snake);
  } else {
    base_name_ = *args.name.string();
    name_ = base_name_;
  }
  // `_scope` is entered (by name or by object) at construction.
  if (const VariableScope* scope = args.scope.scope()) {
    variable_scope captured(*scope);
    scope_ = captured.scope();
  } else if (!args.scope.empty()) {
    variable_scope captured(*args.scope.string());
    scope_ = captured.scope();
  }
}

std::string Layer::scope_name() const {
  if (!scope_.has_value()) {
    ThrowValueError(absl::StrCat(
        "No name available for layer scope because the layer \"", name_,
        "\" has not been used yet. The scope name  is determined the first "
        "time the layer instance is called. You must therefore call the layer "
        "before querying `scope_name`."));
  }
  return scope_->name();
}

void Layer::SetScope() {
  if (scope_.has_value()) return;
  if (static_cast<bool>(reuse_)) {
    variable_scope captured(base_name_);
    scope_ = captured.scope();
  } else {
    variable_scope captured(nullptr, {.default_name = base_name_});
    scope_ = captured.scope();
  }
}

Output Layer::operator()(Output inputs, Training training) {
  if (inputs.is_null()) {
    ThrowValueError(absl::StrCat("Layer ", name_, " was called with None"));
  }
  // The first input's graph binds the layer (TF's _get_graph_from_inputs).
  if (graph_ != nullptr && inputs.graph() != graph_) {
    ThrowValueError(absl::StrCat(
        "Input graph and Layer graph are not the same: Tensor(\"",
        inputs.name(), "\", shape=", inputs.shape().ToString(), ", dtype=",
        DataTypeName(inputs.dtype()), ") is not from the passed-in graph."));
  }
  SetScope();
  if (graph_ == nullptr) graph_ = inputs.graph();
  Output outputs;
  {
    // A built layer always reuses its scope's variables.
    variable_scope scope(*scope_, {.reuse = built_ ? Reuse(true) : reuse_,
                                   .auxiliary_name_scope = false});
    AssertInputCompatibility(inputs);
    name_scope ops_scope(scope.scope().original_name_scope());
    MaybeBuild(inputs);
    outputs = Call(inputs, training);
    if (outputs.is_null()) {
      ThrowValueError(absl::StrCat(
          "A layer's `call` method should return a Tensor or a list of "
          "Tensors, not None (layer: ",
          name_, ")."));
    }
    if (activity_regularizer_) {
      name_scope activity("ActivityRegularizer");
      Output loss = activity_regularizer_(outputs);
      if (!loss.is_null()) {
        // Divided by the batch size, so the strength is batch-agnostic.
        add_loss(divide(loss, BatchSize(outputs, loss.dtype())), inputs);
      }
    }
  }
  AddNewToCollection(updates(), GraphKeys::UPDATE_OPS);
  return outputs;
}

void Layer::MaybeBuild(Output inputs) {
  if (built_) return;
  if (!dtype_.has_value()) dtype_ = inputs.dtype();
  build(inputs.shape());
}

void Layer::build(const Shape& input_shape) {
  SetScope();
  Build(input_shape);
  built_ = true;
}

void Layer::AssertInputCompatibility(Output x) const {
  if (!input_spec_.has_value()) return;
  const InputSpec& spec = *input_spec_;
  const Shape& shape = x.shape();
  const std::string prefix = absl::StrCat("Input 0 of layer ", name_,
                                          " is incompatible with the layer: ");
  if ((spec.ndim || spec.min_ndim || spec.max_ndim) && !shape.has_rank()) {
    ThrowValueError(absl::StrCat(
        prefix,
        "its rank is undefined, but the layer requires a defined rank."));
  }
  if (spec.ndim && shape.rank() != *spec.ndim) {
    ThrowValueError(absl::StrCat(
        prefix, "expected ndim=", *spec.ndim, ", found ndim=", shape.rank(),
        ". Full shape received: ", PythonShapeList(shape)));
  }
  if (spec.max_ndim && shape.has_rank() && shape.rank() > *spec.max_ndim) {
    ThrowValueError(absl::StrCat(prefix, "expected max_ndim=", *spec.max_ndim,
                                 ", found ndim=", shape.rank()));
  }
  if (spec.min_ndim && shape.has_rank() && shape.rank() < *spec.min_ndim) {
    // TF's text doubles the separator here.
    ThrowValueError(absl::StrCat(
        prefix, ": expected min_ndim=", *spec.min_ndim, ", found ndim=",
        shape.rank(), ". Full shape received: ", PythonShapeList(shape)));
  }
  if (spec.dtype && x.dtype() != *spec.dtype) {
    ThrowValueError(
        absl::StrCat(prefix, "expected dtype=", DataTypeName(*spec.dtype),
                     ", found dtype=<dtype: '", DataTypeName(x.dtype()), "'>"));
  }
  if (!spec.axes.empty() && shape.has_rank()) {
    for (const auto& [axis, value] : spec.axes) {
      const int64_t index = axis < 0 ? axis + shape.rank() : axis;
      if (index < 0 || index >= shape.rank()) continue;
      const int64_t dim = shape.dim(static_cast<int>(index));
      if (dim >= 0 && dim != value) {
        ThrowValueError(absl::StrCat(
            prefix, "expected axis ", axis, " of input shape to have value ",
            value, " but received input with shape ", PythonShapeList(shape)));
      }
    }
  }
  if (spec.shape && spec.shape->has_rank() && shape.has_rank()) {
    const int n = std::min(spec.shape->rank(), shape.rank());
    for (int i = 0; i < n; ++i) {
      const int64_t want = spec.shape->dim(i), got = shape.dim(i);
      if (want >= 0 && got >= 0 && want != got) {
        ThrowValueError(
            absl::StrCat("Input 0 is incompatible with layer ", name_,
                         ": expected shape=", PythonShapeTuple(*spec.shape),
                         ", found shape=", PythonShapeList(shape)));
      }
    }
  }
}

Variable Layer::add_weight(absl::string_view name, const AddWeightOptions& o) {
  bool trainable = o.trainable.value_or(true);
  if (o.synchronization == VariableSynchronization::ON_READ) {
    if (o.trainable.value_or(false)) {
      ThrowValueError(
          "Synchronization value can be set to "
          "VariableSynchronization.ON_READ only for non-trainable variables. "
          "You have specified trainable=True and "
          "synchronization=VariableSynchronization.ON_READ.");
    }
    trainable = false;
  }
  absl::flat_hash_set<const Node*> existing;
  for (const Variable& v : global_variables()) existing.insert(v.op().node());
  const DataType dtype = o.dtype.value_or(dtype_.value_or(DataType::kFloat));

  SetScope();
  variable_scope scope(*scope_, {.reuse = built_ ? Reuse(true) : reuse_,
                                 .auxiliary_name_scope = false});
  name_scope ops_scope(scope.scope().original_name_scope());
  // None falls back to the scope's initializer, then to keras' default.
  VariableInitializer initializer = o.initializer;
  if (initializer.is_none()) initializer = scope.scope().initializer();
  if (initializer.is_none()) {
    initializer =
        IsFloating(dtype) ? glorot_uniform_initializer() : zeros_initializer();
  }
  // The regularizer is not passed on: the scope's one applies inside
  // get_variable (TF's behaviour), the layer's own one is added below.
  const bool effective_trainable = trainable && trainable_;
  Variable v = get_variable(name, {.shape = o.shape,
                                   .dtype = dtype,
                                   .initializer = initializer,
                                   .trainable = effective_trainable,
                                   .constraint = o.constraint,
                                   .synchronization = o.synchronization,
                                   .aggregation = o.aggregation});
  if (o.regularizer && !existing.contains(v.op().node())) {
    name_scope reg_scope(absl::StrCat(name, "/Regularizer"));
    Output loss = o.regularizer(v);
    if (!loss.is_null()) add_loss(loss);
  }
  // A custom getter may have made the variable non-trainable.
  bool in_trainable = false;
  if (effective_trainable) {
    for (const Variable& t : minitf::trainable_variables()) {
      if (t.op() == v.op()) in_trainable = true;
    }
  }
  (in_trainable ? trainable_weights_ : non_trainable_weights_).push_back(v);
  return v;
}

void Layer::add_loss(Output loss, std::optional<Output> inputs) {
  losses_.push_back({loss, inputs});
  AddNewToCollection({loss}, GraphKeys::REGULARIZATION_LOSSES);
}

void Layer::add_update(Output update, std::optional<Output> inputs) {
  updates_.push_back({update, inputs});
}

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> all = trainable_weights();
  for (const Variable& v : non_trainable_weights()) all.push_back(v);
  return all;
}

std::vector<Variable> Layer::trainable_weights() const {
  return trainable_ ? trainable_weights_ : std::vector<Variable>{};
}

std::vector<Variable> Layer::non_trainable_weights() const {
  if (trainable_) return non_trainable_weights_;
  std::vector<Variable> all = trainable_weights_;
  for (const Variable& v : non_trainable_weights_) all.push_back(v);
  return all;
}

std::vector<Output> Layer::losses() const {
  std::vector<Output> all;
  for (const Tagged& t : losses_) all.push_back(t.value);
  return all;
}

std::vector<Output> Layer::updates() const {
  std::vector<Output> all;
  for (const Tagged& t : updates_) all.push_back(t.value);
  return all;
}

std::vector<Output> Layer::Filter(const std::vector<Tagged>& items,
                                  const std::optional<Output>& inputs) {
  std::vector<Output> selected;
  for (const Tagged& t : items) {
    // None asks for the unconditional items; a tensor for the conditional
    // ones computed from it, as keras does.
    const bool take = inputs.has_value() ? t.inputs.has_value() &&
                                               ReachableFrom(t.value, *inputs)
                                         : !t.inputs.has_value();
    if (take) selected.push_back(t.value);
  }
  return selected;
}

std::vector<Output> Layer::get_losses_for(std::optional<Output> inputs) const {
  return Filter(losses_, inputs);
}

std::vector<Output> Layer::get_updates_for(std::optional<Output> inputs) const {
  return Filter(updates_, inputs);
}

int64_t Layer::count_params() const {
  if (!built_) {
    ThrowValueError(absl::StrCat(
        "You tried to call `count_params` on ", name_,
        ", but the layer isn't built. You can build it manually via: `", name_,
        ".build(batch_input_shape)`."));
  }
  int64_t total = 0;
  for (const Variable& v : weights()) total += v.shape().num_elements();
  return total;
}

}  // namespace minitf::layers
