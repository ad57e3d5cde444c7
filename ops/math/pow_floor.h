// pow, floor and ceil: TF's tf.pow (Pow, NumPy broadcasting) and
// tf.floor / tf.math.ceil (Floor, Ceil), float32. The learning-rate
// schedules are built from them, as in TF.
//
//   auto decayed = lr * tf::pow(rate, tf::floor(step / decay_steps));
#ifndef MINITF_OPS_MATH_POW_FLOOR_H_
#define MINITF_OPS_MATH_POW_FLOOR_H_

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

// x ** y elementwise. Gradients: y * x^(y-1) for x, and x^y * log(x) for y
// where x > 0 (0 elsewhere), as TF's _PowGrad.
Output pow(Output x, Output y, absl::string_view name = "Pow");
// Rounding; their gradient is None in TF, so they stop gradients here.
Output floor(Output x, absl::string_view name = "Floor");
Output ceil(Output x, absl::string_view name = "Ceil");

}  // namespace minitf

#endif  // MINITF_OPS_MATH_POW_FLOOR_H_
