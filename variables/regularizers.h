// Regularizers: a Regularizer maps a weight to a scalar loss, or to a null
// Output for "no loss" (TF's None). get_variable adds the loss to
// REGULARIZATION_LOSSES under "<variable>/Regularizer/" when it creates the
// variable (never on reuse).
//
//   tf::get_variable("w", {.shape = {3, 3},
//       .regularizer = tf::contrib::layers::l2_regularizer(0.1)});
//   auto r = tf::keras::regularizers::l2(1e-4);   // also tf::regularizers::l2
#ifndef MINITF_VARIABLES_REGULARIZERS_H_
#define MINITF_VARIABLES_REGULARIZERS_H_

#include <functional>

#include "minitf/graph/node.h"

namespace minitf {

using Regularizer = std::function<Output(Output weights)>;

// TF's tf.no_regularizer: adds nothing (unlike an unset regularizer, it
// overrides the scope's).
Output no_regularizer(Output weights);

namespace contrib::layers {
// scale * sum(w^2) / 2, named "<scope>/l2_regularizer". A scale of 0 adds
// nothing; a negative one is a ValueError. (TF also rejects Python
// integers; C++ converts them, so that check has no counterpart.)
Regularizer l2_regularizer(double scale);
// scale * sum(|w|), named "<scope>/l1_regularizer".
Regularizer l1_regularizer(double scale);
}  // namespace contrib::layers

namespace keras::regularizers {
// Keras style, no 1/2: l1 * sum(|w|) + l2 * sum(w^2).
Regularizer l1(double l = 0.01);
Regularizer l2(double l = 0.01);
Regularizer l1_l2(double l1 = 0.01, double l2 = 0.01);
}  // namespace keras::regularizers

namespace regularizers = keras::regularizers;

}  // namespace minitf

#endif  // MINITF_VARIABLES_REGULARIZERS_H_
