// cond, smart_cond, placeholder_with_default, switch_ and merge: names as
// TF builds them, values of both branches, side effects confined to the
// taken branch, gradients through the taken branch, nesting, errors.
#include "minitf/ops/control/cond.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/graph/gradient_checker.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CondTest : public ::testing::Test {
 protected:
  // A bool scalar that is false unless fed, as TF1 scripts switch training.
  Output Training() {
    return placeholder_with_default(constant(false), {}, "training");
  }
  static FeedDict Feed(Output pred, bool value) {
    return {{pred, Tensor::Scalar(value)}};
  }
  static Tensor Vector(std::vector<float> values) {
    const int64_t n = static_cast<int64_t>(values.size());
    return Tensor::FromVector<float>(values, Shape({n}));
  }
  // Expects `fn` to throw minitf::Error of `type` whose text contains `text`.
  template <typename Fn>
  static void ExpectError(Fn fn, const std::string& type,
                          const std::string& text) {
    try {
      fn();
      ADD_FAILURE() << "no error; expected: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.python_type(), type);
      EXPECT_THAT(e.what(), HasSubstr(text));
    }
  }

  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(CondTest, PlaceholderWithDefaultIsItsInputUnlessFed) {
  auto x = placeholder_with_default(constant<float>({1, 2, 3, 4, 5, 6}, {2, 3}),
                                    {-1, 3});
  EXPECT_EQ(x.name(), "PlaceholderWithDefault:0");
  EXPECT_EQ(x.op().type(), "PlaceholderWithDefault");
  EXPECT_EQ(x.shape().ToString(), "(?, 3)");
  auto y = x * constant(2.0f);
  Session sess(graph_);
  auto out = sess.run({y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), "(2, 3)");
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4, 6, 8, 10, 12));
  // Another batch size fits the less specific shape.
  Tensor fed(float32, {1, 3});
  for (int i = 0; i < 3; ++i) fed.flat<float>()[i] = 10.0f * (i + 1);
  out = sess.run({{x, fed}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(20, 40, 60));
  // Unfed again: the default.
  out = sess.run({y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].NumElements(), 6);
}

TEST_F(CondTest, PlaceholderWithDefaultRejectsIncompatibleShapesAndFeeds) {
  auto c = constant<float>({0}, {2, 3});
  ExpectError([&] { placeholder_with_default(c, {2}); }, "ValueError",
              "Shapes must be equal rank, but are 2 and 1 for "
              "'PlaceholderWithDefault' (op: 'PlaceholderWithDefault')");
  ExpectError(
      [&] {
        placeholder_with_default(c, {-1, 4}, "p");
      },
      "ValueError",
      "Dimension 1 in both shapes must be equal, but are 3 and 4. "
      "Shapes are [2,3] and [?,4]. for 'p' (op: "
      "'PlaceholderWithDefault')");
  auto x = placeholder_with_default(c, {-1, 3}, "x");
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {2, 4})}}, {x});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "Cannot feed value of shape (2, 4) for Tensor 'x:0', which has "
            "shape '(?, 3)'");
  out = sess.run({{x, Tensor(int32, {2, 3})}}, {x});
  EXPECT_EQ(out.status().message(),
            "Expects arg[0] to be float but int32 is provided");
}

TEST_F(CondTest, PlaceholderWithDefaultGradientIsIdentity) {
  auto x = placeholder(float32, {2, 2}, "x");
  auto y = square(placeholder_with_default(x, {-1, 2}));
  Session sess(graph_);
  Tensor value = Tensor::FromVector<float>({0.5f, -1, 2, 3}, Shape({2, 2}));
  auto err = ComputeGradientError(sess, x, value, y);
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_LT(*err, 2e-3f);
}

TEST_F(CondTest, NamesFollowTf) {
  auto pred = Training();
  auto x = placeholder(float32, {3}, "x");
  Output y = cond(
      pred, [&] { return x * constant(2.0f); }, [&] { return x; });
  EXPECT_EQ(y.name(), "cond/Merge:0");
  EXPECT_EQ(y.shape().ToString(), "(3,)");
  Operation sw = graph_.get_operation_by_name("cond/Switch");
  EXPECT_EQ(sw.type(), "Switch");
  EXPECT_EQ(sw.inputs()[0], pred);
  EXPECT_EQ(sw.inputs()[1], pred);
  EXPECT_EQ(graph_.get_operation_by_name("cond/switch_t").inputs()[0].name(),
            "cond/Switch:1");
  EXPECT_EQ(graph_.get_operation_by_name("cond/switch_f").inputs()[0].name(),
            "cond/Switch:0");
  EXPECT_EQ(graph_.get_operation_by_name("cond/pred_id").inputs()[0], pred);
  // The true branch: x enters through a Switch named after its consumer;
  // the constant runs only when the branch is taken.
  Operation mul = graph_.get_operation_by_name("cond/mul");
  EXPECT_EQ(mul.inputs()[0].name(), "cond/mul/Switch:1");
  Operation mul_switch = graph_.get_operation_by_name("cond/mul/Switch");
  EXPECT_EQ(mul_switch.inputs()[0], x);
  EXPECT_EQ(mul_switch.inputs()[1].name(), "cond/pred_id:0");
  Operation c = graph_.get_operation_by_name("cond/Const");
  ASSERT_EQ(c.control_inputs().size(), 1u);
  EXPECT_EQ(c.control_inputs()[0]->name(), "cond/switch_t");
  // The false branch returns x itself: it leaves through a Switch.
  Operation merge = y.op();
  EXPECT_EQ(merge.inputs()[0].name(), "cond/Switch_1:0");
  EXPECT_EQ(merge.inputs()[1].name(), "cond/mul:0");
  EXPECT_EQ(graph_.get_operation_by_name("cond/Switch_1").inputs()[0], x);
}

TEST_F(CondTest, RunsTheBranchThePredicateSelects) {
  auto pred = Training();
  auto x = placeholder(float32, {3}, "x");
  Output y = cond(
      pred, [&] { return x * constant(2.0f); },
      [&] { return x - constant(1.0f); });
  Session sess(graph_);
  FeedDict feeds = {{x, Vector({1, 2, 3})}};
  auto out = sess.run(feeds, {y});  // the default: false
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(0, 1, 2));
  feeds.push_back({pred, Tensor::Scalar(true)});
  out = sess.run(feeds, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4, 6));
}

TEST_F(CondTest, SeveralOutputsAndValueIndex) {
  auto pred = placeholder(bool_, {}, "p");
  auto a = constant(1.0f), b = constant(2.0f);
  std::vector<Output> ys = cond(
      pred,
      [&] {
        return std::vector<Output>{a + b, a};
      },
      [&] {
        return std::vector<Output>{a - b, b};
      });
  ASSERT_EQ(ys.size(), 2u);
  EXPECT_EQ(ys[0].name(), "cond/Merge:0");
  EXPECT_EQ(ys[1].name(), "cond/Merge_1:0");
  Output index = ys[0].op().output(1);
  Session sess(graph_);
  for (bool p : {true, false}) {
    auto out = sess.run(Feed(pred, p), {ys[0], ys[1], index});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), p ? 3.0f : -1.0f);
    EXPECT_EQ((*out)[1].scalar<float>(), p ? 1.0f : 2.0f);
    // Merge's inputs are (false branch, true branch), as in TF.
    EXPECT_EQ((*out)[2].scalar<int32_t>(), p ? 1 : 0);
  }
}

TEST_F(CondTest, SideEffectsOfTheUntakenBranchDoNotHappen) {
  auto pred = Training();
  Variable v(constant(0.0f), {.name = "v"});
  Output y = cond(
      pred, [&] { return v.assign_add(constant(1.0f)); },
      [&] { return v.assign_add(constant(10.0f)); });
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  const bool preds[] = {true, true, false, true, false};
  float expected = 0;
  for (bool p : preds) {
    expected += p ? 1.0f : 10.0f;
    auto out = sess.run(Feed(pred, p), {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), expected);
  }
  auto value = sess.run({v.value()});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ((*value)[0].scalar<float>(), 23.0f);
  // init, the cond (one plan whichever the predicate), the read.
  EXPECT_EQ(sess.num_compiled_plans(), 3);
}

TEST_F(CondTest, GradientsFlowThroughTheTakenBranch) {
  auto pred = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {2, 2}, "x");
  Output y = cond(
      pred, [&] { return square(x) * constant(3.0f); },
      [&] { return exp(x) - x; });
  Tensor value = Tensor::FromVector<float>({0.5f, -1, 0.25f, 1}, Shape({2, 2}));
  Session sess(graph_);
  for (bool p : {true, false}) {
    auto err = ComputeGradientError(sess, x, value, y, Feed(pred, p));
    ASSERT_TRUE(err.ok()) << err.status();
    EXPECT_LT(*err, 5e-3f) << "pred " << p;
  }
  // The values, against the derivative of the selected branch.
  Output dx = gradients({y}, {x})[0];
  for (bool p : {true, false}) {
    FeedDict feeds = Feed(pred, p);
    feeds.push_back({x, value});
    auto out = sess.run(feeds, {dx});
    ASSERT_TRUE(out.ok()) << out.status();
    for (int i = 0; i < 4; ++i) {
      const float v = value.flat<float>()[i];
      EXPECT_NEAR((*out)[0].flat<float>()[i], p ? 6 * v : std::exp(v) - 1,
                  1e-5f);
    }
  }
}

TEST_F(CondTest, GradientOfTheUntakenBranchNeverRuns) {
  auto pred = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {2}, "x");
  Output y = cond(
      pred, [&] { return square(x); }, [&] { return x * constant(2.0f); });
  Output dx = gradients({y}, {x})[0];
  // Merge's gradient is a Switch on the same predicate...
  Operation merge_grad =
      graph_.get_operation_by_name("gradients/cond/Merge_grad/cond_grad");
  EXPECT_EQ(merge_grad.type(), "Switch");
  EXPECT_EQ(merge_grad.inputs()[1].name(), "cond/pred_id:0");
  // ...and each Switch's gradient a Merge of the two sides.
  EXPECT_EQ(graph_
                .get_operation_by_name("gradients/cond/Square/Switch_grad/"
                                       "cond_grad")
                .type(),
            "Merge");
  Session sess(graph_);
  FeedDict feeds = {{pred, Tensor::Scalar(false)}, {x, Vector({1, 3})}};
  auto out = sess.run(feeds, {dx});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 2));
  // The true branch's gradient (2x) is dead when pred is false.
  Output square_grad = merge_grad.output(1);
  out = sess.run(feeds, {square_grad});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "Retval[0] does not have value");
}

TEST_F(CondTest, NestedCond) {
  auto p = placeholder(bool_, {}, "p");
  auto q = placeholder(bool_, {}, "q");
  auto x = placeholder(float32, {}, "x");
  Variable count(constant(0.0f), {.name = "count"});
  Output y = cond(
      p,
      [&] {
        return cond(
            q, [&] { return x * constant(2.0f); },
            [&] {
              control_dependencies deps({count.assign_add(constant(1.0f))});
              return x + constant(100.0f);
            });
      },
      [&] { return -x; });
  EXPECT_EQ(y.name(), "cond/Merge:0");
  EXPECT_EQ(graph_.get_operation_by_name("cond/cond/Merge").type(), "Merge");
  // x reaches the inner branch through the outer Switch, then the inner one.
  Operation inner_switch =
      graph_.get_operation_by_name("cond/cond/mul/Switch_1");
  EXPECT_EQ(inner_switch.inputs()[0].name(), "cond/cond/mul/Switch:1");
  EXPECT_EQ(inner_switch.inputs()[1].name(), "cond/cond/pred_id:0");
  Operation outer_switch = graph_.get_operation_by_name("cond/cond/mul/Switch");
  EXPECT_EQ(outer_switch.inputs()[0], x);
  EXPECT_EQ(outer_switch.inputs()[1].name(), "cond/pred_id:0");
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  struct Case {
    bool p, q;
    float y, count;
  };
  for (const Case& c : {Case{true, true, 6, 0}, Case{true, false, 103, 1},
                        Case{false, true, -3, 1}, Case{false, false, -3, 1},
                        Case{true, false, 103, 2}}) {
    FeedDict feeds = {{p, Tensor::Scalar(c.p)},
                      {q, Tensor::Scalar(c.q)},
                      {x, Tensor::Scalar(3.0f)}};
    auto out = sess.run(feeds, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), c.y);
    auto n = sess.run({count.value()});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ((*n)[0].scalar<float>(), c.count) << c.p << c.q;
  }
  // Gradients through both levels.
  Tensor value = Tensor::Scalar(1.5f);
  for (bool pv : {true, false}) {
    for (bool qv : {true, false}) {
      FeedDict feeds = {{p, Tensor::Scalar(pv)}, {q, Tensor::Scalar(qv)}};
      auto err = ComputeGradientError(sess, x, value, y, feeds);
      ASSERT_TRUE(err.ok()) << err.status();
      EXPECT_LT(*err, 5e-3f);
    }
  }
}

TEST_F(CondTest, InsideANameScopeAndControlDependencies) {
  auto pred = Training();
  Variable v(constant(0.0f), {.name = "v"});
  auto x = placeholder(float32, {}, "x");
  Output bump = v.assign_add(constant(1.0f));
  Output y;
  {
    name_scope scope("outer");
    control_dependencies deps({bump});
    y = cond(
        pred, [&] { return x + constant(1.0f); },
        [&] { return x - constant(1.0f); }, "select");
  }
  EXPECT_EQ(y.name(), "outer/select/Merge:0");
  Operation sw = graph_.get_operation_by_name("outer/select/Switch");
  ASSERT_EQ(sw.control_inputs().size(), 1u);
  EXPECT_EQ(sw.control_inputs()[0], bump.node());
  EXPECT_EQ(graph_.get_operation_by_name("outer/select/add").inputs()[0].name(),
            "outer/select/add/Switch:1");
  // The branch Switch is built outside the control_dependencies block.
  EXPECT_TRUE(graph_.get_operation_by_name("outer/select/add/Switch")
                  .control_inputs()
                  .empty());
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  for (bool p : {false, true}) {
    FeedDict feeds = Feed(pred, p);
    feeds.push_back({x, Tensor::Scalar(5.0f)});
    auto out = sess.run(feeds, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), p ? 6.0f : 4.0f);
  }
  auto n = sess.run({v.value()});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)[0].scalar<float>(), 2.0f);  // the dependency ran each time
}

TEST_F(CondTest, FetchingATensorOfTheUntakenBranchFails) {
  auto pred = Training();
  auto x = placeholder(float32, {}, "x");
  Output inside_true;
  Output y = cond(
      pred,
      [&] {
        inside_true = x * constant(2.0f);
        return inside_true;
      },
      [&] { return x; });
  Session sess(graph_);
  FeedDict feeds = {{x, Tensor::Scalar(4.0f)}};
  auto out = sess.run(feeds, {y, inside_true});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "Retval[1] does not have value");
  feeds.push_back({pred, Tensor::Scalar(true)});
  out = sess.run(feeds, {y, inside_true});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[1].scalar<float>(), 8.0f);
}

TEST_F(CondTest, BuildErrorsAreTfs) {
  auto pred = Training();
  auto x = constant(1.0f);
  auto f = [&] { return x; };
  ExpectError([&] { cond(pred, BranchFn(), f); }, "TypeError",
              "true_fn must be callable.");
  ExpectError([&] { cond(pred, f, BranchFn()); }, "TypeError",
              "false_fn must be callable.");
  ExpectError([&] { cond(x, f, f); }, "TypeError",
              "Input 'pred' of 'Switch' Op has type float32 that does not "
              "match expected type of bool.");
  auto pred2 = placeholder(bool_, {2}, "p2");
  ExpectError([&] { cond(pred2, f, f); }, "ValueError",
              "Shape must be rank 0 but is rank 1 for 'cond_1/Switch' (op: "
              "'Switch') with input shapes: [2], [2].");
  ExpectError([&] { cond(pred, f, [] { return Output(); }); }, "ValueError",
              "false_fn must have a return value.");
  ExpectError(
      [&] { cond(pred, f, [] { return constant(1); }); }, "ValueError",
      "Outputs of true_fn and false_fn must have the same type: float32, "
      "int32");
  ExpectError(
      [&] {
        cond(
            pred,
            [&] {
              return std::vector<Output>{x, x};
            },
            [&] { return std::vector<Output>{x}; });
      },
      "ValueError",
      "Incompatible return values of true_fn and false_fn: The two "
      "structures don't have the same number of elements.");
  ExpectError(
      [&] {
        cond(
            pred, [] { return std::vector<Output>{}; },
            [] { return std::vector<Output>{}; });
      },
      "ValueError", "true_fn and false_fn must return at least one result.");
  // A failed branch leaves no context behind: ops built afterwards are
  // ordinary.
  auto after = constant(2.0f, "after");
  EXPECT_TRUE(after.op().control_inputs().empty());
}

TEST_F(CondTest, SmartCondBuildsOnlyTheBranchAKnownPredicateSelects) {
  auto x = constant(3.0f);
  auto count_switches = [&] {
    int n = 0;
    for (const auto& node : graph_.nodes()) n += node->type() == "Switch";
    return n;
  };
  bool true_called = false, false_called = false;
  Output y = smart_cond(
      false,
      [&] {
        true_called = true;
        return x * x;
      },
      [&] {
        false_called = true;
        return -x;
      });
  EXPECT_FALSE(true_called);
  EXPECT_TRUE(false_called);
  EXPECT_EQ(y.name(), "Neg:0");
  y = smart_cond(
      constant(true), [&] { return x * x; }, [&] { return -x; });
  EXPECT_EQ(y.op().type(), "Mul");
  // A constant-foldable predicate is evaluated at build time.
  y = smart_cond(
      less(constant(1.0f), constant(2.0f)), [&] { return x * x; },
      [&] { return -x; });
  EXPECT_EQ(y.op().type(), "Mul");
  EXPECT_EQ(count_switches(), 0);
  // A tensor that can be fed builds a cond.
  auto training = Training();
  y = smart_cond(
      training, [&] { return x * x; }, [&] { return -x; });
  EXPECT_EQ(y.name(), "cond/Merge:0");
  Session sess(graph_);
  auto out = sess.run(Feed(training, true), {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 9.0f);
  ExpectError([&] { smart_cond(true, BranchFn(), [&] { return x; }); },
              "TypeError", "`true_fn` must be callable.");
}

TEST_F(CondTest, ConstantValueOfBoolScalars) {
  EXPECT_EQ(constant_value(constant(true)), std::optional<bool>(true));
  EXPECT_EQ(constant_value(equal(constant(true), constant(false))),
            std::optional<bool>(false));
  EXPECT_EQ(constant_value(equal(constant(2), constant(3))),
            std::optional<bool>(false));
  EXPECT_EQ(constant_value(Training()), std::nullopt);
  EXPECT_EQ(constant_value(placeholder(bool_, {}, "b")), std::nullopt);
  EXPECT_EQ(constant_value(less(placeholder(float32, {}), constant(1.0f))),
            std::nullopt);
  EXPECT_EQ(constant_value(constant(1.0f)), std::nullopt);  // not a bool
  Variable v(constant(true), {.name = "flag"});
  EXPECT_EQ(constant_value(v.value()), std::nullopt);
}

TEST_F(CondTest, SwitchAndMergeDirectly) {
  auto p = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {2}, "x");
  SwitchOutputs s = switch_(x, p);
  EXPECT_EQ(s.output_false.name(), "Switch:0");
  EXPECT_EQ(s.output_true.name(), "Switch:1");
  MergeOutputs m = merge({negative(s.output_false), square(s.output_true)});
  EXPECT_EQ(m.output.name(), "Merge:0");
  EXPECT_EQ(m.value_index.name(), "Merge:1");
  EXPECT_EQ(m.value_index.dtype(), int32);
  Session sess(graph_);
  Tensor value = Vector({1.5f, -2});
  for (bool pv : {true, false}) {
    FeedDict feeds = {{p, Tensor::Scalar(pv)}, {x, value}};
    auto out = sess.run(feeds, {m.output});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(),
                pv ? ElementsAre(2.25f, 4) : ElementsAre(-1.5f, 2));
    // A Merge outside cond differentiates on value_index.
    auto err = ComputeGradientError(sess, x, value, m.output, Feed(p, pv));
    ASSERT_TRUE(err.ok()) << err.status();
    EXPECT_LT(*err, 5e-3f);
  }
}

TEST_F(CondTest, MergeShapeKeepsTheDimensionsTheInputsAgreeOn) {
  auto a = placeholder(float32, {2, 3});
  auto b = placeholder(float32, {2, 4});
  auto c = placeholder(float32, {2});
  EXPECT_EQ(merge({a, b}).output.shape().ToString(), "(2, ?)");
  EXPECT_EQ(merge({a, a}).output.shape().ToString(), "(2, 3)");
  EXPECT_EQ(merge({a, c}).output.shape().ToString(), "<unknown>");
  ExpectError(
      [&] {
        merge({a, placeholder(int32, {2, 3})});
      },
      "TypeError",
      "Tensors in list passed to 'inputs' of 'Merge' Op have types "
      "[float32, int32] that don't all match.");
}

}  // namespace
}  // namespace minitf
