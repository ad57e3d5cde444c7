#include "minitf/core/dtype.h"

namespace minitf {

absl::string_view DataTypeName(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
      return "float32";
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kBool:
      return "bool";
    case DataType::kBFloat16:
      return "bfloat16";
    case DataType::kInvalid:
      break;
  }
  return "invalid";
}

absl::string_view DataTypeProtoName(DataType dtype) {
  return dtype == DataType::kFloat ? "float" : DataTypeName(dtype);
}

size_t DataTypeSize(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
    case DataType::kInt32:
      return 4;
    case DataType::kInt64:
      return 8;
    case DataType::kBool:
      return 1;
    case DataType::kBFloat16:
      return 2;
    case DataType::kInvalid:
      break;
  }
  return 0;
}

bool IsFloating(DataType dtype) {
  return dtype == DataType::kFloat || dtype == DataType::kBFloat16;
}
bool IsInteger(DataType dtype) {
  return dtype == DataType::kInt32 || dtype == DataType::kInt64;
}

}  // namespace minitf
