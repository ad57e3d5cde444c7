#include "minitf/ops/control/control_ops.h"

#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {

Operation no_op(absl::string_view name) {
  return OpBuilder("NoOp", name).BuildOp();
}

Operation group(absl::Span<const CollectionItem> inputs,
                absl::string_view name) {
  control_dependencies deps(inputs);
  return no_op(name);
}

void RegisterControlOps() {
  RegisterOp({.type = "NoOp", .shape_fn = NoOutputs, .differentiable = false});
}

}  // namespace minitf
