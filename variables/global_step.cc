#include "minitf/variables/global_step.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/graph/context.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::train {
namespace {

// How TF prints the step's dtype: "<dtype: 'float32'>", with "_ref" for a
// variable (a RefVariable or its VariableV2 op's output).
std::string DtypeRepr(const Variable& step) {
  const bool ref = step.op().type() == "VariableV2";
  return absl::StrCat("<dtype: '", DataTypeName(step.dtype()),
                      ref ? "_ref" : "", "'>");
}

// TF's assert_global_step.
void CheckGlobalStep(const Variable& step) {
  if (!IsInteger(step.dtype())) {
    ThrowTypeError(
        absl::StrCat("Existing \"global_step\" does not have integer type: ",
                     DtypeRepr(step)));
  }
  // Only a fully defined non-scalar shape is rejected.
  if (step.shape().IsFullyDefined() && step.shape().rank() != 0) {
    ThrowTypeError(absl::StrCat("Existing \"global_step\" is not scalar: ",
                                step.shape().ToString()));
  }
}

}  // namespace

Variable get_global_step() {
  Graph& graph = get_default_graph();
  std::vector<CollectionItem> items =
      graph.get_collection(GraphKeys::GLOBAL_STEP);
  if (items.size() > 1) {
    Log().error("Multiple tensors in global_step collection.");
    return Variable();
  }
  if (items.size() == 1) {
    std::optional<Variable> step = Variable::From(items[0]);
    // A tensor is accepted as well as a variable.
    if (!step && items[0].object_as<CollectionObject>() == nullptr &&
        !items[0].output().is_null()) {
      step = Variable::FromTensor(items[0].output());
    }
    if (!step) {
      ThrowTypeError(absl::StrCat(
          "Existing \"global_step\" must be a Variable or Tensor: ",
          items[0].name().value_or("None"), "."));
    }
    CheckGlobalStep(*step);
    return *step;
  }
  if (Node* node = graph.FindNode("global_step");
      node != nullptr && node->num_outputs() > 0) {
    Variable step = Variable::FromTensor(Output(node, 0));
    CheckGlobalStep(step);
    return step;
  }
  return Variable();
}

Variable create_global_step() {
  if (!get_global_step().is_null())
    ThrowValueError("\"global_step\" already exists.");
  // At the root name scope, in the current variable scope (as TF does).
  name_scope root(std::nullopt);
  return get_variable("global_step", {.shape = {},
                                      .dtype = DataType::kInt64,
                                      .initializer = zeros_initializer(),
                                      .trainable = false,
                                      .collections = std::vector<std::string>{
                                          GraphKeys::GLOBAL_VARIABLES,
                                          GraphKeys::GLOBAL_STEP}});
}

Variable get_or_create_global_step() {
  Variable step = get_global_step();
  return step.is_null() ? create_global_step() : step;
}

}  // namespace minitf::train
