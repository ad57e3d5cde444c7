// Dropout: DropoutMask (a stateful random op drawing 0 or 1 / keep_prob per
// mask element) and the builder that multiplies it in.
#include "minitf/ops/nn/dropout.h"

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/random/random_generator.h"
#include "minitf/ops/random/random_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {
namespace {

// DropoutMask: (x[, rate]) -> mask of attr noise_shape, whose -1 entries (or,
// when its rank is unknown, all entries) come from x's shape. x is an input
// only for its run-time shape.
absl::Status DropoutMaskShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "x", {DataType::kFloat}));
  if (ctx.num_inputs() > 2) {
    return absl::InvalidArgumentError("DropoutMask takes x and a rate");
  }
  if (ctx.num_inputs() == 2) {
    MINITF_RETURN_IF_ERROR(
        CheckDtypeAllowed(ctx.input_dtype(1), "rate", {DataType::kFloat}));
    const Shape& rate = ctx.input_shape(1);
    if (rate.has_rank() && rate.rank() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shapes ", rate.ToString(), " and () are incompatible"));
    }
  }
  const Shape& x = ctx.input_shape(0);
  Shape noise = ctx.attr<Shape>("noise_shape");
  if (!noise.has_rank()) {
    noise = x;
  } else if (x.has_rank() && x.rank() == noise.rank()) {
    for (int i = 0; i < noise.rank(); ++i) {
      if (noise.dim(i) < 0) noise.set_dim(i, x.dim(i));
    }
  }
  ctx.add_output(ctx.input_dtype(0), noise);
  return absl::OkStatus();
}

// Each element is kept when a uniform draw u in [0, 1) has u >= rate (TF's
// comparison), then holds 1 / (1 - rate). The draws come from the node's
// RandomGenerator, so successive runs draw new masks. A rate input is read
// every step.
class DropoutMaskKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    generator_ = RandomGenerator::ForNode(ctx);
    rate_ = ctx.node.attr<float>("rate");
    scale_ = 1.0f / (1.0f - rate_);
    rate_from_input_ = ctx.node.num_inputs() == 2;
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    if (rate_from_input_) {
      rate_ = ctx.input(1).scalar<float>();
      if (!(rate_ >= 0 && rate_ < 1)) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "rate must be a scalar tensor or a float in the range [0, 1), "
            "got %g",
            rate_));
      }
      scale_ = 1.0f / (1.0f - rate_);
    }
    RandomGenerator::Draws draws = generator_->Lock();
    for (float& v : ctx.output(0).flat<float>()) {
      v = draws.Uniform() >= rate_ ? scale_ : 0.0f;
    }
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<RandomGenerator> generator_;
  float rate_ = 0.0f;
  float scale_ = 1.0f;
  bool rate_from_input_ = false;
};

// TF logs its warning for a large rate at most 5 times per process.
void WarnLargeRate(float rate) {
  static std::atomic<int> warned{0};
  if (warned.fetch_add(1) < 5) {
    Log().warn(
        "Large dropout rate: {:g} (>0.5). In TensorFlow 2.x, dropout() uses "
        "dropout rate "
        "instead of keep_prob. Please ensure that this is intended.",
        rate);
  }
}

}  // namespace

Output dropout(Output x, const DropoutOptions& o) {
  // TF1's dropout: keep_prob or rate, never both (deprecated_argument_lookup).
  if (o.keep_prob.has_value() && o.rate.has_value()) {
    ThrowValueError("Cannot specify both 'keep_prob' and 'rate'");
  }
  if (!o.keep_prob.has_value() && !o.rate.has_value()) {
    ThrowValueError("You must provide a rate to dropout.");
  }
  const bool rate_is_tensor = o.rate.has_value() && o.rate->is_tensor();
  const float rate = !o.rate.has_value() ? 1.0f - *o.keep_prob
                     : rate_is_tensor    ? 0.0f
                                         : o.rate->value();
  name_scope scope(
      o.name.empty() ? std::nullopt : std::optional<std::string>(o.name),
      "dropout");
  if (!IsFloating(x.dtype())) {
    ThrowValueError(
        absl::StrCat("x has to be a floating point tensor since it's going to "
                     "be scaled. Got a <dtype: '",
                     DataTypeName(x.dtype()), "'> tensor instead."));
  }
  if (!(rate >= 0 && rate < 1)) {
    ThrowValueError(absl::StrFormat(
        "rate must be a scalar tensor or a float in the range [0, 1), got %g",
        rate));
  }
  if (rate > 0.5f) WarnLargeRate(rate);
  // Nothing to drop: x itself, as in TF (a tensor rate is known only later).
  if (rate == 0 && !rate_is_tensor) return x;
  const auto [seed, seed2] = GetSeed(o.seed);
  OpBuilder builder("DropoutMask", "mask");
  builder.Input(x);
  if (rate_is_tensor) builder.Input(o.rate->tensor());
  const Output mask =
      builder.Attr("noise_shape", o.noise_shape.value_or(Shape::Unknown()))
          .Attr("rate", rate)
          .Attr("seed", seed)
          .Attr("seed2", seed2)
          .Build();
  const Output y = multiply(x, mask, "mul");
  // The mask broadcasts against x but must not change x's shape (TF's
  // ret.set_shape(x.get_shape())).
  if (!x.shape().IsCompatibleWith(y.shape())) {
    ThrowValueError(absl::StrCat("Shapes ", y.shape().ToString(), " and ",
                                 x.shape().ToString(), " are not compatible"));
  }
  return y;
}

void RegisterDropoutOps() {
  RegisterOp({.type = "DropoutMask",
              .num_inputs = -1,  // x, and optionally a rate tensor
              .attrs = {AttrDef::Optional("noise_shape", Shape::Unknown()),
                        AttrDef::Required<float>("rate"),
                        AttrDef::Optional("seed", int64_t{0}),
                        AttrDef::Optional("seed2", int64_t{0})},
              .shape_fn = DropoutMaskShape,
              .kernel = MakeKernel<DropoutMaskKernel>,
              .differentiable = false,
              .is_stateful = true});
}

}  // namespace minitf::nn
