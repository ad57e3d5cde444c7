#include "minitf/variables/constraints.h"

#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf::keras::constraints {
namespace {

// Keras's K.epsilon().
constexpr float kEpsilon = 1e-7f;

Output Norms(Output w, const std::vector<int64_t>& axis) {
  return sqrt(reduce_sum(square(w), {.axis = axis, .keepdims = true}));
}

Output C(double v) { return constant(static_cast<float>(v)); }

}  // namespace

Constraint max_norm(double max_value, std::vector<int64_t> axis) {
  return [=](Output w) {
    Output norms = Norms(w, axis);
    Output desired = clip_by_value(norms, C(0), C(max_value));
    return w * (desired / (C(kEpsilon) + norms));
  };
}

Constraint non_neg() {
  return [](Output w) { return w * cast(greater_equal(w, C(0)), w.dtype()); };
}

Constraint unit_norm(std::vector<int64_t> axis) {
  return [=](Output w) { return w / (C(kEpsilon) + Norms(w, axis)); };
}

Constraint min_max_norm(double min_value, double max_value, double rate,
                        std::vector<int64_t> axis) {
  return [=](Output w) {
    Output norms = Norms(w, axis);
    Output desired =
        C(rate) * clip_by_value(norms, C(min_value), C(max_value)) +
        C(1 - rate) * norms;
    return w * (desired / (C(kEpsilon) + norms));
  };
}

}  // namespace minitf::keras::constraints
