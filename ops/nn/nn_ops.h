// Neural-network ops, TF's tf.nn namespace.
//
//   auto penalty = tf::nn::l2_loss(w);   // sum(w ** 2) / 2
#ifndef MINITF_OPS_NN_NN_OPS_H_
#define MINITF_OPS_NN_NN_OPS_H_

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// sum(t ** 2) / 2, a float32 scalar (TF's L2Loss op).
Output l2_loss(Output t, absl::string_view name = "L2Loss");

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_NN_OPS_H_
