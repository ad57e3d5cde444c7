#include "minitf/graph/node.h"

#include "absl/strings/str_cat.h"
#include "minitf/graph/graph.h"

namespace minitf {

absl::Status GraphLifetime::DestroyedError(absl::string_view kind,
                                           const Node* node, int index) const {
  auto it = names_.find(node);
  const std::string name = it == names_.end() ? "<unknown>" : it->second;
  return absl::FailedPreconditionError(absl::StrCat(
      kind, " '", index < 0 ? name : absl::StrCat(name, ":", index),
      "' belongs to a Graph that has been destroyed"));
}

void ThrowGraphDestroyed(const GraphLifetime& lifetime, const char* kind,
                         const Node* node, int index) {
  throw Error(lifetime.DestroyedError(kind, node, index), "RuntimeError");
}

Output::Output(Node* node, int index)
    : node_(node),
      index_(index),
      lifetime_(node != nullptr && node->graph() != nullptr
                    ? node->graph()->lifetime()
                    : nullptr) {}

Operation Output::op() const { return Operation(node_, lifetime_); }
Graph* Output::graph() const { return node()->graph(); }
std::string Output::name() const {
  return absl::StrCat(node()->name(), ":", index_);
}
DataType Output::dtype() const { return node()->output_dtype(index_); }
const Shape& Output::shape() const { return node()->output_shape(index_); }

Operation::Operation(Node* node)
    : node_(node),
      lifetime_(node != nullptr && node->graph() != nullptr
                    ? node->graph()->lifetime()
                    : nullptr) {}

const std::string& Operation::name() const { return node()->name(); }
const std::string& Operation::type() const { return node()->type(); }
Graph* Operation::graph() const { return node()->graph(); }
int Operation::num_outputs() const { return node()->num_outputs(); }
Output Operation::output(int i) const { return Output(node_, i, lifetime_); }
const std::vector<Output>& Operation::inputs() const {
  return node()->inputs();
}
const std::vector<Node*>& Operation::control_inputs() const {
  return node()->control_inputs();
}

void Node::ThrowAttrError(absl::string_view name) const {
  ThrowValueError(absl::StrCat("Operation '", name_, "' has no attr named '",
                               name, "' of the requested type."));
}

}  // namespace minitf
