// tf.layers pooling: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D and their
// functional forms (max_pooling2d, average_pooling2d, ...), on the oneDNN
// pooling ops of ops/nn/pooling_ops.h. One rank-generic Pooling serves all.
//
//   auto p = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
//   tf::layers::AveragePooling3D avg({.pool_size = {2, 2, 2}, .strides = 2,
//                                     .padding = "same"});
//
// strides is required, as in tf.layers (None is TF's ValueError "Argument
// `strides` must not be None."); average pooling excludes the padding from
// the count, as TF does.
#ifndef MINITF_LAYERS_POOLING_H_
#define MINITF_LAYERS_POOLING_H_

#include <string>
#include <vector>

#include "minitf/layers/conv_utils.h"
#include "minitf/layers/layer.h"

namespace minitf::layers {

struct PoolingOptions {
  IntTuple pool_size;  // required
  IntTuple strides;    // required
  std::string padding = "valid";
  std::string data_format = "channels_last";
  LayerName name;
};
using Pooling1DOptions = PoolingOptions;
using Pooling2DOptions = PoolingOptions;
using Pooling3DOptions = PoolingOptions;

class Pooling : public Layer {
 public:
  enum class Kind { kMax, kAverage };
  Pooling(int rank, Kind kind, absl::string_view class_name,
          const PoolingOptions& options);

  const std::vector<int64_t>& pool_size() const { return pool_size_; }
  const std::vector<int64_t>& strides() const { return strides_; }
  const std::string& padding() const { return padding_; }
  const std::string& data_format() const { return data_format_; }

 protected:
  Output Call(Output inputs, const Training& training) override;

 private:
  int rank_;
  Kind kind_;
  std::vector<int64_t> pool_size_, strides_;
  std::string padding_, data_format_;
};

#define MINITF_POOLING_LAYER(Class, rank, kind, function)        \
  class Class : public Pooling {                                 \
   public:                                                       \
    explicit Class(const PoolingOptions& options)                \
        : Pooling(rank, Pooling::Kind::kind, #Class, options) {} \
  };                                                             \
  Output function(Output inputs, const PoolingOptions& options);
MINITF_POOLING_LAYER(MaxPooling1D, 1, kMax, max_pooling1d)
MINITF_POOLING_LAYER(MaxPooling2D, 2, kMax, max_pooling2d)
MINITF_POOLING_LAYER(MaxPooling3D, 3, kMax, max_pooling3d)
MINITF_POOLING_LAYER(AveragePooling1D, 1, kAverage, average_pooling1d)
MINITF_POOLING_LAYER(AveragePooling2D, 2, kAverage, average_pooling2d)
MINITF_POOLING_LAYER(AveragePooling3D, 3, kAverage, average_pooling3d)
#undef MINITF_POOLING_LAYER

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_POOLING_H_
