// OpBuilder adds one node to a graph the way TF's create_op does: it picks
// the graph (the inputs', else the default), names the node under the
// current name scope (a name ending in "/" is used verbatim), validates
// attributes, runs the shape function and adds the active control
// dependencies. Errors throw minitf::Error with TF's text.
//
//   Output y = OpBuilder("MatMul", name).Input(a).Input(b)
//                  .Attr("transpose_a", false).Build();
#ifndef MINITF_GRAPH_OP_BUILDER_H_
#define MINITF_GRAPH_OP_BUILDER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/attr.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/node.h"

namespace minitf {

class OpBuilder {
 public:
  // `name` empty means the op type, as in TF.
  OpBuilder(std::string type, absl::string_view name);

  OpBuilder& Input(Output input);
  OpBuilder& Inputs(absl::Span<const Output> inputs);
  OpBuilder& ControlInput(Operation op);
  OpBuilder& Attr(std::string name, AttrValue value);
  // Builds in `graph` (required when the op has no inputs and must not go
  // to the default graph).
  OpBuilder& InGraph(Graph* graph);

  // Adds the node; returns it. Throws on error.
  Node* Finalize();
  // Finalize() and return output 0 (the op must have outputs).
  Output Build();
  // Finalize() and return the operation.
  Operation BuildOp() { return Operation(Finalize()); }

 private:
  std::string type_;
  std::string name_;
  std::vector<Output> inputs_;
  std::vector<Node*> control_inputs_;
  AttrMap attrs_;
  Graph* graph_ = nullptr;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_OP_BUILDER_H_
