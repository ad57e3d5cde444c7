#include "minitf/graph/shape_folding.h"

#include <exception>
#include <vector>

#include "minitf/graph/kernel.h"
#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

bool ReadsShapesOnly(const Node& node) {
  const std::string& type = node.type();
  return type == "Shape" || type == "Size" || type == "Rank";
}

}  // namespace

const Tensor* ShapeFolder::value(const Output& output) const {
  auto it = values_.find(output);
  return it == values_.end() ? nullptr : &it->second;
}

void ShapeFolder::Evaluate(const Node& node,
                           absl::Span<const Shape> input_shapes,
                           absl::Span<const Shape> output_shapes,
                           absl::Span<const Tensor* const> input_values) {
  const OpDef& def = node.op_def();
  if (node.type() == "Const") {
    values_[Output(const_cast<Node*>(&node), 0)] = node.attr<Tensor>("value");
    return;
  }
  // Control flow needs the plan's liveness, and a PlaceholderWithDefault
  // may be fed: neither has a value known at compile time.
  const std::string& type = node.type();
  if (type == "Switch" || type == "Merge" || type == "PlaceholderWithDefault") {
    return;
  }
  if (!def.kernel || def.is_stateful || def.is_variable ||
      !def.ref_inputs.empty()) {
    return;
  }
  for (const Shape& s : output_shapes) {
    if (s.num_elements() < 0 || s.num_elements() > kMaxElements) return;
  }
  const bool shapes_only = ReadsShapesOnly(node);
  // Unknown inputs of a shape-only op are bound to an empty tensor.
  std::vector<Tensor> empty(node.num_inputs());
  std::vector<Tensor*> inputs;
  for (int i = 0; i < node.num_inputs(); ++i) {
    if (input_values[i] == nullptr && !shapes_only) return;
    inputs.push_back(input_values[i] != nullptr
                         ? const_cast<Tensor*>(input_values[i])
                         : &empty[i]);
  }
  std::vector<Tensor> outputs;
  for (int o = 0; o < node.num_outputs(); ++o)
    outputs.emplace_back(node.output_dtype(o), output_shapes[o]);
  std::vector<Tensor*> output_ptrs;
  for (Tensor& t : outputs) output_ptrs.push_back(&t);
  try {
    std::unique_ptr<OpKernel> kernel = def.kernel(node);
    if (!kernel->Prepare({node, input_shapes, output_shapes, nullptr}).ok())
      return;
    KernelContext ctx(node, inputs, output_ptrs, {});
    if (!kernel->Compute(ctx).ok()) return;
  } catch (const std::exception&) {
    return;  // the step reports it at run time
  }
  for (int o = 0; o < node.num_outputs(); ++o)
    values_[Output(const_cast<Node*>(&node), o)] = outputs[o];
}

}  // namespace minitf
