// Tensor: a dtype, a fully defined shape and a reference-counted, 64-byte
// aligned buffer. Copies share the buffer (like TF's C++ Tensor); Clone()
// makes a deep copy.
//
//   tf::Tensor t(tf::float32, {2, 3});            // zero-filled
//   t.flat<float>()[0] = 0.5f;
//   auto v = tf::Tensor::FromVector<int32_t>({1, 2, 3}, {3});
//   float s = tf::Tensor::Scalar(2.0f).scalar<float>();
//
// Thread-compatible: concurrent reads are safe; writes need external sync.
#ifndef MINITF_CORE_TENSOR_H_
#define MINITF_CORE_TENSOR_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/types/span.h"
#include "minitf/core/dtype.h"
#include "minitf/core/shape.h"

namespace minitf {

class Tensor {
 public:
  // An empty tensor: dtype kInvalid, no buffer.
  Tensor() = default;
  // Allocates a zero-filled tensor. Throws TypeError for DataType::kInvalid,
  // ValueError unless shape.IsFullyDefined(), and minitf::Error with a
  // ResourceExhausted status ("OOM when allocating tensor ...") when the
  // memory cannot be had.
  Tensor(DataType dtype, Shape shape);

  // `values` laid out row-major; ValueError unless there is exactly one
  // value per element.
  template <typename T>
  static Tensor FromVector(const std::vector<T>& values, Shape shape) {
    Tensor t(DataTypeOf<T>::value, std::move(shape));
    auto dst = t.flat<T>();
    if (values.size() != dst.size()) ThrowValueCountError(values.size(), t);
    std::copy(values.begin(), values.end(), dst.begin());
    return t;
  }
  // A scalar. Other C++ numbers convert as Python's do: double to
  // float32, smaller integers to int32, long to int64.
  template <typename T>
  requires std::is_arithmetic_v<T>
  static Tensor Scalar(T value) {
    if constexpr (std::is_floating_point_v<T>) {
      return FromVector<float>({static_cast<float>(value)}, Shape());
    } else if constexpr (std::is_same_v<T, bool>) {
      return FromVector<bool>({value}, Shape());
    } else if constexpr (sizeof(T) == 8) {
      return FromVector<int64_t>({static_cast<int64_t>(value)}, Shape());
    } else {
      return FromVector<int32_t>({static_cast<int32_t>(value)}, Shape());
    }
  }

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t NumElements() const { return num_elements_; }
  size_t TotalBytes() const { return num_elements_ * DataTypeSize(dtype_); }
  // True when the tensor has a buffer (a default-constructed one has none).
  bool IsInitialized() const { return buffer_ != nullptr; }

  void* raw_data() const { return data_; }
  // The elements as T. Throws TypeError unless T is the tensor's dtype (an
  // empty tensor gives an empty span).
  template <typename T>
  absl::Span<T> flat() const {
    if (buffer_ != nullptr && DataTypeOf<T>::value != dtype_) {
      ThrowAccessError(DataTypeOf<T>::value, false);
    }
    return absl::Span<T>(static_cast<T*>(data_), num_elements_);
  }
  // The one element as T. Throws TypeError unless T is the dtype and the
  // tensor has exactly one element.
  template <typename T>
  T& scalar() const {
    if (DataTypeOf<T>::value != dtype_ || num_elements_ != 1) {
      ThrowAccessError(DataTypeOf<T>::value, true);
    }
    return *static_cast<T*>(data_);
  }

  // A tensor of another shape over the same buffer; never allocates.
  // REQUIRES: shape.num_elements() == NumElements().
  Tensor WithShape(const Shape& shape) const;
  // A tensor of `shape` over elements [offset, offset + n) of this one's
  // buffer, n = shape.num_elements(); never allocates (a fusion buffer's
  // parts). REQUIRES: 0 <= offset and offset + n <= NumElements().
  Tensor View(int64_t offset, const Shape& shape) const;
  // A tensor of `dtype` and `shape` over this one's bytes from
  // `byte_offset` on, sharing the buffer (a plan's value arena); never
  // allocates. REQUIRES: the bytes fit, and byte_offset is a multiple of
  // 64 (the buffer's alignment).
  Tensor ViewBytes(DataType dtype, size_t byte_offset,
                   const Shape& shape) const;
  // A deep copy with a buffer of its own.
  Tensor Clone() const;
  // Copies the bytes of `src`. REQUIRES: same dtype and element count.
  void CopyDataFrom(const Tensor& src) const;
  bool SharesBufferWith(const Tensor& other) const {
    return buffer_ != nullptr && buffer_ == other.buffer_;
  }

  // "Tensor<type: float shape: [2,2] values: [[1 2][3 4]]>", at most
  // `max_entries` values.
  std::string DebugString(int max_entries = 10) const;

 private:
  [[noreturn]] static void ThrowValueCountError(size_t count, const Tensor& t);
  [[noreturn]] void ThrowAccessError(DataType as, bool scalar) const;
  struct Buffer;
  DataType dtype_ = DataType::kInvalid;
  Shape shape_;
  int64_t num_elements_ = 0;
  std::shared_ptr<Buffer> buffer_;
  void* data_ = nullptr;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Counts tensor buffers allocated by this process so far. Tests use it to
// prove that a steady-state Session::run allocates nothing but its outputs.
int64_t TensorBufferAllocations();

}  // namespace minitf

#endif  // MINITF_CORE_TENSOR_H_
