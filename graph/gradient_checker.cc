#include "minitf/graph/gradient_checker.h"

#include <cmath>

#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/gradients.h"
#include "minitf/ops/array/array_ops.h"

namespace minitf {

absl::StatusOr<Jacobians> ComputeGradient(Session& session, Output x,
                                          const Tensor& x_value, Output y,
                                          const FeedDict& feeds, float delta) {
  if (x.dtype() != DataType::kFloat || y.dtype() != DataType::kFloat) {
    return absl::InvalidArgumentError("ComputeGradient needs float32 x and y");
  }
  Output dy, dx;
  {
    GraphGuard as_default(*x.graph());
    dy = placeholder(DataType::kFloat, y.shape(), "gradient_checker_dy");
    dx = gradients({y}, {x}, {dy})[0];
  }
  FeedDict all = feeds;
  all.emplace_back(x, x_value);
  MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> y0, session.run(all, {y}));
  const int64_t nx = x_value.NumElements(), ny = y0[0].NumElements();
  Jacobians j{Tensor(DataType::kFloat, {nx, ny}),
              Tensor(DataType::kFloat, {nx, ny})};
  auto theoretical = j.theoretical.flat<float>();
  auto numerical = j.numerical.flat<float>();

  // Theoretical: one backward pass per element of y.
  if (!dx.is_null()) {
    Tensor seed(DataType::kFloat, y0[0].shape());
    all.emplace_back(dy, seed);
    for (int64_t k = 0; k < ny; ++k) {
      seed = Tensor(DataType::kFloat, y0[0].shape());
      seed.flat<float>()[k] = 1.0f;
      all.back().second = seed;
      MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> g, session.run(all, {dx}));
      auto gx = g[0].flat<float>();
      for (int64_t i = 0; i < nx; ++i) theoretical[i * ny + k] = gx[i];
    }
    all.pop_back();
  }
  // Numerical: central differences, one x element at a time.
  Tensor probe = x_value.Clone();
  all.back().second = probe;
  auto p = probe.flat<float>();
  for (int64_t i = 0; i < nx; ++i) {
    const float original = p[i];
    p[i] = original + delta;
    MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> plus, session.run(all, {y}));
    p[i] = original - delta;
    MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> minus, session.run(all, {y}));
    p[i] = original;
    auto yp = plus[0].flat<float>(), ym = minus[0].flat<float>();
    for (int64_t k = 0; k < ny; ++k) {
      numerical[i * ny + k] = (yp[k] - ym[k]) / (2 * delta);
    }
  }
  return j;
}

absl::StatusOr<float> ComputeGradientError(Session& session, Output x,
                                           const Tensor& x_value, Output y,
                                           const FeedDict& feeds, float delta) {
  MINITF_ASSIGN_OR_RETURN(
      Jacobians j, ComputeGradient(session, x, x_value, y, feeds, delta));
  float error = 0;
  auto t = j.theoretical.flat<float>(), n = j.numerical.flat<float>();
  for (size_t i = 0; i < t.size(); ++i) {
    const float e = std::abs(t[i] - n[i]);
    // A NaN anywhere must fail the check, not vanish in std::max.
    if (std::isnan(e)) return std::numeric_limits<float>::quiet_NaN();
    error = std::max(error, e);
  }
  return error;
}

}  // namespace minitf
