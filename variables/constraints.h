// Weight constraints (Keras's): projections an optimizer applies to a
// variable after each update. Any callable Output(Output) is a Constraint.
//
//   tf::get_variable("w", {.shape = {3, 3},
//       .constraint = tf::keras::constraints::max_norm(2.0)});
#ifndef MINITF_VARIABLES_CONSTRAINTS_H_
#define MINITF_VARIABLES_CONSTRAINTS_H_

#include <cstdint>
#include <vector>

#include "minitf/variables/variable.h"

namespace minitf::keras::constraints {

// Rescales each slice along `axis` whose L2 norm exceeds max_value.
Constraint max_norm(double max_value = 2.0, std::vector<int64_t> axis = {0});
// Zeroes negative weights.
Constraint non_neg();
// Rescales each slice along `axis` to unit L2 norm.
Constraint unit_norm(std::vector<int64_t> axis = {0});
// Norms clipped into [min_value, max_value], blended by `rate`.
Constraint min_max_norm(double min_value = 0.0, double max_value = 1.0,
                        double rate = 1.0, std::vector<int64_t> axis = {0});

}  // namespace minitf::keras::constraints

#endif  // MINITF_VARIABLES_CONSTRAINTS_H_
