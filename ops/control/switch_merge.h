// Switch and Merge, TF's control-flow primitives that cond() is built from.
// Switch forwards `data` to output_true or output_false by `pred` and leaves
// the other output dead: ops that consume it do not run (see
// graph/execution_plan.h). Merge forwards whichever input is live.
//
//   SwitchOutputs s = tf::switch_(x, pred);        // "Switch"
//   auto y_true = tf::square(s.output_true);      // runs only when pred
//   auto y_false = tf::negative(s.output_false);  // runs only when !pred
//   MergeOutputs m = tf::merge({y_false, y_true});  // m.output, m.value_index
//
// Most code uses tf::cond (ops/control/cond.h) instead.
#ifndef MINITF_OPS_CONTROL_SWITCH_MERGE_H_
#define MINITF_OPS_CONTROL_SWITCH_MERGE_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/node.h"

namespace minitf {

struct SwitchOutputs {
  Output output_false;  // output 0: live when pred is false
  Output output_true;   // output 1: live when pred is true
  // Output `branch` (0 false, 1 true), as TF indexes switch(...)[branch].
  Output operator[](int branch) const {
    return branch == 0 ? output_false : output_true;
  }
};
// TF's control_flow_ops.switch. `pred` must be a scalar bool: TypeError
// "Input 'pred' of 'Switch' Op has type float32 that does not match
// expected type of bool.", ValueError "Shape must be rank 0 but is rank 1".
SwitchOutputs switch_(Output data, Output pred,
                      absl::string_view name = "Switch");

struct MergeOutputs {
  Output output;       // the live input's value
  Output value_index;  // int32 scalar: which input was live
};
// TF's control_flow_ops.merge: at least one input, all of one dtype. The
// static shape keeps the dimensions the inputs agree on.
MergeOutputs merge(absl::Span<const Output> inputs,
                   absl::string_view name = "Merge");
inline MergeOutputs merge(std::initializer_list<Output> inputs,
                          absl::string_view name = "Merge") {
  return merge(absl::MakeConstSpan(inputs.begin(), inputs.size()), name);
}

// Internal (cond): records that `merge_op` joins the branches of a cond on
// `pred`, so its gradient switches on that same predicate.
void SetMergePredicate(Operation merge_op, Output pred);

}  // namespace minitf

#endif  // MINITF_OPS_CONTROL_SWITCH_MERGE_H_
