// Session options and dtype attributes validated once at build time, and
// validate_shape=false variables, whose plans follow the value's shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <limits>
#include <string>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

template <typename F>
void ExpectError(F fn, const std::string& python_type,
                 const std::string& message) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument)
        << e.status();
    EXPECT_EQ(e.python_type(), python_type);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

class SessionOptionsTest : public ::testing::Test {
 protected:
  void ExpectSessionStillRuns(Session& sess) {
    auto out = sess.run({two_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);
  }

  Graph graph_;
  GraphGuard guard_{graph_};
  Output two_ = constant(2.0f, "two");
};

TEST_F(SessionOptionsTest, NegativeIntraOpThreadsIsAValueError) {
  for (int threads : {-1, std::numeric_limits<int>::min()}) {
    ExpectError(
        [&] { Session s(graph_, {.intra_op_parallelism_threads = threads}); },
        "ValueError",
        absl::StrCat("intra_op_parallelism_threads must be >= 0 (0 "
                     "keeps the process default), got ",
                     threads));
  }
  Session sess(graph_, {.intra_op_parallelism_threads = 0});
  ExpectSessionStillRuns(sess);
}

TEST_F(SessionOptionsTest, HugeIntraOpThreadsIsClampedToTheProcessors) {
  const int before = omp_get_max_threads();
  Session sess(graph_, {.intra_op_parallelism_threads =
                            std::numeric_limits<int>::max()});
  ExpectSessionStillRuns(sess);
  // run() set this thread's OpenMP team size: the processors, not 2**31-1.
  EXPECT_EQ(omp_get_max_threads(), omp_get_num_procs());
  Session one(graph_, {.intra_op_parallelism_threads = 1});
  ExpectSessionStillRuns(one);
  EXPECT_EQ(omp_get_max_threads(), 1);
  omp_set_num_threads(before);
}

TEST_F(SessionOptionsTest, AnInvalidDtypeIsATypeErrorOfEveryOp) {
  const auto bad = static_cast<DataType>(99);
  ExpectError([&] { placeholder(bad, {2}, "p"); }, "TypeError",
              "Cannot convert value 99 to a TensorFlow DType.");
  ExpectError([&] { placeholder(DataType::kInvalid); }, "TypeError",
              "Cannot convert value 0 to a TensorFlow DType.");
  ExpectError([&] { zeros({2}, static_cast<DataType>(-5)); }, "TypeError",
              "Cannot convert value -5 to a TensorFlow DType.");
  ExpectError([&] { cast(two_, static_cast<DataType>(42)); }, "TypeError",
              "Cannot convert value 42 to a TensorFlow DType.");
  EXPECT_EQ(graph_.num_nodes(), 1);  // nothing was added
  Session sess(graph_);
  ExpectSessionStillRuns(sess);
}

TEST_F(SessionOptionsTest, AVariableWhoseShapeMayChangeHasNoStaticShape) {
  Variable v(constant<float>({1, 2}, {2}),
             {.validate_shape = false, .name = "v"});
  EXPECT_EQ(v.shape().ToString(), "<unknown>");
  EXPECT_EQ(v.value().shape().ToString(), "<unknown>");
  Variable fixed(constant<float>({1, 2}, {2}), {.name = "fixed"});
  EXPECT_EQ(fixed.shape().ToString(), "(2,)");
}

TEST_F(SessionOptionsTest, ReadsFollowAValidateShapeFalseAssign) {
  Variable v(constant<float>({1, 2}, {2}),
             {.validate_shape = false, .name = "v"});
  auto doubled = v.value() * constant(2.0f);
  auto grow = assign(v.ref(), constant<float>({1, 2, 3, 4, 5}, {5}),
                     {.validate_shape = false});
  auto shrink =
      assign(v.ref(), constant<float>({7, 8}, {2}), {.validate_shape = false});
  auto bump = v.assign_add(constant<float>({1, 1, 1, 1, 1}, {5}));
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4));
  const int plans = sess.num_compiled_plans();

  ASSERT_TRUE(sess.run({grow}).ok());
  out = sess.run({doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4, 6, 8, 10));
  // The update of the grown variable compiles for its [5].
  out = sess.run({bump});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 3, 4, 5, 6));
  const int grown_plans = sess.num_compiled_plans();
  EXPECT_EQ(grown_plans, plans + 3);  // grow, doubled at [5], bump

  // Back to [2]: the first plan of `doubled` matches again.
  ASSERT_TRUE(sess.run({shrink}).ok());
  out = sess.run({doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(14, 16));
  EXPECT_EQ(sess.num_compiled_plans(), grown_plans + 1);  // only shrink's
  // At [2], the [5] delta no longer fits: found when its plan compiles.
  out = sess.run({bump});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::StartsWith("Dimension 0 in both shapes must be "
                                    "equal, but are 2 and 5."));
  ExpectSessionStillRuns(sess);
}

TEST_F(SessionOptionsTest, AnUninitializedVariableOfUnknownShapeIsReported) {
  Variable v(constant<float>({1, 2}, {2}),
             {.validate_shape = false, .name = "v"});
  auto doubled = v.value() * constant(2.0f);
  Session sess(graph_);
  auto out = sess.run({doubled});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "Attempting to use uninitialized value v\n\t [[{{node v}}]]");
  ExpectSessionStillRuns(sess);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  out = sess.run({doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4));
}

}  // namespace
}  // namespace minitf
