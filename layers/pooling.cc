#include "minitf/layers/pooling.h"

#include "absl/strings/ascii.h"
#include "minitf/core/errors.h"
#include "minitf/ops/nn/pooling_ops.h"

namespace minitf::layers {

Pooling::Pooling(int rank, Kind kind, absl::string_view class_name,
                 const PoolingOptions& o)
    : Layer(class_name, {.name = o.name}), rank_(rank), kind_(kind) {
  // tf.layers' pooling takes strides as a required argument (keras'
  // default of pool_size does not apply).
  if (o.strides.is_none()) {
    ThrowValueError("Argument `strides` must not be None.");
  }
  pool_size_ = NormalizeTuple(o.pool_size, rank, "pool_size");
  strides_ = NormalizeTuple(o.strides, rank, "strides");
  padding_ = NormalizePadding(o.padding);
  data_format_ = NormalizeDataFormat(o.data_format);
  set_input_spec(InputSpec{.ndim = rank + 2});
}

Output Pooling::Call(Output inputs, const Training&) {
  // TF's op names: 1-D pooling runs as the 2-D op there.
  const bool max = kind_ == Kind::kMax;
  const char* op_name = rank_ == 3 ? (max ? "MaxPool3D" : "AvgPool3D")
                                   : (max ? "MaxPool" : "AvgPool");
  return nn::pool(inputs, pool_size_, max ? "MAX" : "AVG",
                  {.padding = absl::AsciiStrToUpper(padding_),
                   .strides = strides_,
                   .name = op_name,
                   .data_format = ConvertDataFormat(data_format_, rank_ + 2)});
}

#define MINITF_POOLING_FUNCTION(Class, function)                  \
  Output function(Output inputs, const PoolingOptions& options) { \
    return Class(options).apply(inputs);                          \
  }
MINITF_POOLING_FUNCTION(MaxPooling1D, max_pooling1d)
MINITF_POOLING_FUNCTION(MaxPooling2D, max_pooling2d)
MINITF_POOLING_FUNCTION(MaxPooling3D, max_pooling3d)
MINITF_POOLING_FUNCTION(AveragePooling1D, average_pooling1d)
MINITF_POOLING_FUNCTION(AveragePooling2D, average_pooling2d)
MINITF_POOLING_FUNCTION(AveragePooling3D, average_pooling3d)
#undef MINITF_POOLING_FUNCTION

}  // namespace minitf::layers
