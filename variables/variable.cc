#include "minitf/variables/variable.h"

#include "absl/strings/str_cat.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/state/state_ops.h"

namespace minitf {

struct Variable::Data : CollectionObject {
  Output ref;
  Output read;  // <name>/read:0
  Output initial_value;
  Operation initializer;
  bool trainable = true;
  Constraint constraint;

  // FromTensor handles have no ref: they stand for `read`.
  const Output& primary() const { return ref.is_null() ? read : ref; }
  std::optional<std::string> name() const override { return primary().name(); }
  Operation op() const override { return primary().op(); }
  Output value() const override { return read; }
};

Variable::Variable(Output initial_value, const Options& options) {
  Create([initial_value] { return initial_value; }, false, options);
}

Variable::Variable(const std::function<Output()>& initial_value,
                   const Options& options) {
  Create(initial_value, true, options);
}

Variable Variable::FromTensor(Output tensor) {
  if (tensor.is_null())
    ThrowValueError("Variable::FromTensor needs a tensor, got None");
  auto data = std::make_shared<Data>();
  data->read = tensor;
  return Variable(std::move(data));
}

const Variable::Data& Variable::data() const {
  CheckAlive(data_->primary(), "Variable");
  return *data_;
}

bool Variable::is_variable() const { return !data_->ref.is_null(); }

const Variable::Data& Variable::RequireVariable(const char* what) const {
  const Data& data = this->data();
  if (data.ref.is_null()) {
    ThrowTypeError(absl::StrCat("'", data_->read.name(),
                                "' is a tensor, not a variable: it has no ",
                                what));
  }
  return data;
}

void Variable::Create(const std::function<Output()>& initial_value,
                      bool initializer_scope, const Options& options) {
  Graph& graph = get_default_graph();
  auto data = std::make_shared<Data>();
  data->trainable = options.trainable;
  data->constraint = options.constraint;
  {
    // init_scope: a variable never inherits control dependencies.
    control_dependencies no_deps(nullptr);
    name_scope scope(options.name, "Variable");
    if (initializer_scope) {
      name_scope init_scope("Initializer");
      data->initial_value = initial_value();
    } else {
      data->initial_value = initial_value();
    }
    const Output& init = data->initial_value;
    if (init.is_null()) ThrowValueError("initial_value must be specified.");
    if (options.validate_shape && !init.shape().IsFullyDefined()) {
      ThrowValueError(absl::StrCat(
          "initial_value must have a shape specified: ", init.name()));
    }
    // The scope name "v/" names the variable op "v" verbatim. As in TF, a
    // variable whose shape may change has an unknown static shape: each
    // plan is compiled for the shape its value has then.
    data->ref = VariableOp(
        init.dtype(), options.validate_shape ? init.shape() : Shape::Unknown(),
        scope.name());
    data->initializer =
        minitf::assign(data->ref, init,
                       {.validate_shape = options.validate_shape})
            .op();
    data->read = identity(data->ref, "read");
  }
  std::vector<std::string> collections = options.collections.value_or(
      std::vector<std::string>{GraphKeys::GLOBAL_VARIABLES});
  if (options.trainable &&
      std::find(collections.begin(), collections.end(),
                GraphKeys::TRAINABLE_VARIABLES) == collections.end()) {
    collections.push_back(GraphKeys::TRAINABLE_VARIABLES);
  }
  data_ = std::move(data);
  graph.add_to_collections(collections, *this);
}

std::string Variable::name() const { return data().primary().name(); }
Operation Variable::op() const { return data().primary().op(); }
Output Variable::ref() const { return RequireVariable("ref").ref; }
Output Variable::value() const { return data().read; }
Operation Variable::initializer() const {
  return RequireVariable("initializer").initializer;
}
Output Variable::initial_value() const {
  return RequireVariable("initial_value").initial_value;
}
DataType Variable::dtype() const { return data().read.dtype(); }
const Shape& Variable::shape() const { return data().read.shape(); }
bool Variable::trainable() const { return data().trainable; }
const Constraint& Variable::constraint() const { return data().constraint; }
Graph* Variable::graph() const { return data().read.graph(); }

Output Variable::assign(Output value, absl::string_view name) const {
  return minitf::assign(RequireVariable("assign").ref, value,
                        {.name = std::string(name)});
}
Output Variable::assign_add(Output delta, absl::string_view name) const {
  return minitf::assign_add(RequireVariable("assign_add").ref, delta, name);
}
Output Variable::assign_sub(Output delta, absl::string_view name) const {
  return minitf::assign_sub(RequireVariable("assign_sub").ref, delta, name);
}

Variable::operator CollectionItem() const {
  return CollectionItem(std::shared_ptr<const CollectionObject>(data_));
}

std::optional<Variable> Variable::From(const CollectionItem& item) {
  std::shared_ptr<const Data> data = item.object_as<Data>();
  if (data == nullptr) return std::nullopt;
  return Variable(std::move(data));
}

std::vector<Variable> VariablesInCollection(const std::string& key,
                                            const std::string& scope) {
  std::vector<Variable> vars;
  for (const CollectionItem& item : get_collection(key, scope)) {
    if (std::optional<Variable> v = Variable::From(item)) vars.push_back(*v);
  }
  return vars;
}

std::vector<Variable> global_variables(const std::string& scope) {
  return VariablesInCollection(GraphKeys::GLOBAL_VARIABLES, scope);
}
std::vector<Variable> trainable_variables(const std::string& scope) {
  return VariablesInCollection(GraphKeys::TRAINABLE_VARIABLES, scope);
}
std::vector<Variable> local_variables(const std::string& scope) {
  return VariablesInCollection(GraphKeys::LOCAL_VARIABLES, scope);
}
std::vector<Variable> model_variables(const std::string& scope) {
  return VariablesInCollection(GraphKeys::MODEL_VARIABLES, scope);
}

Operation variables_initializer(const std::vector<Variable>& var_list,
                                absl::string_view name) {
  std::vector<CollectionItem> inits;
  for (const Variable& v : var_list) inits.emplace_back(v.initializer());
  return group(inits, name);
}

Operation global_variables_initializer() {
  return variables_initializer(global_variables(), "init");
}
Operation local_variables_initializer() {
  return variables_initializer(local_variables(), "init");
}

}  // namespace minitf
