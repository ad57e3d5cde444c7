// The schedules follow TF 1.15's learning_rate_schedule.py op for op
// (convert, cast to the learning rate's dtype, divide, floor/ceil, pow).
// piecewise_constant sums values[i] times the indicator of interval i in
// place of tf.case: the intervals are disjoint and cover every x, so
// exactly one term is nonzero and the result is exactly that value.
#include "minitf/train/learning_rate_decay.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/math/pow_floor.h"

namespace minitf::train {
namespace {

std::optional<std::string> ScopeName(const std::string& name,
                                     const char* default_name) {
  return name.empty() ? std::optional<std::string>(default_name)
                      : std::optional<std::string>(name);
}

void RequireStep(const Output& step, const char* schedule) {
  if (step.is_null()) {
    ThrowValueError(
        absl::StrCat("global_step is required for ", schedule, "."));
  }
}

// A number or tensor as float32 (TF: cast to the learning rate's dtype).
Output AsFloat(const HyperParameter& value, absl::string_view name) {
  return cast(value.ToTensor(name), DataType::kFloat);
}

// TF's ExponentialDecay / InverseTimeDecay: p = step / decay_steps,
// floored when staircase.
Output DecayFraction(Output global_step, const HyperParameter& decay_steps,
                     bool staircase) {
  Output steps = AsFloat(decay_steps, "Const");
  Output p = divide(cast(global_step, DataType::kFloat), steps);
  return staircase ? floor(p) : p;
}

}  // namespace

Output exponential_decay(HyperParameter learning_rate, Output global_step,
                         HyperParameter decay_steps, HyperParameter decay_rate,
                         const DecayOptions& options) {
  RequireStep(global_step, "exponential_decay");
  name_scope scope(ScopeName(options.name, "ExponentialDecay"));
  Output lr = AsFloat(learning_rate, "initial_learning_rate");
  Output rate = AsFloat(decay_rate, "Const");
  Output p = DecayFraction(global_step, decay_steps, options.staircase);
  return multiply(lr, pow(rate, p), scope.name());
}

Output inverse_time_decay(HyperParameter learning_rate, Output global_step,
                          HyperParameter decay_steps, HyperParameter decay_rate,
                          const DecayOptions& options) {
  RequireStep(global_step, "inverse_time_decay");
  name_scope scope(ScopeName(options.name, "InverseTimeDecay"));
  Output lr = AsFloat(learning_rate, "initial_learning_rate");
  Output rate = AsFloat(decay_rate, "Const");
  Output p = DecayFraction(global_step, decay_steps, options.staircase);
  Output denom = add(constant(1.0f), multiply(rate, p));
  return divide(lr, denom, scope.name());
}

Output piecewise_constant(Output x, const std::vector<double>& boundaries,
                          const std::vector<double>& values,
                          const std::string& name) {
  if (boundaries.size() + 1 != values.size()) {
    ThrowValueError(
        "The length of boundaries should be 1 less than the length of values");
  }
  if (x.is_null()) ThrowValueError("x must be a tensor, got None");
  name_scope scope(ScopeName(name, "PiecewiseConstant"));
  auto indicator = [](Output condition) {
    return cast(condition, DataType::kFloat);
  };
  std::vector<Output> b;
  for (double boundary : boundaries)
    b.push_back(ScalarConstant(boundary, x.dtype()));
  std::vector<Output> terms;
  auto term = [&](double value, Output in_interval) {
    terms.push_back(multiply(constant(static_cast<float>(value)), in_interval));
  };
  if (b.empty())
    return identity(constant(static_cast<float>(values[0])), scope.name());
  term(values[0], indicator(less_equal(x, b[0])));
  for (size_t i = 1; i < b.size(); ++i) {
    term(values[i], multiply(indicator(greater(x, b[i - 1])),
                             indicator(less_equal(x, b[i]))));
  }
  term(values.back(), indicator(greater(x, b.back())));
  return add_n(terms, scope.name());
}

Output polynomial_decay(HyperParameter learning_rate, Output global_step,
                        HyperParameter decay_steps,
                        const PolynomialDecayOptions& options) {
  RequireStep(global_step, "polynomial_decay");
  name_scope scope(ScopeName(options.name, "PolynomialDecay"));
  Output lr = AsFloat(learning_rate, "initial_learning_rate");
  Output end = constant(static_cast<float>(options.end_learning_rate));
  Output power = constant(static_cast<float>(options.power));
  Output step = cast(global_step, DataType::kFloat);
  Output steps = AsFloat(decay_steps, "Const");
  if (options.cycle) {
    // The first multiple of decay_steps at or past the step; 1 at step 0.
    Output multiplier = maximum(ceil(divide(step, steps)), constant(1.0f));
    steps = multiply(steps, multiplier);
  } else {
    step = minimum(step, steps);
  }
  Output p = divide(step, steps);
  return add(
      multiply(subtract(lr, end), pow(subtract(constant(1.0f), p), power)), end,
      scope.name());
}

}  // namespace minitf::train
