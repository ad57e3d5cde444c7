#include "minitf/core/tensor.h"

#include <atomic>
#include <cstdlib>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"

namespace minitf {
namespace {

constexpr size_t kAlignment = 64;
std::atomic<int64_t> buffer_allocations{0};

template <typename T>
void AppendValue(std::string& out, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    absl::StrAppend(&out, v ? "True" : "False");
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    absl::StrAppend(&out, static_cast<float>(v));
  } else {
    absl::StrAppend(&out, v);
  }
}

}  // namespace

struct Tensor::Buffer {
  // Sets data to null when the memory cannot be had.
  explicit Buffer(size_t bytes) {
    // aligned_alloc needs a size that is a multiple of the alignment.
    if (bytes > std::numeric_limits<size_t>::max() - kAlignment) return;
    size_t padded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (padded == 0) padded = kAlignment;
    data = std::aligned_alloc(kAlignment, padded);
    if (data == nullptr) return;
    std::memset(data, 0, padded);
    buffer_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data = nullptr;
};

Tensor::Tensor(DataType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)) {
  if (DataTypeSize(dtype) == 0) {
    ThrowTypeError(absl::StrCat("Cannot allocate a tensor of dtype ",
                                DataTypeName(dtype), " and shape ",
                                shape_.ToString()));
  }
  if (!shape_.IsFullyDefined()) {
    ThrowValueError(absl::StrCat("Cannot allocate a tensor of shape ",
                                 shape_.ToString(),
                                 ": every dimension must be known"));
  }
  num_elements_ = shape_.num_elements();
  const size_t element = DataTypeSize(dtype);
  const bool fits =
      element == 0 || static_cast<uint64_t>(num_elements_) <=
                          std::numeric_limits<size_t>::max() / element;
  if (fits) buffer_ = std::make_shared<Buffer>(TotalBytes());
  if (!fits || buffer_->data == nullptr) {
    buffer_.reset();
    // TF's text, with the size asked for.
    throw Error(
        absl::ResourceExhaustedError(absl::StrCat(
            "OOM when allocating tensor with shape", shape_.DebugString(),
            " and type ", DataTypeName(dtype), " (",
            fits ? absl::StrCat(num_elements_ * element) : "> 2**64",
            " bytes)")),
        "ResourceExhaustedError");
  }
  data_ = buffer_->data;
}

void Tensor::ThrowValueCountError(size_t count, const Tensor& t) {
  ThrowValueError(
      absl::StrCat("FromVector got ", count, " values for a tensor of shape ",
                   t.shape().ToString(), " (", t.NumElements(), " elements)"));
}

void Tensor::ThrowAccessError(DataType as, bool scalar) const {
  ThrowTypeError(absl::StrCat("Cannot read a ", DataTypeName(dtype_),
                              " tensor of shape ", shape_.ToString(), " as ",
                              scalar ? "a scalar of " : "", DataTypeName(as)));
}

Tensor Tensor::WithShape(const Shape& shape) const {
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::View(int64_t offset, const Shape& shape) const {
  Tensor t = *this;
  t.shape_ = shape;
  t.num_elements_ = shape.num_elements();
  t.data_ = static_cast<char*>(data_) + offset * DataTypeSize(dtype_);
  return t;
}

Tensor Tensor::ViewBytes(DataType dtype, size_t byte_offset,
                         const Shape& shape) const {
  Tensor t = *this;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.num_elements_ = shape.num_elements();
  t.data_ = static_cast<char*>(data_) + byte_offset;
  return t;
}

Tensor Tensor::Clone() const {
  if (!IsInitialized()) return Tensor();
  Tensor t(dtype_, shape_);
  t.CopyDataFrom(*this);
  return t;
}

void Tensor::CopyDataFrom(const Tensor& src) const {
  if (data_ != src.data_) std::memcpy(data_, src.data_, TotalBytes());
}

std::string Tensor::DebugString(int max_entries) const {
  if (!IsInitialized()) return "Tensor<empty>";
  std::string out = absl::StrCat("Tensor<type: ", DataTypeProtoName(dtype_),
                                 " shape: ", shape_.DebugString(), " values: ");
  const int rank = shape_.rank();
  // strides[i]: elements per index step of dimension i.
  std::vector<int64_t> strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape_.dim(i + 1);
  DispatchDataType(dtype_, [&]<typename T>() {
    auto v = flat<T>();
    const int64_t n = std::min<int64_t>(v.size(), max_entries);
    for (int64_t i = 0; i < n; ++i) {
      bool opened = false;
      for (int d = 0; d < rank; ++d) {
        if (i % (strides[d] * shape_.dim(d)) == 0) {
          out += "[";
          opened = true;
        }
      }
      if (i > 0 && !opened) out += " ";
      AppendValue(out, v[i]);
      for (int d = rank - 1; d >= 0; --d) {
        if ((i + 1) % (strides[d] * shape_.dim(d)) == 0) out += "]";
      }
    }
    if (n < static_cast<int64_t>(v.size())) out += "...";
  });
  return out + ">";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << t.DebugString();
}

int64_t TensorBufferAllocations() {
  return buffer_allocations.load(std::memory_order_relaxed);
}

}  // namespace minitf
