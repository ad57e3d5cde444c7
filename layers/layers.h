// tf.layers (minitf::layers): the Layer base and every layer with its
// functional form. See each header for details.
//
//   auto h = tf::layers::conv2d(x, {.filters = 32, .kernel_size = 5,
//                                   .padding = "same",
//                                   .activation = tf::nn::relu});
//   h = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
//   auto logits = tf::layers::dense(tf::layers::flatten(h), {.units = 10});
//
// tf.contrib.layers (minitf::contrib::layers) and arg_scope: see
// contrib/layers.h and contrib/arg_scope.h.
#ifndef MINITF_LAYERS_LAYERS_H_
#define MINITF_LAYERS_LAYERS_H_

#include "minitf/layers/contrib/layers.h"
#include "minitf/layers/convolutional.h"
#include "minitf/layers/core.h"
#include "minitf/layers/layer.h"
#include "minitf/layers/normalization.h"
#include "minitf/layers/pooling.h"

#endif  // MINITF_LAYERS_LAYERS_H_
