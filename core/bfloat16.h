// BFloat16: the element type of a bfloat16 tensor, the upper 16 bits of an
// IEEE float32 (8 exponent bits, 7 mantissa bits: float32's range at about
// 3 significant decimal digits). Conversions follow TF's and oneDNN's:
// float -> bfloat16 rounds to nearest, ties to even, and keeps NaN a (quiet)
// NaN; bfloat16 -> float is exact.
//
//   BFloat16 b(0.1f);                 // 0.10009765625
//   float f = b;                      // exact
//   BFloat16::FromBits(0x3f80) == BFloat16(1.0f);
//
// Arithmetic happens in float: a BFloat16 converts implicitly to float, and
// a result stored back rounds once (`b += x` is `b = float(b) + x`).
#ifndef MINITF_CORE_BFLOAT16_H_
#define MINITF_CORE_BFLOAT16_H_

#include <bit>
#include <cstdint>
#include <limits>

namespace minitf {

class BFloat16 {
 public:
  constexpr BFloat16() = default;
  // Rounds to nearest even; NaN stays NaN (its sign kept, made quiet).
  constexpr BFloat16(float value)  // NOLINT(google-explicit-constructor)
      : bits_(Round(std::bit_cast<uint32_t>(value))) {}
  static constexpr BFloat16 FromBits(uint16_t bits) {
    BFloat16 b;
    b.bits_ = bits;
    return b;
  }

  constexpr operator float() const {  // NOLINT(google-explicit-constructor)
    return std::bit_cast<float>(static_cast<uint32_t>(bits_) << 16);
  }
  constexpr uint16_t bits() const { return bits_; }

  constexpr BFloat16 operator-() const { return FromBits(bits_ ^ 0x8000u); }
  constexpr BFloat16& operator+=(float x) { return *this = *this + x; }
  constexpr BFloat16& operator-=(float x) { return *this = *this - x; }
  constexpr BFloat16& operator*=(float x) { return *this = *this * x; }
  constexpr BFloat16& operator/=(float x) { return *this = *this / x; }

  friend constexpr bool operator==(BFloat16 a, BFloat16 b) {
    return static_cast<float>(a) == static_cast<float>(b);
  }

 private:
  static constexpr uint16_t Round(uint32_t f) {
    if ((f & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep sign, set quiet bit
      return static_cast<uint16_t>((f >> 16) | 0x0040u);
    }
    // Adding 0x7fff plus the lowest kept bit rounds half to even; an
    // overflow past the largest finite value correctly becomes infinity.
    const uint32_t lsb = (f >> 16) & 1u;
    return static_cast<uint16_t>((f + 0x7fffu + lsb) >> 16);
  }

  uint16_t bits_ = 0;
};

}  // namespace minitf

// float's limits at bfloat16's precision, for kernels generic over the type.
template <>
class std::numeric_limits<minitf::BFloat16> {
  using B = minitf::BFloat16;

 public:
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr int digits = 8;
  static constexpr B min() { return B::FromBits(0x0080); }
  static constexpr B lowest() { return B::FromBits(0xff7f); }
  static constexpr B max() { return B::FromBits(0x7f7f); }
  static constexpr B epsilon() { return B::FromBits(0x3c00); }
  static constexpr B infinity() { return B::FromBits(0x7f80); }
  static constexpr B quiet_NaN() { return B::FromBits(0x7fc0); }
};

#endif  // MINITF_CORE_BFLOAT16_H_
