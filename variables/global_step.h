// The global step: TF's tf.train.{create,get,get_or_create}_global_step.
// An int64 scalar variable "global_step", zero-initialized, not trainable,
// in GLOBAL_VARIABLES and GLOBAL_STEP, always created at the root scope.
//
//   tf::Variable step = tf::train::get_or_create_global_step();
//   auto train_op = optimizer.minimize(loss, {.global_step = step});
#ifndef MINITF_VARIABLES_GLOBAL_STEP_H_
#define MINITF_VARIABLES_GLOBAL_STEP_H_

#include "minitf/variables/variable.h"

namespace minitf::train {

// Throws ValueError "\"global_step\" already exists." if there is one.
Variable create_global_step();
// The global step, or a null Variable when there is none.
Variable get_global_step();
Variable get_or_create_global_step();

}  // namespace minitf::train

#endif  // MINITF_VARIABLES_GLOBAL_STEP_H_
