// allreduce, grouped_allreduce and broadcast: values, gradients, the
// steady state, and what processes that disagree see. Run alone and under
// `mpirun -np 2` (every case on every process, in lockstep).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "minitf/distributed/hvd.h"
#include "minitf/minitf.h"

namespace minitf::hvd {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

class CollectivesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init().ok());
    rank_ = rank();
    size_ = size();
  }
  // 1 + 2 + ... + size: the sum of (rank + 1) over the processes.
  float RankSum() const { return size_ * (size_ + 1) / 2.0f; }

  int rank_ = 0, size_ = 1;
  Graph graph_;
  GraphGuard as_default_{graph_};
};

TEST_F(CollectivesTest, AllreduceAveragesAndSums) {
  auto x = placeholder(float32, {-1, 2}, "x");
  auto mean = allreduce(x);
  auto sum = allreduce(x, {.average = false});
  EXPECT_EQ(mean.name(), "HorovodAllreduce_x_0:0");
  EXPECT_EQ(mean.op().node()->type(), "HorovodAllreduce");
  Session sess(graph_);
  const float r = static_cast<float>(rank_ + 1);
  auto out = sess.run(
      {{x, Tensor::FromVector<float>({r, 2 * r, -r, 0}, {2, 2})}}, {mean, sum});
  ASSERT_TRUE(out.ok()) << out.status();
  const float s = RankSum();
  EXPECT_THAT((*out)[0].flat<float>(),
              ElementsAre(s / size_, 2 * s / size_, -s / size_, 0));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(s, 2 * s, -s, 0));
}

TEST_F(CollectivesTest, GroupedAllreduceFusesDtypesAndEmptyTensors) {
  auto a = placeholder(float32, {3}, "a");
  auto b = placeholder(int64, {2}, "b");
  auto c = placeholder(float32, {0, 4}, "c");
  auto d = placeholder(int32, {}, "d");
  std::vector<Output> sums =
      grouped_allreduce({a, b, c, d}, {.average = false});
  ASSERT_EQ(sums.size(), 4u);
  EXPECT_EQ(sums[0].op().node()->type(), "HorovodGroupedAllreduce");
  EXPECT_EQ(sums[0].op().name(), "HorovodGroupedAllreduce_a_0");
  EXPECT_EQ(sums[1].dtype(), int64);
  EXPECT_EQ(sums[2].shape(), Shape({0, 4}));
  Session sess(graph_);
  const int r = rank_ + 1;
  const FeedDict feeds = {
      {a, Tensor::FromVector<float>({1.0f * r, 0.5f, -2.0f * r}, {3})},
      {b, Tensor::FromVector<int64_t>({int64_t{1} << 40, r}, {2})},
      {c, Tensor(float32, {0, 4})},
      {d, Tensor::Scalar(10 * r)}};
  // Three steps: the fusion buffer is reused, and each sees fresh inputs.
  for (int step = 0; step < 3; ++step) {
    auto out = sess.run(feeds, sums);
    ASSERT_TRUE(out.ok()) << out.status();
    const float s = RankSum();
    EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(s, 0.5f * size_, -2 * s));
    EXPECT_THAT(
        (*out)[1].flat<int64_t>(),
        ElementsAre(size_ * (int64_t{1} << 40), static_cast<int64_t>(s)));
    EXPECT_EQ((*out)[2].NumElements(), 0);
    EXPECT_EQ((*out)[3].scalar<int32_t>(), static_cast<int32_t>(10 * s));
  }
}

TEST_F(CollectivesTest, SteadyStateAllocatesOnlyTheFetchedTensors) {
  auto x = placeholder(float32, {1000}, "x");
  std::vector<Output> means = grouped_allreduce({x, x * 2.0f});
  Session sess(graph_);
  const FeedDict feeds = {{x, Tensor(float32, {1000})}};
  ASSERT_TRUE(sess.run(feeds, means).ok());  // compiles the plan
  const int64_t before = TensorBufferAllocations();
  ASSERT_TRUE(sess.run(feeds, means).ok());
  EXPECT_EQ(TensorBufferAllocations() - before, 2);  // the two clones
}

TEST_F(CollectivesTest, AllreduceGradientIsTheAllreduceOfTheGradient) {
  Variable x(constant<float>({1, 2, 3}, {3}), {.name = "x"});
  const float k = static_cast<float>(rank_ + 1);
  auto y = allreduce(x.value());
  auto loss = reduce_sum(y * constant<float>({k, 2 * k, 0}, {3}));
  auto grad = gradients({loss}, {x})[0];
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({grad});
  ASSERT_TRUE(out.ok()) << out.status();
  const float mean_k = RankSum() / size_;
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(mean_k, 2 * mean_k, 0));
}

TEST_F(CollectivesTest, AllreduceGradientMatchesFiniteDifferencesAlone) {
  if (size_ != 1) GTEST_SKIP() << "one process: allreduce is the identity";
  auto x = placeholder(float32, {2, 3}, "x");
  auto y = grouped_allreduce({x * x, x}, {.average = true});
  auto loss = reduce_sum(y[0] * 3.0f) + reduce_sum(y[1]);
  auto x0 = Tensor::FromVector<float>({0.5f, -1, 2, 0.25f, 3, -2}, {2, 3});
  Session sess(graph_);
  auto error = ComputeGradientError(sess, x, x0, loss);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 1e-2);
}

TEST_F(CollectivesTest, BroadcastGivesTheRootsValue) {
  const int root = size_ - 1;
  auto f = constant<float>({1.0f * rank_, 2}, {2});
  auto i = constant<int64_t>({rank_ * 7}, {1});
  auto b = constant(rank_ == root);
  auto bf = broadcast(f, root);
  auto bi = broadcast(i, root);
  auto bb = broadcast(b, root);
  EXPECT_EQ(bf.op().node()->type(), "HorovodBroadcast");
  Session sess(graph_);
  auto out = sess.run({bf, bi, bb});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1.0f * root, 2));
  EXPECT_THAT((*out)[1].flat<int64_t>(), ElementsAre(root * 7));
  EXPECT_TRUE((*out)[2].scalar<bool>());
}

TEST_F(CollectivesTest, BroadcastGradientIsTheSumOnTheRootAndZeroElsewhere) {
  Variable x(constant<float>({1, 2}, {2}), {.name = "x"});
  const float k = static_cast<float>(rank_ + 1);
  auto loss =
      reduce_sum(broadcast(x.value(), 0) * constant<float>({k, -k}, {2}));
  auto grad = gradients({loss}, {x})[0];
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({grad});
  ASSERT_TRUE(out.ok()) << out.status();
  const float s = rank_ == 0 ? RankSum() : 0.0f;
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(s, -s));
}

TEST_F(CollectivesTest, BroadcastGlobalVariablesMakesProcessesIdentical) {
  Variable w(constant<float>({1.0f + rank_, -1.0f * rank_}, {2}),
             {.name = "w"});
  Variable n(constant<int32_t>({rank_}, {1}), {.name = "n"});
  Operation sync = broadcast_global_variables(0);
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  ASSERT_TRUE(sess.run({}, {}, {sync}).ok());
  auto out = sess.run({w.value(), n.value()});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1.0f, -0.0f));
  EXPECT_THAT((*out)[1].flat<int32_t>(), ElementsAre(0));
}

TEST_F(CollectivesTest, MismatchedShapesAreAnErrorOnEveryProcess) {
  if (size_ < 2) GTEST_SKIP() << "needs two processes";
  auto x = zeros({2, 3 + rank_});
  auto y = allreduce(x, {.name = "y"});
  Session sess(graph_);
  auto out = sess.run({y});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("Mismatched collective across processes"));
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("rank 0 ran HorovodAllreduce 'y' (average) of "
                        "float32 [2,3]"));
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("rank 1 ran HorovodAllreduce 'y' (average) of "
                        "float32 [2,4]"));
  // The processes are still in step: a matching collective works.
  auto z = allreduce(constant(1.0f), {.average = false});
  auto ok = sess.run({z});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].scalar<float>(), static_cast<float>(size_));
}

TEST_F(CollectivesTest, DifferentCollectivesAreAnErrorOnEveryProcess) {
  if (size_ < 2) GTEST_SKIP() << "needs two processes";
  auto x = constant<int32_t>({1, 2}, {2});
  Output y = rank_ == 0 ? allreduce(x, {.average = false, .name = "c"})
                        : broadcast(x, 0, "c");
  Session sess(graph_);
  auto out = sess.run({y});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("rank 0 ran HorovodAllreduce 'c' (sum) of int32 [2]; "
                        "rank 1 ran HorovodBroadcast 'c' (root_rank 0) of "
                        "int32 [2]"));
}

TEST_F(CollectivesTest, LateProcessIsWaitedForWithAWarning) {
  if (size_ < 2) GTEST_SKIP() << "needs two processes";
  // ctest's mpirun sets HOROVOD_STALL_CHECK_TIME_SECONDS=5.
  const char* stall = std::getenv("HOROVOD_STALL_CHECK_TIME_SECONDS");
  if (stall == nullptr || std::string(stall) != "5") {
    GTEST_SKIP() << "needs HOROVOD_STALL_CHECK_TIME_SECONDS=5";
  }
  auto y = allreduce(constant(1.0f), {.average = false, .name = "late"});
  Session sess(graph_);
  if (rank_ == 1) std::this_thread::sleep_for(std::chrono::seconds(7));
  testing::internal::CaptureStderr();
  auto out = sess.run({y});
  const std::string log = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);
  if (rank_ == 0) {
    EXPECT_THAT(log, HasSubstr("rank 0 has waited"));
    EXPECT_THAT(log, HasSubstr("HorovodAllreduce 'late'"));
  }
}

TEST_F(CollectivesTest, BuildersRejectWhatHorovodCannotReduce) {
  try {
    allreduce(constant<int32_t>({1}, {1}));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), "TypeError");
    EXPECT_THAT(e.what(), HasSubstr("averaging needs float32, not int32"));
  }
  try {
    allreduce(constant(true), {.average = false});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), "TypeError");
    EXPECT_THAT(e.what(), HasSubstr("dtype bool is not supported"));
  }
  try {
    broadcast(constant(1.0f), size_);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), "ValueError");
    EXPECT_THAT(e.what(), HasSubstr("is not a rank of this job"));
  }
}

// Run by ctest only (MINITF_TEST_DEAD_PEER=1, under mpirun): rank 1 dies,
// rank 0 enters a collective. mpirun must stop the job and say why; the
// ctest case passes on mpirun's message, and its timeout catches a hang.
TEST(DeadPeerTest, SurvivorIsStoppedWithAMessage) {
  if (std::getenv("MINITF_TEST_DEAD_PEER") == nullptr) {
    GTEST_SKIP() << "run by ctest's distributed.dead_peer";
  }
  ASSERT_TRUE(init().ok());
  ASSERT_EQ(size(), 2);
  Graph graph;
  GraphGuard as_default(graph);
  auto y = allreduce(constant(1.0f));
  Session sess(graph);
  if (rank() == 1) std::_Exit(3);
  auto out = sess.run({y});
  ADD_FAILURE() << "rank 0 returned from the collective: " << out.status();
}

// Run by ctest only (MINITF_TEST_STALL_SHUTDOWN=1 and
// HOROVOD_STALL_SHUTDOWN_TIME_SECONDS=2, under mpirun): rank 1 never joins
// the collective, so rank 0 gives up with DeadlineExceeded, and every later
// collective of rank 0 fails at once. The job then ends without
// MPI_Finalize (a collective is still pending), so ctest passes the case on
// rank 0's closing line rather than on mpirun's exit code.
TEST(StallShutdownTest, AbandonedCollectiveLeavesTheProcessOutOfStep) {
  if (std::getenv("MINITF_TEST_STALL_SHUTDOWN") == nullptr) {
    GTEST_SKIP() << "run by ctest's distributed.stall_shutdown";
  }
  ASSERT_TRUE(init().ok());
  ASSERT_EQ(size(), 2);
  Graph graph;
  GraphGuard as_default(graph);
  auto y = allreduce(constant(1.0f), {.name = "abandoned"});
  Session sess(graph);
  if (rank() == 1) return;
  auto out = sess.run({y});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("rank 0 gave up waiting for HorovodAllreduce "
                        "'abandoned'"));
  auto again = sess.run({y});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.status().message()),
              HasSubstr("the processes are out of step"));
  if (!HasFailure()) std::cout << "rank 0 gave up and stayed out of step\n";
}

}  // namespace
}  // namespace minitf::hvd
