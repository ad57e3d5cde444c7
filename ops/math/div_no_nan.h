// div_no_nan: TF's tf.math.div_no_nan, x / y with 0 wherever y is 0 (even
// for x = 0, inf or NaN), NumPy broadcasting, float32. The losses divide by
// weight counts with it, so all-zero weights give a loss of 0, not NaN.
//
//   auto mean = tf::div_no_nan(tf::reduce_sum(losses), num_present, "value");
#ifndef MINITF_OPS_MATH_DIV_NO_NAN_H_
#define MINITF_OPS_MATH_DIV_NO_NAN_H_

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

Output div_no_nan(Output x, Output y, absl::string_view name = "div_no_nan");

}  // namespace minitf

#endif  // MINITF_OPS_MATH_DIV_NO_NAN_H_
