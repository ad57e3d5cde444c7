// Control ops: no_op and group, which exist for their control dependencies.
//
//   tf::Operation train = tf::group({update_w, update_b}, "train");
#ifndef MINITF_OPS_CONTROL_CONTROL_OPS_H_
#define MINITF_OPS_CONTROL_CONTROL_OPS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/node.h"

namespace minitf {

Operation no_op(absl::string_view name = "NoOp");
// An op that runs after all of `inputs` (tensors, ops or variables).
Operation group(absl::Span<const CollectionItem> inputs,
                absl::string_view name = "group_deps");
inline Operation group(std::initializer_list<CollectionItem> inputs,
                       absl::string_view name = "group_deps") {
  return group(absl::MakeConstSpan(inputs.begin(), inputs.size()), name);
}

}  // namespace minitf

#endif  // MINITF_OPS_CONTROL_CONTROL_OPS_H_
