#include "minitf/variables/global_step.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/graph/context.h"
#include "minitf/variables/variable_scope.h"

namespace minitf::train {
namespace {

// TF's assert_global_step.
void CheckGlobalStep(const Variable& step) {
  if (!IsInteger(step.dtype())) {
    ThrowTypeError(absl::StrCat("Existing \"global_step\" does not have integer type: ",
                                DataTypeName(step.dtype())));
  }
  if (step.shape().rank() != 0) {
    ThrowTypeError(
        absl::StrCat("Existing \"global_step\" is not scalar: ", step.shape().ToString()));
  }
}

}  // namespace

Variable get_global_step() {
  Graph& graph = get_default_graph();
  std::vector<CollectionItem> items = graph.get_collection(GraphKeys::GLOBAL_STEP);
  if (items.size() > 1) {
    Log().error("Multiple tensors in global_step collection.");
    return Variable();
  }
  if (items.size() == 1) {
    std::optional<Variable> step = Variable::From(items[0]);
    if (!step) {
      ThrowTypeError(absl::StrCat("Existing \"global_step\" must be a Variable or Tensor: ",
                                  items[0].name().value_or("None"), "."));
    }
    CheckGlobalStep(*step);
    return *step;
  }
  if (Node* node = graph.FindNode("global_step"); node != nullptr && node->num_outputs() > 0) {
    Variable step = Variable::FromTensor(Output(node, 0));
    CheckGlobalStep(step);
    return step;
  }
  return Variable();
}

Variable create_global_step() {
  if (!get_global_step().is_null()) ThrowValueError("\"global_step\" already exists.");
  // At the root name scope, in the current variable scope (as TF does).
  name_scope root(std::nullopt);
  return get_variable(
      "global_step",
      {.shape = {},
       .dtype = DataType::kInt64,
       .initializer = zeros_initializer(),
       .trainable = false,
       .collections = std::vector<std::string>{GraphKeys::GLOBAL_VARIABLES,
                                               GraphKeys::GLOBAL_STEP}});
}

Variable get_or_create_global_step() {
  Variable step = get_global_step();
  return step.is_null() ? create_global_step() : step;
}

}  // namespace minitf::train
