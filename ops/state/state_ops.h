// State ops: the variable op (TF's VariableV2) whose value lives in each
// Session, and assign / assign_add / assign_sub, which update it in place.
// Most code uses tf::Variable / tf::get_variable (variables/) instead.
//
//   Output v = VariableOp(tf::float32, {2}, "v");
//   Output init = tf::assign(v, tf::constant<float>({1, 2}, {2}));
//   Output step = tf::assign_add(v, tf::constant<float>({1, 1}, {2}));
#ifndef MINITF_OPS_STATE_STATE_OPS_H_
#define MINITF_OPS_STATE_STATE_OPS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

// A variable op of a fully defined shape. Reading it before it is
// assigned fails with FailedPrecondition "Attempting to use uninitialized
// value <name>".
Output VariableOp(DataType dtype, const Shape& shape, absl::string_view name);

// A run that assigns a variable holds it exclusively (the assignment may
// replace its buffer), as TF's Assign always locks to do so.
struct AssignOptions {
  // When false, the value may have another shape than the variable.
  bool validate_shape = true;
  std::string name = "";
};
// TF's use_locking: when true, a run holds the variable exclusively, so
// concurrent runs updating it apply their updates one after another. When
// false (TF's default), concurrent updates may interleave element-wise.
// See Session for what a run locks.
struct AssignUpdateOptions {
  bool use_locking = false;
  std::string name = "";
};
// `ref` must be a variable op's output ("requires l-value input" otherwise).
// Each returns the variable's new value.
Output assign(Output ref, Output value, const AssignOptions& options = {});
Output assign_add(Output ref, Output value,
                  absl::string_view name = "AssignAdd");
Output assign_add(Output ref, Output value, const AssignUpdateOptions& options);
Output assign_sub(Output ref, Output value,
                  absl::string_view name = "AssignSub");
Output assign_sub(Output ref, Output value, const AssignUpdateOptions& options);

}  // namespace minitf

#endif  // MINITF_OPS_STATE_STATE_OPS_H_
