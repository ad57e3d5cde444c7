#include "minitf/graph/context.h"

#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"

namespace minitf {
namespace {

thread_local std::vector<Graph*> graph_stack;

std::mutex global_graph_mutex;
std::unique_ptr<Graph>& GlobalGraph() {
  static auto* graph = new std::unique_ptr<Graph>(std::make_unique<Graph>());
  return *graph;
}

bool IsAlnumOrDot(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
}
bool IsScopeChar(char c) {
  return IsAlnumOrDot(c) || c == '_' || c == '-' || c == '/';
}

// TF's _VALID_OP_NAME_REGEX at the root, _VALID_SCOPE_NAME_REGEX nested.
bool IsValidScopeName(const std::string& name, bool at_root) {
  if (at_root && !IsAlnumOrDot(name[0])) return false;
  for (char c : name) {
    if (!IsScopeChar(c)) return false;
  }
  return true;
}

}  // namespace

Graph& get_default_graph() {
  if (!graph_stack.empty()) return *graph_stack.back();
  std::lock_guard<std::mutex> lock(global_graph_mutex);
  return *GlobalGraph();
}

void reset_default_graph() {
  if (!graph_stack.empty()) {
    throw Error(
        absl::FailedPreconditionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. "
            "If you need a cleared graph, exit the nesting and create a "
            "new graph."),
        "AssertionError");
  }
  std::lock_guard<std::mutex> lock(global_graph_mutex);
  GlobalGraph() = std::make_unique<Graph>();
}

GraphGuard::GraphGuard(Graph& graph) : graph_(&graph) {
  graph_stack.push_back(graph_);
}
GraphGuard::~GraphGuard() { graph_stack.pop_back(); }

name_scope::name_scope(std::optional<std::string> name,
                       std::optional<std::string> default_name)
    : graph_(&get_default_graph()), old_stack_(graph_->name_stack()) {
  if (!name.has_value()) name = default_name;
  if (!name.has_value() || name->empty()) {
    graph_->set_name_stack("");
    return;  // name_ stays "": the root.
  }
  if (!IsValidScopeName(*name, old_stack_.empty())) {
    ThrowValueError(absl::StrCat("'", *name, "' is not a valid scope name"));
  }
  if (name->back() == '/') {
    // Absolute re-entry: nothing is made unique or marked as used.
    name_ = *name;
    graph_->set_name_stack(name->substr(0, name->size() - 1));
    return;
  }
  std::string stack = graph_->unique_name(*name);
  name_ = stack + "/";
  graph_->set_name_stack(std::move(stack));
}

name_scope::~name_scope() { graph_->set_name_stack(std::move(old_stack_)); }

control_dependencies::control_dependencies(
    absl::Span<const CollectionItem> inputs)
    : graph_(&get_default_graph()) {
  std::vector<Operation> ops;
  ops.reserve(inputs.size());
  for (const CollectionItem& item : inputs) {
    Operation op = item.op();
    if (op.is_null()) {
      ThrowTypeError("Can not convert a NoneType into a Tensor or Operation.");
    }
    if (op.graph() != graph_) {
      ThrowValueError(absl::StrCat("Operation ", op.name(),
                                   " is not an element of this graph."));
    }
    ops.push_back(op);
  }
  graph_->control_dependency_stack().push_back({std::move(ops), {}});
}

control_dependencies::control_dependencies(std::nullptr_t)
    : graph_(&get_default_graph()), cleared_(true) {
  saved_ = std::move(graph_->control_dependency_stack());
  graph_->control_dependency_stack().clear();
}

control_dependencies::~control_dependencies() {
  if (cleared_) {
    graph_->control_dependency_stack() = std::move(saved_);
  } else {
    graph_->control_dependency_stack().pop_back();
  }
}

}  // namespace minitf
