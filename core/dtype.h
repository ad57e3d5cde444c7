// DataType: the element types a minitf tensor can hold, named as TF names them.
//
//   tf::Tensor t(tf::float32, {2, 3});
//   DataTypeName(tf::int32) == "int32";          // Python's dtype.name
//   DataTypeSize(tf::bfloat16) == 2;             // element: BFloat16
//   DataTypeProtoName(tf::float32) == "float";    // the name TF's kernels
//   print
//
// Thread-safe: plain values and pure functions.
#ifndef MINITF_CORE_DTYPE_H_
#define MINITF_CORE_DTYPE_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "minitf/core/bfloat16.h"

namespace minitf {

enum class DataType : int8_t {
  kInvalid = 0,
  kFloat,
  kInt32,
  kInt64,
  kBool,
  kBFloat16,
};

inline constexpr DataType float32 = DataType::kFloat;
inline constexpr DataType int32 = DataType::kInt32;
inline constexpr DataType int64 = DataType::kInt64;
inline constexpr DataType bool_ = DataType::kBool;  // `bool` is a C++ keyword.
inline constexpr DataType bfloat16 = DataType::kBFloat16;

// Returns Python's name: "float32", "int32", "int64", "bool", "bfloat16".
absl::string_view DataTypeName(DataType dtype);
// Returns the name used in TF's runtime messages: "float", "int32", ...
absl::string_view DataTypeProtoName(DataType dtype);
// Returns the size of one element in bytes (0 for kInvalid).
size_t DataTypeSize(DataType dtype);
// float32 and bfloat16.
bool IsFloating(DataType dtype);
bool IsInteger(DataType dtype);

// Maps a C++ element type to its DataType: DataTypeOf<float>::value == float32.
template <typename T>
struct DataTypeOf;
template <>
struct DataTypeOf<float> {
  static constexpr DataType value = DataType::kFloat;
};
template <>
struct DataTypeOf<int32_t> {
  static constexpr DataType value = DataType::kInt32;
};
template <>
struct DataTypeOf<int64_t> {
  static constexpr DataType value = DataType::kInt64;
};
template <>
struct DataTypeOf<bool> {
  static constexpr DataType value = DataType::kBool;
};
template <>
struct DataTypeOf<BFloat16> {
  static constexpr DataType value = DataType::kBFloat16;
};

// Calls fn.template operator()<T>() with T the C++ type of `dtype`.
// REQUIRES: dtype != kInvalid.
template <typename Fn>
decltype(auto) DispatchDataType(DataType dtype, Fn&& fn) {
  switch (dtype) {
    case DataType::kInt32:
      return fn.template operator()<int32_t>();
    case DataType::kInt64:
      return fn.template operator()<int64_t>();
    case DataType::kBool:
      return fn.template operator()<bool>();
    case DataType::kBFloat16:
      return fn.template operator()<BFloat16>();
    default:
      return fn.template operator()<float>();
  }
}

}  // namespace minitf

#endif  // MINITF_CORE_DTYPE_H_
