// Regularizers (TF1_SEMANTICS.md 1.4 cases 48-49, 3.5) and Keras weight
// constraints: values against hand-computed references, op names, the
// REGULARIZATION_LOSSES bookkeeping of get_variable, and error texts.
//
// Not ported: contrib's "scale cannot be an integer" ValueError (C++
// converts the integer to double, so the check has no counterpart).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"
#include "minitf/variables/constraints.h"
#include "minitf/variables/regularizers.h"

namespace minitf {
namespace {

using ::minitf::test::Eval;
using ::minitf::test::EvalAll;
using ::minitf::test::ExpectError;
using ::minitf::test::Names;
using ::minitf::test::Values;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::IsEmpty;
using ::testing::Pointwise;

// w = [1, -2, 3]: sum |w| = 6, sum w^2 = 14.
Variable MakeWeights(const std::string& name = "v",
                     Regularizer regularizer = Regularizer()) {
  return get_variable(
      name, {.initializer = constant<float>({1, -2, 3}, {3}, "w_init"),
             .regularizer = std::move(regularizer)});
}

std::vector<CollectionItem> Losses() {
  return get_collection(GraphKeys::REGULARIZATION_LOSSES);
}

// ---------------------------------------------------------------------------
// contrib.layers regularizers
// ---------------------------------------------------------------------------

class ContribRegularizersTest : public test::GraphTest {};

TEST_F(ContribRegularizersTest, L2RegularizerValueAndNames) {
  {
    variable_scope foo("foo");
    MakeWeights("v", contrib::layers::l2_regularizer(0.5));
  }
  std::vector<CollectionItem> losses = Losses();
  ASSERT_EQ(losses.size(), 1u);
  Output loss = losses[0].output();
  EXPECT_EQ(loss.name(), "foo/v/Regularizer/l2_regularizer:0");
  EXPECT_EQ(loss.op().type(), "Mul");
  ASSERT_EQ(loss.op().inputs().size(), 2u);
  EXPECT_EQ(loss.op().inputs()[0].name(),
            "foo/v/Regularizer/l2_regularizer/scale:0");
  EXPECT_EQ(loss.op().inputs()[1].name(),
            "foo/v/Regularizer/l2_regularizer/L2Loss:0");
  // 0.5 * 14 / 2.
  EXPECT_THAT(Eval(loss), ElementsAre(FloatNear(3.5f, 1e-6f)));
}

TEST_F(ContribRegularizersTest, L1RegularizerValueAndNames) {
  {
    variable_scope foo("foo");
    MakeWeights("v", contrib::layers::l1_regularizer(0.5));
  }
  std::vector<CollectionItem> losses = Losses();
  ASSERT_EQ(losses.size(), 1u);
  Output loss = losses[0].output();
  EXPECT_EQ(loss.name(), "foo/v/Regularizer/l1_regularizer:0");
  EXPECT_EQ(loss.op().type(), "Mul");
  ASSERT_EQ(loss.op().inputs().size(), 2u);
  EXPECT_EQ(loss.op().inputs()[0].name(),
            "foo/v/Regularizer/l1_regularizer/scale:0");
  EXPECT_EQ(loss.op().inputs()[1].name(),
            "foo/v/Regularizer/l1_regularizer/Sum:0");
  // 0.5 * 6.
  EXPECT_THAT(Eval(loss), ElementsAre(FloatNear(3.0f, 1e-6f)));
}

TEST_F(ContribRegularizersTest, CalledDirectlyNamesAreUniquified) {
  Output w = constant<float>({3, 4}, {2}, "w");
  Regularizer l2 = contrib::layers::l2_regularizer(0.1);
  Output a = l2(w);
  Output b = l2(w);
  EXPECT_EQ(a.name(), "l2_regularizer:0");
  EXPECT_EQ(b.name(), "l2_regularizer_1:0");
  {
    name_scope ns("ns");
    EXPECT_EQ(contrib::layers::l1_regularizer(0.1)(w).name(),
              "ns/l1_regularizer:0");
  }
  std::vector<Tensor> out = EvalAll({a, b});
  EXPECT_NEAR(out[0].scalar<float>(), 0.1f * 25 / 2, 1e-6f);
  EXPECT_NEAR(out[1].scalar<float>(), 0.1f * 25 / 2, 1e-6f);
}

TEST_F(ContribRegularizersTest, ScaleZeroAddsNothing) {
  Output w = constant<float>({3, 4}, {2}, "w");
  EXPECT_TRUE(contrib::layers::l2_regularizer(0.0)(w).is_null());
  EXPECT_TRUE(contrib::layers::l1_regularizer(0.0)(w).is_null());
  MakeWeights("a", contrib::layers::l2_regularizer(0.0));
  MakeWeights("b", contrib::layers::l1_regularizer(0.0));
  EXPECT_THAT(Losses(), IsEmpty());
}

TEST_F(ContribRegularizersTest, NegativeScale) {
  ExpectError([] { contrib::layers::l2_regularizer(-1.0); }, "ValueError",
              "Setting a scale less than 0 on a regularizer: -1.");
  ExpectError([] { contrib::layers::l2_regularizer(-0.25); }, "ValueError",
              "Setting a scale less than 0 on a regularizer: -0.25.");
  // The l1 text has no trailing period.
  ExpectError([] { contrib::layers::l1_regularizer(-0.5); }, "ValueError",
              "Setting a scale less than 0 on a regularizer: -0.5");
}

// Case 49: the loss lives under the absolute "<variable>/Regularizer/",
// whatever the name scope at get_variable time.
TEST_F(ContribRegularizersTest, LossNameIgnoresTheNameScope) {
  {
    name_scope ns("ns");
    variable_scope vs("vs");  // Name scope ns/vs/.
    MakeWeights("v", contrib::layers::l2_regularizer(1.0));
  }
  EXPECT_THAT(Names(Losses()),
              ElementsAre("vs/v/Regularizer/l2_regularizer:0"));
}

// ---------------------------------------------------------------------------
// Keras regularizers: no 1/2.
// ---------------------------------------------------------------------------

class KerasRegularizersTest : public test::GraphTest {};

TEST_F(KerasRegularizersTest, Values) {
  Output w = constant<float>({1, -2, 3}, {3}, "w");
  std::vector<Tensor> out = EvalAll({
      keras::regularizers::l1(0.1)(w),
      keras::regularizers::l2(0.1)(w),
      keras::regularizers::l1_l2(0.1, 0.2)(w),
      keras::regularizers::l1()(w),
      keras::regularizers::l2()(w),
      keras::regularizers::l1_l2()(w),
      regularizers::l2(0.5)(w),
  });
  EXPECT_NEAR(out[0].scalar<float>(), 0.1 * 6, 1e-6);
  EXPECT_NEAR(out[1].scalar<float>(), 0.1 * 14, 1e-6);
  EXPECT_NEAR(out[2].scalar<float>(), 0.1 * 6 + 0.2 * 14, 1e-6);
  EXPECT_NEAR(out[3].scalar<float>(), 0.01 * 6, 1e-6);   // Default l = 0.01.
  EXPECT_NEAR(out[4].scalar<float>(), 0.01 * 14, 1e-6);  // Default l = 0.01.
  EXPECT_NEAR(out[5].scalar<float>(), 0.01 * 6 + 0.01 * 14, 1e-6);
  EXPECT_NEAR(out[6].scalar<float>(), 0.5 * 14,
              1e-6);  // The tf::regularizers alias.
}

TEST_F(KerasRegularizersTest, ZeroFactorsStillAddAZeroLoss) {
  // Keras returns K.constant(0.) rather than None.
  Output w = constant<float>({1, -2, 3}, {3}, "w");
  Output zero = keras::regularizers::l1_l2(0.0, 0.0)(w);
  ASSERT_FALSE(zero.is_null());
  EXPECT_THAT(Eval(zero), ElementsAre(0.0f));
  MakeWeights("v", keras::regularizers::l2(0.0));
  ASSERT_EQ(Losses().size(), 1u);
  EXPECT_THAT(Eval(Losses()[0].output()), ElementsAre(0.0f));
}

TEST_F(KerasRegularizersTest, ThroughGetVariable) {
  {
    variable_scope foo("foo");
    MakeWeights("v", keras::regularizers::l2(0.1));
  }
  std::vector<CollectionItem> losses = Losses();
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(losses[0].name().value(), "foo/v/Regularizer/"))
      << Names(losses)[0];
  EXPECT_THAT(Eval(losses[0].output()), ElementsAre(FloatNear(1.4f, 1e-6f)));
}

// ---------------------------------------------------------------------------
// get_variable bookkeeping (cases 48 and 49; pitfall 7).
// ---------------------------------------------------------------------------

class RegularizationLossesTest : public test::GraphTest {};

TEST_F(RegularizationLossesTest, AddedOnceNotOnReuse) {
  Regularizer l2 = contrib::layers::l2_regularizer(0.1);
  Variable v;
  {
    variable_scope foo("foo", {.regularizer = l2});
    v = MakeWeights();
  }
  EXPECT_EQ(Losses().size(), 1u);
  {
    variable_scope foo("foo", {.regularizer = l2, .reuse = true});
    EXPECT_EQ(MakeWeights(), v);
    EXPECT_EQ(get_variable("v"), v);
  }
  {
    variable_scope foo("foo", {.regularizer = l2, .reuse = AUTO_REUSE});
    EXPECT_EQ(get_variable("v"), v);
    get_variable("u", {.shape = {2}});  // New: one more loss.
  }
  EXPECT_THAT(Names(Losses()),
              ElementsAre("foo/v/Regularizer/l2_regularizer:0",
                          "foo/u/Regularizer/l2_regularizer:0"));
}

TEST_F(RegularizationLossesTest, NoRegularizerOverridesTheScope) {
  Output w = constant<float>({1, 2}, {2}, "w");
  EXPECT_TRUE(no_regularizer(w).is_null());
  variable_scope scope("s",
                       {.regularizer = contrib::layers::l2_regularizer(1.0)});
  get_variable("a", {.shape = {2}});
  get_variable("b", {.shape = {2}, .regularizer = no_regularizer});
  {
    variable_scope sub("sub", {.regularizer = no_regularizer});
    get_variable("c", {.shape = {2}});
    variable_scope subsub("subsub");  // Inherits no_regularizer.
    get_variable("d", {.shape = {2}});
  }
  {
    // An explicit regularizer wins over a no_regularizer scope.
    variable_scope sub("sub2", {.regularizer = no_regularizer});
    get_variable("e", {.shape = {2},
                       .regularizer = contrib::layers::l1_regularizer(1.0)});
  }
  scope.scope().set_regularizer(no_regularizer);
  get_variable("f", {.shape = {2}});
  EXPECT_THAT(Names(Losses()),
              ElementsAre("s/a/Regularizer/l2_regularizer:0",
                          "s/sub2/e/Regularizer/l1_regularizer:0"));
}

// ---------------------------------------------------------------------------
// Keras constraints
// ---------------------------------------------------------------------------

constexpr double kEpsilon = 1e-7;  // K.epsilon()

// The L2 norms of the slices of a rows x cols matrix along `axis`, per
// element (keepdims), in double.
std::vector<double> Norms(const std::vector<double>& w, int rows, int cols,
                          int axis) {
  std::vector<double> norms(w.size());
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      double sum = 0;
      if (axis == 0) {
        for (int k = 0; k < rows; ++k) sum += w[k * cols + c] * w[k * cols + c];
      } else {
        for (int k = 0; k < cols; ++k) sum += w[r * cols + k] * w[r * cols + k];
      }
      norms[r * cols + c] = std::sqrt(sum);
    }
  }
  return norms;
}

// Keras's MinMaxNorm in double; MaxNorm is (0, max, 1).
std::vector<float> MinMaxNormReference(const std::vector<double>& w, int rows,
                                       int cols, double min_value,
                                       double max_value, double rate,
                                       int axis) {
  std::vector<double> norms = Norms(w, rows, cols, axis);
  std::vector<float> out(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const double clipped = std::min(std::max(norms[i], min_value), max_value);
    const double desired = rate * clipped + (1 - rate) * norms[i];
    out[i] = static_cast<float>(w[i] * desired / (kEpsilon + norms[i]));
  }
  return out;
}

class ConstraintsTest : public test::GraphTest {
 protected:
  // w = [[3, 0.5], [4, 0.5]]: column norms 5 and 0.7071, row norms 3.041
  // and 4.031.
  const std::vector<double> w_ = {3, 0.5, 4, 0.5};
  Output W() const { return constant<float>({3, 0.5f, 4, 0.5f}, {2, 2}, "w"); }
};

TEST_F(ConstraintsTest, MaxNorm) {
  std::vector<Tensor> out = EvalAll({
      keras::constraints::max_norm(2.0)(W()),
      keras::constraints::max_norm(2.0, {1})(W()),
      keras::constraints::max_norm()(W()),
  });
  // Column 0 (norm 5) is scaled to norm 2; column 1 is within the bound.
  EXPECT_THAT(Values<float>(out[0]),
              Pointwise(FloatNear(1e-6f), {1.2f, 0.5f, 1.6f, 0.5f}));
  EXPECT_THAT(
      Values<float>(out[0]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(w_, 2, 2, 0, 2, 1, 0)));
  EXPECT_THAT(
      Values<float>(out[1]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(w_, 2, 2, 0, 2, 1, 1)));
  // Defaults: max_value 2, axis 0.
  EXPECT_THAT(Values<float>(out[2]),
              Pointwise(FloatNear(1e-6f), Values<float>(out[0])));
}

TEST_F(ConstraintsTest, NonNeg) {
  Output w = constant<float>({-1, 0, 2, -3.5f, 0.25f}, {5}, "w");
  EXPECT_THAT(Eval(keras::constraints::non_neg()(w)),
              ElementsAre(0, 0, 2, 0, 0.25f));
}

TEST_F(ConstraintsTest, UnitNorm) {
  std::vector<Tensor> out = EvalAll({
      keras::constraints::unit_norm()(W()),
      keras::constraints::unit_norm({1})(W()),
  });
  const double s = std::sqrt(0.5);
  EXPECT_THAT(Values<float>(out[0]),
              Pointwise(FloatNear(1e-6f), {0.6f, static_cast<float>(0.5 / s),
                                           0.8f, static_cast<float>(0.5 / s)}));
  // unit_norm is min_max_norm(1, 1, 1).
  EXPECT_THAT(
      Values<float>(out[0]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(w_, 2, 2, 1, 1, 1, 0)));
  EXPECT_THAT(
      Values<float>(out[1]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(w_, 2, 2, 1, 1, 1, 1)));
}

TEST_F(ConstraintsTest, MinMaxNorm) {
  // w = [[0.3, 3], [0.4, 4]]: column norms 0.5 and 5.
  Output w = constant<float>({0.3f, 3, 0.4f, 4}, {2, 2}, "w");
  const std::vector<double> wd = {0.3, 3, 0.4, 4};
  std::vector<Tensor> out = EvalAll({
      keras::constraints::min_max_norm(1.0, 2.0)(w),
      keras::constraints::min_max_norm(1.0, 2.0, 0.5)(w),
      keras::constraints::min_max_norm()(w),
      keras::constraints::min_max_norm(1.0, 2.0, 1.0, {1})(w),
  });
  // Column 0 grows to norm 1, column 1 shrinks to norm 2.
  EXPECT_THAT(Values<float>(out[0]),
              Pointwise(FloatNear(1e-6f), {0.6f, 1.2f, 0.8f, 1.6f}));
  // rate 0.5: desired norms 0.75 and 3.5.
  EXPECT_THAT(Values<float>(out[1]),
              Pointwise(FloatNear(1e-6f), {0.45f, 2.1f, 0.6f, 2.8f}));
  EXPECT_THAT(
      Values<float>(out[1]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(wd, 2, 2, 1, 2, 0.5, 0)));
  // Defaults: [0, 1], rate 1, axis 0.
  EXPECT_THAT(
      Values<float>(out[2]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(wd, 2, 2, 0, 1, 1, 0)));
  EXPECT_THAT(
      Values<float>(out[3]),
      Pointwise(FloatNear(1e-6f), MinMaxNormReference(wd, 2, 2, 1, 2, 1, 1)));
}

TEST_F(ConstraintsTest, LambdaConstraintIsStoredNotApplied) {
  // TF's optimizer_test testConstraint: clip to [-0.1, 0].
  Constraint clip = [](Output x) {
    return clip_by_value(x, constant(-0.1f), constant(0.0f));
  };
  Variable v =
      get_variable("v", {.initializer = constant<float>({1, -2}, {2}, "v_init"),
                         .constraint = clip});
  ASSERT_TRUE(static_cast<bool>(v.constraint()));
  Variable u = get_variable("u", {.shape = {2}});
  EXPECT_FALSE(static_cast<bool>(u.constraint()));
  Variable t(constant<float>({5, -5}, {2}), {.name = "t", .constraint = clip});
  ASSERT_TRUE(static_cast<bool>(t.constraint()));
  std::vector<Tensor> out = EvalAll({v, v.constraint()(v), t.constraint()(t)});
  // Constraints never apply at creation.
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(1, -2));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(0, -0.1f));
  EXPECT_THAT(Values<float>(out[2]), ElementsAre(0, -0.1f));
}

}  // namespace
}  // namespace minitf
