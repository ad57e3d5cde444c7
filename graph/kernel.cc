#include "minitf/graph/kernel.h"

#include <algorithm>
#include <limits>

#include "minitf/core/dtype.h"

namespace minitf {
namespace {

template <typename T>
T FillValue(EmptyFill fill) {
  using Limits = std::numeric_limits<T>;
  switch (fill) {
    case EmptyFill::kZero:
      break;
    case EmptyFill::kNaN:
      if constexpr (Limits::has_quiet_NaN) return Limits::quiet_NaN();
      break;
    case EmptyFill::kLowest:
      return Limits::has_infinity ? -Limits::infinity() : Limits::lowest();
    case EmptyFill::kHighest:
      return Limits::has_infinity ? Limits::infinity() : Limits::max();
  }
  return T(0);
}

bool AnyEmpty(absl::Span<const Shape> shapes) {
  return std::any_of(shapes.begin(), shapes.end(),
                     [](const Shape& s) { return s.num_elements() == 0; });
}

}  // namespace

void FillWith(const Tensor& t, EmptyFill fill) {
  DispatchDataType(t.dtype(), [&]<typename T>() {
    auto values = t.flat<T>();
    std::fill(values.begin(), values.end(), FillValue<T>(fill));
  });
}

bool NonEmptyKernel::IsEmpty(const PrepareContext& ctx) const {
  return AnyEmpty(ctx.input_shapes) || AnyEmpty(ctx.output_shapes);
}

absl::Status NonEmptyKernel::Prepare(const PrepareContext& ctx) {
  empty_ = IsEmpty(ctx);
  return empty_ ? PrepareEmpty(ctx) : PrepareNonEmpty(ctx);
}

absl::Status NonEmptyKernel::ComputeEmpty(KernelContext& ctx) {
  for (int i = 0; i < ctx.num_outputs(); ++i)
    FillWith(ctx.output(i), empty_fill(i));
  return absl::OkStatus();
}

}  // namespace minitf
