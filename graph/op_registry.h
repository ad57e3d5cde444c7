// The op registry: for each op type, its attributes, shape function, kernel
// and gradient, registered together by an explicit Register...Ops() call
// (static registrars would be dropped from a static library).
//
//   RegisterOp({.type = "Relu", .attrs = {}, .shape_fn = UnchangedShape,
//               .kernel = MakeKernel<ReluKernel>, .grad = ReluGrad});
//
// The library's ops are registered once, on the first LookupOp(); lookups
// are thread-safe.
#ifndef MINITF_GRAPH_OP_REGISTRY_H_
#define MINITF_GRAPH_OP_REGISTRY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/attr.h"
#include "minitf/graph/kernel.h"
#include "minitf/graph/node.h"

namespace minitf {

// What a shape function sees: attributes and input dtypes/shapes, static at
// build time, concrete when a plan is compiled. input_value(i) is the value
// of a constant input (nullptr otherwise).
class ShapeContext {
 public:
  ShapeContext(const AttrMap& attrs, absl::Span<const DataType> input_dtypes,
               absl::Span<const Shape> input_shapes,
               absl::Span<const Tensor* const> input_values)
      : attrs_(attrs),
        input_dtypes_(input_dtypes),
        input_shapes_(input_shapes),
        input_values_(input_values) {}

  int num_inputs() const { return static_cast<int>(input_shapes_.size()); }
  DataType input_dtype(int i) const { return input_dtypes_[i]; }
  const Shape& input_shape(int i) const { return input_shapes_[i]; }
  const Tensor* input_value(int i) const {
    return i < static_cast<int>(input_values_.size()) ? input_values_[i]
                                                      : nullptr;
  }
  // REQUIRES: the op def declares `name` with type T (validated on build).
  template <typename T>
  const T& attr(absl::string_view name) const {
    return std::get<T>(attrs_.find(name)->second);
  }
  void add_output(DataType dtype, Shape shape) {
    output_dtypes.push_back(dtype);
    output_shapes.push_back(std::move(shape));
  }

  std::vector<DataType> output_dtypes;
  std::vector<Shape> output_shapes;
  // The op's type ("Add"), for op_def_library's messages; set by OpBuilder
  // (empty while a plan compiles, when dtypes are long validated).
  std::string op_type;
  // True while a Session compiles a plan: every input shape is concrete, and
  // an op whose static shape is deliberately less specific than its input's
  // (PlaceholderWithDefault) returns the run-time shape.
  bool compiling_plan = false;

 private:
  const AttrMap& attrs_;
  absl::Span<const DataType> input_dtypes_;
  absl::Span<const Shape> input_shapes_;
  absl::Span<const Tensor* const> input_values_;
};

// Inputs to a gradient function. grads[i] is dL/d(output i), null when no
// gradient flows into that output. wants_grad[i] says whether input i's
// gradient is needed: build nothing for the others (TF's first conv layer
// computes no gradient for its images).
struct GradContext {
  Operation op;
  std::vector<Output> grads;
  std::vector<bool> wants_grad;
  const Output& input(int i) const { return op.inputs()[i]; }
  const Output& grad() const { return grads[0]; }
};

// Returns one gradient per input (null for none), built from forward ops.
using GradFn = std::function<std::vector<Output>(const GradContext&)>;
using ShapeFn = std::function<absl::Status(ShapeContext&)>;
using KernelFactory = std::function<std::unique_ptr<OpKernel>(const Node&)>;

template <typename K>
std::unique_ptr<OpKernel> MakeKernel(const Node&) {
  return std::make_unique<K>();
}

// An attribute declaration: its name and its type (the alternative held by
// `example`); a default when optional.
struct AttrDef {
  std::string name;
  AttrValue example;
  bool required = true;

  template <typename T>
  static AttrDef Required(std::string name) {
    return {std::move(name), AttrValue(T{}), true};
  }
  static AttrDef Optional(std::string name, AttrValue default_value) {
    return {std::move(name), std::move(default_value), false};
  }
};

struct OpDef {
  std::string type;
  // Number of inputs, or -1 for a variadic op (at least one input).
  int num_inputs = 0;
  std::vector<AttrDef> attrs;
  ShapeFn shape_fn;
  // Null for ops that do nothing at run time (NoOp).
  KernelFactory kernel;
  // Null: "No gradient defined" when a gradient must flow through.
  GradFn grad;
  // False: declared non-differentiable; gradients stop here silently.
  bool differentiable = true;
  // True: the kernel binds its outputs itself (identity, variables,
  // reshape); the plan preallocates nothing for them.
  bool forwards_outputs = false;
  // Inputs that must come from a variable op and are passed by reference.
  std::vector<int> ref_inputs;
  // Inputs whose shape alone the kernel reads (a gradient's forward tensor):
  // they do not keep their value's buffer live (see PlanStep).
  std::vector<int> shape_only_inputs;
  // Inputs output 0 may be written over, in place: the kernels of this op's
  // steps (its own, and any a rewrite substitutes) compute correctly when
  // output 0 is the buffer of one of these inputs, in whatever layouts the
  // two come in (an elementwise kernel reading element i of it only for
  // element i of the output, or a port reordering it before writing). The
  // value arena then gives output 0 the bytes of such an input of the same
  // dtype and size that no later step reads (see PlanIR::in_place).
  std::vector<int> inplace_inputs;
  // A run holds the variables behind ref_inputs exclusively when this is
  // true (the kernel may replace their buffers, as Assign does) or the
  // node's "use_locking" attribute is; shared otherwise.
  bool exclusive_refs = false;
  // For an update elementwise over its ref inputs and this input (the
  // gradient; every other input a scalar), which therefore computes the
  // same in any memory layout they all share: a plan may then keep those
  // variables blocked (see PlanIR::variable_layouts). -1: not such an op.
  int elementwise_update_grad = -1;
  // The kernels of this op's steps (its own, and any a rewrite substitutes)
  // read every input in the layout PrepareContext::input_layout names and
  // may write outputs blocked where PrepareContext::may_block allows:
  // layout propagation keeps values blocked between such ops.
  bool layout_aware = false;
  // Under RewriterConfig::auto_mixed_precision, this op's steps may compute
  // in bfloat16 (TF's mixed precision allowlist: convolutions, matrix
  // products): its kernels honour PrepareContext::compute_bfloat16.
  bool bfloat16_compute = false;
  // True: the op has a bfloat16 kernel. Building any other op with a
  // bfloat16 input or output fails (see OpBuilder), so bfloat16 tensors
  // meet only kernels written and tested for them.
  bool accepts_bfloat16 = false;
  // A variable op: the session keeps its value; its kernel gets ref(0).
  bool is_variable = false;
  // Stateful ops are never constant-folded and always run when needed.
  bool is_stateful = false;
};

void RegisterOp(OpDef def);
// Returns nullptr for an unknown type.
const OpDef* LookupOp(absl::string_view type);
// Registers every op of the library, once; safe to call repeatedly
// (LookupOp calls it). Defined in ops/register.cc.
void EnsureOpsRegistered();

// Fills defaults and checks every attribute against `def`. Returns
// InvalidArgument naming the op for a missing, unknown or mistyped one.
absl::Status ValidateAttrs(const OpDef& def, absl::string_view node_name,
                           AttrMap& attrs);

}  // namespace minitf

#endif  // MINITF_GRAPH_OP_REGISTRY_H_
