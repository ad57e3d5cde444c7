// The public API is what minitf.h reaches: internal helpers stay out of it.
// Checked at compile time, in a translation unit that includes minitf.h
// alone. An unqualified call with an Output finds minitf's functions by
// argument-dependent lookup, so each concept is true exactly when minitf.h
// declares the function; the public identity() shows the probe works.
#include "minitf/minitf.h"

namespace minitf {
namespace {

template <typename T>
concept HasIdentity = requires(T x) {
  identity(x);
};
template <typename T>
concept HasReduceToLike = requires(T x) {
  ReduceToLike(x, x);
};
template <typename T>
concept HasReshapeLike = requires(T x) {
  ReshapeLike(x, x);
};
template <typename T>
concept HasScalarConstant = requires(T x) {
  ScalarConstant(1.0, x.dtype());
};

static_assert(HasIdentity<Output>);
static_assert(!HasReduceToLike<Output>);
static_assert(!HasReshapeLike<Output>);
static_assert(!HasScalarConstant<Output>);

}  // namespace
}  // namespace minitf
