// Integer arithmetic that wraps (two's complement) as TF's CPU kernels do,
// where C++'s signed overflow is undefined behaviour: INT32_MAX + 1 is
// INT32_MIN, -INT32_MIN is INT32_MIN. Floats keep IEEE arithmetic.
//
//   o[i] = WrappingAdd(a[i], b[i]);
//
// Internal to ops/math; pure functions, thread-safe.
#ifndef MINITF_OPS_MATH_WRAPPING_H_
#define MINITF_OPS_MATH_WRAPPING_H_

#include <type_traits>

namespace minitf {

// Signed integers computed in their unsigned type (defined wrap-around);
// everything else as is.
template <typename T>
constexpr bool kWraps = std::is_integral_v<T>&& std::is_signed_v<T>;

template <typename T>
T WrappingAdd(T a, T b) {
  if constexpr (kWraps<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <typename T>
T WrappingSub(T a, T b) {
  if constexpr (kWraps<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <typename T>
T WrappingMul(T a, T b) {
  if constexpr (kWraps<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}
template <typename T>
T WrappingNeg(T x) {
  if constexpr (kWraps<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(U(0) - static_cast<U>(x));
  } else {
    return -x;
  }
}

}  // namespace minitf

#endif  // MINITF_OPS_MATH_WRAPPING_H_
