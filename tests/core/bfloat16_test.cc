// BFloat16, the element type of bfloat16 tensors: rounding to nearest even,
// NaN and infinity, the limits, and tensors that hold it.
#include "minitf/core/bfloat16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "minitf/core/errors.h"
#include "minitf/core/tensor.h"

namespace minitf {
namespace {

uint16_t BitsOf(float f) { return BFloat16(f).bits(); }
float FloatOfBits(uint32_t bits) { return std::bit_cast<float>(bits); }

TEST(BFloat16Test, ExactValuesConvertBothWaysUnchanged) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 0.15625f, 65536.0f}) {
    EXPECT_EQ(static_cast<float>(BFloat16(f)), f) << f;
  }
  EXPECT_EQ(BitsOf(1.0f), 0x3f80);
  EXPECT_EQ(BitsOf(-0.0f), 0x8000);
  EXPECT_EQ(BFloat16::FromBits(0x4049), BFloat16(3.140625f));
}

TEST(BFloat16Test, RoundsToNearestTiesToEven) {
  // 0.1f is 0x3dcccccd: the dropped half 0xcccd is above half, round up.
  EXPECT_EQ(BitsOf(0.1f), 0x3dcd);
  EXPECT_FLOAT_EQ(BFloat16(0.1f), 0.10009765625f);
  // Below half: down.
  EXPECT_EQ(BitsOf(FloatOfBits(0x3f807fff)), 0x3f80);
  // Exactly half: to the even neighbour, down from an even one, up from odd.
  EXPECT_EQ(BitsOf(FloatOfBits(0x3f808000)), 0x3f80);
  EXPECT_EQ(BitsOf(FloatOfBits(0x3f818000)), 0x3f82);
  // Negative values round by magnitude.
  EXPECT_EQ(BitsOf(FloatOfBits(0xbf818000)), 0xbf82);
  // A carry into the exponent: 1.9999999 rounds to 2.
  EXPECT_EQ(static_cast<float>(BFloat16(FloatOfBits(0x3fffffff))), 2.0f);
}

TEST(BFloat16Test, InfinityNanAndOverflow) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(BitsOf(inf), 0x7f80);
  EXPECT_EQ(BitsOf(-inf), 0xff80);
  // float's largest finite value is above bfloat16's largest plus half an
  // ulp: it rounds to infinity, as in TF.
  EXPECT_EQ(static_cast<float>(BFloat16(std::numeric_limits<float>::max())),
            inf);
  // A NaN whose payload lives only in the dropped bits stays NaN (plain
  // truncation would make it infinity); the sign is kept.
  const float nan_low = FloatOfBits(0x7f800001);
  ASSERT_TRUE(std::isnan(nan_low));
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(nan_low))));
  EXPECT_TRUE(std::signbit(static_cast<float>(BFloat16(-nan_low))));
  EXPECT_TRUE(std::isnan(
      static_cast<float>(std::numeric_limits<BFloat16>::quiet_NaN())));
}

TEST(BFloat16Test, LimitsAreFloatsAtBFloat16Precision) {
  using L = std::numeric_limits<BFloat16>;
  EXPECT_FLOAT_EQ(L::max(), 3.3895313892515355e38f);
  EXPECT_EQ(static_cast<float>(L::lowest()), -static_cast<float>(L::max()));
  EXPECT_EQ(static_cast<float>(L::min()), std::numeric_limits<float>::min());
  EXPECT_EQ(static_cast<float>(L::epsilon()), 0.0078125f);  // 2^-7
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f + 0.0078125f)), 1.0078125f);
  EXPECT_EQ(static_cast<float>(-L::infinity()),
            -std::numeric_limits<float>::infinity());
}

TEST(BFloat16Test, ArithmeticIsInFloatAndRoundsOnStore) {
  BFloat16 b(1.0f);
  b += 0.001f;  // below half an ulp (2^-8): unchanged
  EXPECT_EQ(static_cast<float>(b), 1.0f);
  b *= 3.0f;
  EXPECT_EQ(static_cast<float>(b), 3.0f);
  b -= 0.5f;
  b /= 2.0f;
  EXPECT_EQ(static_cast<float>(b), 1.25f);
  EXPECT_EQ(static_cast<float>(-b), -1.25f);
}

TEST(BFloat16Test, TensorsHoldTwoBytesAnElement) {
  EXPECT_EQ(DataTypeName(bfloat16), "bfloat16");
  EXPECT_EQ(DataTypeProtoName(bfloat16), "bfloat16");
  EXPECT_EQ(DataTypeSize(bfloat16), 2u);
  EXPECT_TRUE(IsFloating(bfloat16));
  EXPECT_FALSE(IsInteger(bfloat16));
  Tensor t = Tensor::FromVector<BFloat16>({1.0f, 0.1f, -3.0f}, {3});
  EXPECT_EQ(t.dtype(), bfloat16);
  EXPECT_EQ(t.TotalBytes(), 6u);
  EXPECT_EQ(t.flat<BFloat16>()[1].bits(), 0x3dcd);
  EXPECT_THROW(t.flat<float>(), Error);
  EXPECT_EQ(t.DebugString(),
            "Tensor<type: bfloat16 shape: [3] values: [1 0.100098 -3]>");
}

}  // namespace
}  // namespace minitf
