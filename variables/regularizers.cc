#include "minitf/variables/regularizers.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/nn_ops.h"

namespace minitf {
namespace {

// TF's contrib regularizers: scale * penalty(w), the product named after
// the name scope `name` ("l2_regularizer", made unique).
Regularizer ContribRegularizer(double scale, const char* name,
                               const char* negative_suffix,
                               Output (*penalty)(Output)) {
  if (scale < 0) {
    ThrowValueError(
        absl::StrFormat("Setting a scale less than 0 on a regularizer: %g%s",
                        scale, negative_suffix));
  }
  if (scale == 0) return no_regularizer;  // "Scale of 0 disables regularizer."
  return [scale, name, penalty](Output weights) {
    name_scope scope(name);
    Output my_scale = constant(static_cast<float>(scale), "scale");
    return multiply(my_scale, penalty(weights), scope.name());
  };
}

Output SumOfAbs(Output w) { return reduce_sum(abs(w)); }
Output L2Loss(Output w) { return nn::l2_loss(w); }

}  // namespace

Output no_regularizer(Output) { return Output(); }

namespace contrib::layers {

Regularizer l2_regularizer(double scale) {
  return ContribRegularizer(scale, "l2_regularizer", ".", L2Loss);
}

Regularizer l1_regularizer(double scale) {
  return ContribRegularizer(scale, "l1_regularizer", "", SumOfAbs);
}

}  // namespace contrib::layers

namespace keras::regularizers {

Regularizer l1_l2(double l1, double l2) {
  return [l1, l2](Output x) {
    Output total = constant(0.0f);
    if (l1 != 0)
      total = total + constant(static_cast<float>(l1)) * reduce_sum(abs(x));
    if (l2 != 0)
      total = total + constant(static_cast<float>(l2)) * reduce_sum(square(x));
    return total;
  };
}
Regularizer l1(double l) { return l1_l2(l, 0.0); }
Regularizer l2(double l) { return l1_l2(0.0, l); }

}  // namespace keras::regularizers

}  // namespace minitf
