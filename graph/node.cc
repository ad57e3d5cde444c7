#include "minitf/graph/node.h"

#include "absl/strings/str_cat.h"

namespace minitf {

Operation Output::op() const { return Operation(node_); }
Graph* Output::graph() const { return node_->graph(); }
std::string Output::name() const {
  return absl::StrCat(node_->name(), ":", index_);
}
DataType Output::dtype() const { return node_->output_dtype(index_); }
const Shape& Output::shape() const { return node_->output_shape(index_); }

const std::string& Operation::name() const { return node_->name(); }
const std::string& Operation::type() const { return node_->type(); }
Graph* Operation::graph() const { return node_->graph(); }
int Operation::num_outputs() const { return node_->num_outputs(); }
Output Operation::output(int i) const { return Output(node_, i); }
const std::vector<Output>& Operation::inputs() const { return node_->inputs(); }
const std::vector<Node*>& Operation::control_inputs() const {
  return node_->control_inputs();
}

void Node::ThrowAttrError(absl::string_view name) const {
  ThrowValueError(absl::StrCat("Operation '", name_, "' has no attr named '",
                               name, "' of the requested type."));
}

}  // namespace minitf
