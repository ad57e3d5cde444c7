#include "minitf/graph/op_builder.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

// TF's _VALID_OP_NAME_REGEX: ^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$
bool IsValidOpName(const std::string& name) {
  if (name.empty()) return false;
  auto ok_first = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
  };
  if (!ok_first(name[0])) return false;
  for (char c : name) {
    if (!(ok_first(c) || c == '_' || c == '-' || c == '/' || c == '>'))
      return false;
  }
  return true;
}

// TF's DT_ enum name: DT_FLOAT, DT_BFLOAT16, ...
std::string EnumName(DataType dtype) {
  return absl::StrCat("DT_", absl::AsciiStrToUpper(DataTypeProtoName(dtype)));
}

// An op without a bfloat16 kernel given a bfloat16 tensor: TF's message when
// it finds no kernel, raised here at build time instead of at run time.
absl::Status CheckNoBFloat16(const Node& node, absl::Span<const DataType> in,
                             absl::Span<const DataType> out,
                             const AttrMap& attrs) {
  auto is_bf16 = [](DataType d) { return d == DataType::kBFloat16; };
  std::vector<std::string> requested;
  for (const auto& [name, value] : attrs) {
    if (const DataType* d = std::get_if<DataType>(&value)) {
      requested.push_back(absl::StrCat(name, "=", EnumName(*d)));
    }
  }
  const bool any =
      std::any_of(in.begin(), in.end(), is_bf16) ||
      std::any_of(out.begin(), out.end(), is_bf16) ||
      std::any_of(requested.begin(), requested.end(), [](const std::string& r) {
        return absl::EndsWith(r, "=DT_BFLOAT16");
      });
  if (!any) return absl::OkStatus();
  if (requested.empty()) requested.push_back("T=DT_BFLOAT16");
  return absl::InvalidArgumentError(absl::StrCat(
      "No registered '", node.type(),
      "' OpKernel for CPU devices compatible with node {{node ", node.name(),
      "}}\n\t (OpKernel was found, but attributes didn't match) Requested "
      "Attributes: ",
      absl::StrJoin(requested, ", ")));
}

}  // namespace

OpBuilder::OpBuilder(std::string type, absl::string_view name)
    : type_(std::move(type)), name_(name) {}

OpBuilder& OpBuilder::Input(Output input) {
  inputs_.push_back(input);
  return *this;
}

OpBuilder& OpBuilder::Inputs(absl::Span<const Output> inputs) {
  inputs_.insert(inputs_.end(), inputs.begin(), inputs.end());
  return *this;
}

OpBuilder& OpBuilder::ControlInput(Operation op) {
  control_inputs_.push_back(op.node());
  return *this;
}

OpBuilder& OpBuilder::Attr(std::string name, AttrValue value) {
  attrs_[std::move(name)] = std::move(value);
  return *this;
}

OpBuilder& OpBuilder::InGraph(Graph* graph) {
  graph_ = graph;
  return *this;
}

Node* OpBuilder::Finalize() {
  const OpDef* def = LookupOp(type_);
  if (def == nullptr) {
    ThrowValueError(absl::StrCat("Op type not registered '", type_, "'"));
  }
  Graph* graph = graph_ != nullptr ? graph_ : &get_default_graph();
  for (const Output& input : inputs_) {
    if (input.is_null()) {
      ThrowValueError(
          absl::StrCat("Tried to convert 'x' to a tensor and failed. "
                       "Error: None values not supported. (op ",
                       type_, ")"));
    }
    if (input.graph() != graph) {
      ThrowValueError(absl::StrCat("Tensor(\"", input.name(),
                                   "\") must be from the same graph as the op "
                                   "being created (",
                                   type_, ")."));
    }
  }
  if (def->num_inputs >= 0 &&
      static_cast<int>(inputs_.size()) != def->num_inputs) {
    ThrowValueError(absl::StrCat("Op ", type_, " expects ", def->num_inputs,
                                 " inputs, got ", inputs_.size()));
  }
  if (def->num_inputs < 0 && inputs_.empty()) {
    ThrowValueError(absl::StrCat("Op ", type_, " expects at least one input"));
  }

  auto node = std::make_unique<Node>();
  node->type_ = type_;
  node->op_def_ = def;
  // Naming: a trailing "/" names the op after that scope, verbatim.
  if (!name_.empty() && name_.back() == '/') {
    node->name_ = name_.substr(0, name_.size() - 1);
  } else {
    node->name_ = graph->unique_name(name_.empty() ? type_ : name_);
  }
  if (!IsValidOpName(node->name_)) {
    ThrowValueError(
        absl::StrCat("'", node->name_, "' is not a valid node name"));
  }
  // A verbatim ("scope/") name is never marked as used, so it can collide.
  if (graph->FindNode(node->name_) != nullptr) {
    ThrowValueError(
        absl::StrCat("Duplicate node name in graph: '", node->name_, "'"));
  }
  ThrowIfError(ValidateAttrs(*def, node->name_, attrs_));
  // Inside a cond branch, external inputs become the branch's Switch outputs
  // (same dtype and shape) before the shape function sees them.
  if (ControlFlowContext* context = graph->control_flow_context()) {
    context->AddOp(*def, node->name_, inputs_, control_inputs_);
  }

  std::vector<DataType> dtypes;
  std::vector<Shape> shapes;
  std::vector<const Tensor*> values;
  for (const Output& input : inputs_) {
    dtypes.push_back(input.dtype());
    shapes.push_back(input.shape());
    values.push_back(input.node()->type() == "Const"
                         ? &input.node()->attr<Tensor>("value")
                         : nullptr);
  }
  ShapeContext ctx(attrs_, dtypes, shapes, values);
  ctx.op_type = type_;
  if (def->shape_fn) {
    absl::Status status = def->shape_fn(ctx);
    if (IsTypeErrorStatus(status))
      ThrowStatus(status);  // TF's TypeError: as is
    if (!status.ok()) {
      // TF's form: "<message> for 'name' (op: 'Type') with input shapes: ..."
      std::string message = absl::StrCat(status.message(), " for '",
                                         node->name_, "' (op: '", type_, "')");
      if (!shapes.empty()) {
        absl::StrAppend(
            &message, " with input shapes: ",
            absl::StrJoin(shapes, ", ", [](std::string* out, const Shape& s) {
              out->append(s.DebugString());
            }));
      }
      ThrowValueError(absl::StrCat(message, "."));
    }
  }
  if (!def->accepts_bfloat16) {
    ThrowIfError(CheckNoBFloat16(*node, dtypes, ctx.output_dtypes, attrs_));
  }
  node->inputs_ = std::move(inputs_);
  node->attrs_ = std::move(attrs_);
  node->output_dtypes_ = std::move(ctx.output_dtypes);
  node->output_shapes_ = std::move(ctx.output_shapes);

  // Control inputs: explicit ones, then each active control_dependencies
  // block's, unless a data input was created inside that block (TF's
  // dominance rule); never an op that is already a data input.
  auto add_control = [&](Node* control) {
    for (const Output& in : node->inputs_) {
      if (in.node() == control) return;
    }
    for (Node* existing : node->control_inputs_) {
      if (existing == control) return;
    }
    node->control_inputs_.push_back(control);
  };
  for (Node* control : control_inputs_) add_control(control);
  for (const auto& block : graph->control_dependency_stack()) {
    const bool dominated = std::any_of(
        node->inputs_.begin(), node->inputs_.end(), [&](const Output& in) {
          return block.ops_in_block.contains(in.node());
        });
    if (dominated) continue;
    for (const Operation& op : block.inputs) add_control(op.node());
  }
  for (auto& block : graph->control_dependency_stack()) {
    block.ops_in_block.insert(node.get());
  }
  return graph->AddNode(std::move(node));
}

Output OpBuilder::Build() {
  Node* node = Finalize();
  if (node->num_outputs() == 0) {
    ThrowValueError(absl::StrCat("Op '", node->name(), "' has no outputs"));
  }
  return Output(node, 0);
}

}  // namespace minitf
