// minitf: a C++20 deep learning framework with TensorFlow 1.x semantics on
// oneDNN. One include brings the whole public API; module headers work too.
//
//   #include "minitf/minitf.h"
//   namespace tf = minitf;
//   tf::Graph graph;
//   tf::GraphGuard as_default(graph);
//   auto x = tf::placeholder(tf::float32, {-1, 2}, "x");
//   tf::Variable w(tf::constant<float>({1, 2}, {2, 1}), {.name = "w"});
//   auto y = tf::matmul(x, w);
//   tf::Session sess(graph);
//   absl::Status s = sess.run(tf::global_variables_initializer());
//   auto out = sess.run({{x, tf::Tensor::FromVector<float>({3, 4}, {1, 2})}},
//   {y});
#ifndef MINITF_MINITF_H_
#define MINITF_MINITF_H_

#include "minitf/core/dtype.h"
#include "minitf/core/errors.h"
#include "minitf/core/shape.h"
#include "minitf/core/tensor.h"
#include "minitf/data/batcher.h"
#include "minitf/data/fashion_mnist.h"
#include "minitf/data/idx.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/context.h"
#include "minitf/graph/gradient_checker.h"
#include "minitf/graph/gradients.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/graphviz.h"
#include "minitf/graph/node.h"
#include "minitf/graph/session.h"
#include "minitf/layers/layers.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/gather_ops.h"
#include "minitf/ops/array/pad_tile_ops.h"
#include "minitf/ops/array/shape_ops.h"
#include "minitf/ops/array/shape_tensor_ops.h"
#include "minitf/ops/array/slicing_ops.h"
#include "minitf/ops/control/cond.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/control/placeholder_with_default.h"
#include "minitf/ops/control/switch_merge.h"
#include "minitf/ops/math/div_no_nan.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/math/pow_floor.h"
#include "minitf/ops/nn/activation_ops.h"
#include "minitf/ops/nn/batch_norm_ops.h"
#include "minitf/ops/nn/conv_ops.h"
#include "minitf/ops/nn/dropout.h"
#include "minitf/ops/nn/nn_ops.h"
#include "minitf/ops/nn/pooling_ops.h"
#include "minitf/ops/nn/softmax_ops.h"
#include "minitf/ops/random/random_ops.h"
#include "minitf/ops/state/state_ops.h"
#include "minitf/ops/training/training_ops.h"
#include "minitf/train/adagrad.h"
#include "minitf/train/adam.h"
#include "minitf/train/curves_svg.h"
#include "minitf/train/gradient_descent.h"
#include "minitf/train/learning_rate_decay.h"
#include "minitf/train/losses.h"
#include "minitf/train/metrics.h"
#include "minitf/train/mixed_precision.h"
#include "minitf/train/momentum.h"
#include "minitf/train/optimizer.h"
#include "minitf/train/rmsprop.h"
#include "minitf/train/safetensors.h"
#include "minitf/train/saver.h"
#include "minitf/train/summary.h"
#include "minitf/train/tfrecord.h"
#include "minitf/variables/constraints.h"
#include "minitf/variables/global_step.h"
#include "minitf/variables/initializers.h"
#include "minitf/variables/regularizers.h"
#include "minitf/variables/variable.h"
#include "minitf/variables/variable_scope.h"

#endif  // MINITF_MINITF_H_
