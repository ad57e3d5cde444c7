#include "minitf/ops/array/index_map.h"

namespace minitf {

void IndexMaps::Reset(absl::Span<const int64_t> in,
                      absl::Span<const int64_t> out) {
  in_.assign(in.begin(), in.end());
  out_.assign(out.begin(), out.end());
  if (out_.empty()) {
    in_ = {1};
    out_ = {1};
  }
  in_strides_.assign(in_.size(), 1);
  for (int d = static_cast<int>(in_.size()) - 2; d >= 0; --d)
    in_strides_[d] = in_strides_[d + 1] * in_[d + 1];
  offsets_.clear();
  int64_t total = 0;
  num_out_ = 1;
  for (int64_t d : out_) {
    offsets_.push_back(total);
    total += d;
    num_out_ *= d;
  }
  // Zero-filled: the single entry of a rank-0 read is right as is.
  storage_.assign(total, 0);
}

void GatherTensor(const IndexMaps& maps, const Tensor& src, const Tensor& dst,
                  const Tensor* fill) {
  DispatchDataType(src.dtype(), [&]<typename T>() {
    const T value = fill != nullptr ? fill->flat<T>()[0] : T(0);
    maps.Gather<T>(src.flat<T>().data(), dst.flat<T>().data(), value);
  });
}

void ScatterAddTensor(const IndexMaps& maps, const Tensor& grad,
                      const Tensor& dst) {
  DispatchDataType(grad.dtype(), [&]<typename T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      maps.ScatterAdd<T>(grad.flat<T>().data(), dst.flat<T>().data(),
                         dst.NumElements());
    }
  });
}

int64_t IndexValue(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kInt64 ? t.flat<int64_t>()[i]
                                       : t.flat<int32_t>()[i];
}

}  // namespace minitf
