#include "minitf/core/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "minitf/core/errors.h"

namespace minitf {
namespace {

TEST(TensorTest, ZeroFilledAndAligned) {
  Tensor t(float32, {3, 5});
  EXPECT_EQ(t.dtype(), float32);
  EXPECT_EQ(t.NumElements(), 15);
  EXPECT_EQ(t.TotalBytes(), 60u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  for (float v : t.flat<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(TensorTest, CopiesShareTheBufferAndCloneDoesNot) {
  Tensor a = Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2});
  Tensor b = a;
  Tensor c = a.Clone();
  a.flat<float>()[0] = 9;
  EXPECT_EQ(b.flat<float>()[0], 9);
  EXPECT_EQ(c.flat<float>()[0], 1);
  EXPECT_TRUE(a.SharesBufferWith(b));
  EXPECT_FALSE(a.SharesBufferWith(c));
}

TEST(TensorTest, WithShapeIsAViewThatDoesNotAllocate) {
  Tensor a = Tensor::FromVector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const int64_t before = TensorBufferAllocations();
  Tensor b = a.WithShape({3, 2});
  EXPECT_EQ(TensorBufferAllocations(), before);
  EXPECT_EQ(b.shape().ToString(), "(3, 2)");
  EXPECT_EQ(b.flat<int32_t>()[5], 6);
}

TEST(TensorTest, ViewIsAPartOfTheBufferThatDoesNotAllocate) {
  Tensor a = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {8});
  const int64_t before = TensorBufferAllocations();
  Tensor b = a.View(2, {2, 2});
  Tensor empty = a.View(8, {0});
  EXPECT_EQ(TensorBufferAllocations(), before);
  EXPECT_EQ(b.shape().ToString(), "(2, 2)");
  EXPECT_EQ(b.NumElements(), 4);
  EXPECT_EQ(b.TotalBytes(), 16u);
  EXPECT_EQ(empty.NumElements(), 0);
  EXPECT_TRUE(b.SharesBufferWith(a));
  b.flat<float>()[3] = -1;
  EXPECT_EQ(a.flat<float>()[5], -1);
  EXPECT_EQ(b.flat<float>()[0], 3);
  EXPECT_EQ(b.Clone().flat<float>()[3], -1);
}

TEST(TensorTest, ScalarsAndTypes) {
  EXPECT_EQ(Tensor::Scalar(2.5f).scalar<float>(), 2.5f);
  EXPECT_EQ(Tensor::Scalar<int64_t>(7).dtype(), int64);
  EXPECT_EQ(Tensor::Scalar(true).dtype(), bool_);
  EXPECT_EQ(DataTypeName(float32), "float32");
  EXPECT_EQ(DataTypeProtoName(float32), "float");
  EXPECT_EQ(DataTypeName(int32), "int32");
}

TEST(TensorTest, DebugStringNestsBrackets) {
  EXPECT_EQ(Tensor::FromVector<float>({1, 2, 3, 4}, {2, 2}).DebugString(),
            "Tensor<type: float shape: [2,2] values: [[1 2][3 4]]>");
  EXPECT_EQ(Tensor::FromVector<int32_t>({1, 2, 3}, {3}).DebugString(),
            "Tensor<type: int32 shape: [3] values: [1 2 3]>");
  EXPECT_EQ(Tensor::Scalar(true).DebugString(),
            "Tensor<type: bool shape: [] values: True>");
  EXPECT_EQ(Tensor::FromVector<float>({1, 2, 3, 4}, {4}).DebugString(2),
            "Tensor<type: float shape: [4] values: [1 2...>");
  EXPECT_EQ(Tensor().DebugString(), "Tensor<empty>");
}

TEST(ErrorsTest, ErrorsCarryStatusAndPythonType) {
  try {
    ThrowValueError("bad value");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "bad value");
    EXPECT_EQ(e.python_type(), "ValueError");
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  }
  try {
    ThrowRuntimeError("nesting");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), "RuntimeError");
    EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

absl::StatusOr<int> Half(int v) {
  if (v % 2) return absl::InvalidArgumentError("odd");
  return v / 2;
}

absl::Status Quarter(int v, int* out) {
  MINITF_ASSIGN_OR_RETURN(int half, Half(v));
  MINITF_ASSIGN_OR_RETURN(*out, Half(half));
  MINITF_RETURN_IF_ERROR(absl::OkStatus());
  return absl::OkStatus();
}

TEST(ErrorsTest, StatusMacrosPropagate) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Quarter(6, &out).message(), "odd");
}

}  // namespace
}  // namespace minitf
