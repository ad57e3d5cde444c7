// Session::run from many threads on one Session: training steps and fetches
// hammered from 4 threads end with the values of a sequential run, runs of
// one plan execute in parallel, a run that assigns or updates a variable
// with use_locking excludes every other run touching it, initialization
// never shows a reader a half-made variable, variables kept blocked by one
// plan are converted safely for another, random streams are split without
// overlap, and kernels move between threads safely. CI runs this
// file under ThreadSanitizer (MINITF_TSAN), which must report nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "minitf/graph/execution_plan.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

constexpr int kThreads = 4;

// Runs body(t) on kThreads threads, t = 0..kThreads-1, and joins them.
void RunOnThreads(const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

// Test ops. "TestRendezvous" forwards its input after waiting (at most
// 20 s) until `parties` runs are inside it at once: a plan containing it
// can only succeed when its runs execute concurrently. "TestOverlapProbe"
// forwards its input and records how many runs were inside it at once.
struct Rendezvous {
  std::mutex mutex;
  std::condition_variable arrived;
  int waiting = 0;
  int parties = 0;
};
Rendezvous* rendezvous = nullptr;
std::atomic<int> probe_inside{0};
std::atomic<int> probe_max_inside{0};

class RendezvousKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    std::unique_lock<std::mutex> lock(rendezvous->mutex);
    ++rendezvous->waiting;
    rendezvous->arrived.notify_all();
    const bool met = rendezvous->arrived.wait_for(
        lock, std::chrono::seconds(20),
        [&] { return rendezvous->waiting >= rendezvous->parties; });
    if (!met) return absl::DeadlineExceededError("runs did not overlap");
    ctx.output(0) = ctx.input(0);
    return absl::OkStatus();
  }
};

class OverlapProbeKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    const int inside = ++probe_inside;
    int seen = probe_max_inside.load();
    while (inside > seen &&
           !probe_max_inside.compare_exchange_weak(seen, inside)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --probe_inside;
    ctx.output(0) = ctx.input(0);
    return absl::OkStatus();
  }
};

void RegisterTestOps() {
  static std::once_flag once;
  std::call_once(once, [] {
    EnsureOpsRegistered();
    auto forward_shape = [](ShapeContext& ctx) {
      ctx.add_output(ctx.input_dtype(0), ctx.input_shape(0));
      return absl::OkStatus();
    };
    RegisterOp({.type = "TestRendezvous",
                .num_inputs = 1,
                .shape_fn = forward_shape,
                .kernel = MakeKernel<RendezvousKernel>,
                .differentiable = false,
                .forwards_outputs = true,
                .is_stateful = true});
    RegisterOp({.type = "TestOverlapProbe",
                .num_inputs = 1,
                .shape_fn = forward_shape,
                .kernel = MakeKernel<OverlapProbeKernel>,
                .differentiable = false,
                .forwards_outputs = true,
                .is_stateful = true});
  });
}

Output TestOp(const char* type, Output input) {
  RegisterTestOps();
  return OpBuilder(type, type).Input(input).Build();
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

// The acceptance hammer: 4 threads share one Session. Each runs training
// steps (a two-layer net under Momentum with use_locking, plus use_locking
// counters) fetching the loss, and between steps reads the variables in
// runs of their own. Every thread feeds the same batch, so each step is the
// same function of the variables: as runs that update them are exclusive,
// any order of the 4000 steps ends where 4000 sequential steps do, bit for
// bit. Reads always see a state between two steps (the counters agree).
TEST_F(ConcurrencyTest, HammeredTrainingEndsWithTheSequentialValues) {
  constexpr int kStepsPerThread = 1000;
  auto x = placeholder(float32, {8, 4}, "x");
  auto labels = placeholder(float32, {8, 2}, "labels");
  Variable w1(constant<float>({0.3f, -0.2f, 0.1f, 0.4f, -0.1f, 0.2f, 0.05f,
                               -0.3f, 0.25f, 0.15f, -0.05f, 0.35f},
                              {4, 3}),
              {.name = "w1"});
  Variable b1(constant<float>({0.01f, -0.02f, 0.03f}, {3}), {.name = "b1"});
  Variable w2(constant<float>({0.2f, -0.4f, 0.3f, 0.1f, -0.2f, 0.5f}, {3, 2}),
              {.name = "w2"});
  Variable steps(constant<int32_t>({0}, {}),
                 {.trainable = false, .name = "steps"});
  Variable twice(constant<int32_t>({0}, {}),
                 {.trainable = false, .name = "twice"});
  auto hidden = nn::relu(matmul(x, w1) + b1);
  auto loss = reduce_mean(square(matmul(hidden, w2) - labels));
  train::MomentumOptimizer opt(0.01, 0.9, {.use_locking = true});
  Operation train_op =
      group({opt.minimize(loss),
             assign_add(steps.ref(), constant<int32_t>({1}, {}),
                        {.use_locking = true})
                 .op(),
             assign_add(twice.ref(), constant<int32_t>({2}, {}),
                        {.use_locking = true})
                 .op()});

  std::vector<float> xs(32), ys(16);
  for (int i = 0; i < 32; ++i) xs[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  for (int i = 0; i < 16; ++i) ys[i] = i % 3 == 0 ? 1.0f : -0.5f;
  const FeedDict feeds = {{x, Tensor::FromVector(xs, {8, 4})},
                          {labels, Tensor::FromVector(ys, {8, 2})}};
  const std::vector<Output> state = {w1, b1, w2, steps, twice};

  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    int last_steps = 0;
    for (int i = 0; i < kStepsPerThread; ++i) {
      auto step = sess.run(feeds, {loss}, {train_op});
      if (!step.ok() || !std::isfinite((*step)[0].scalar<float>())) {
        ++failures;
        return;
      }
      if (i % 4 != 0) continue;
      auto read = sess.run(state);
      if (!read.ok()) {
        ++failures;
        return;
      }
      const int n = (*read)[3].scalar<int32_t>();
      // Never torn between the two counters; never going back in time.
      if ((*read)[4].scalar<int32_t>() != 2 * n || n < last_steps) ++failures;
      last_steps = n;
    }
  });
  ASSERT_EQ(failures.load(), 0);

  Session sequential(graph_);
  ASSERT_TRUE(sequential.run(global_variables_initializer()).ok());
  for (int i = 0; i < kThreads * kStepsPerThread; ++i) {
    ASSERT_TRUE(sequential.run(feeds, {}, {train_op}).ok());
  }
  auto hammered = sess.run(state);
  auto expected = sequential.run(state);
  ASSERT_TRUE(hammered.ok() && expected.ok());
  EXPECT_EQ((*hammered)[3].scalar<int32_t>(), kThreads * kStepsPerThread);
  EXPECT_EQ((*hammered)[4].scalar<int32_t>(), 2 * kThreads * kStepsPerThread);
  for (int v = 0; v < 3; ++v) {
    EXPECT_THAT((*hammered)[v].flat<float>(),
                ::testing::ElementsAreArray((*expected)[v].flat<float>()))
        << state[v].name();
  }
  // Training moved the weights: the comparison is not of initial values.
  EXPECT_NE((*expected)[0].flat<float>()[0], 0.3f);
}

// Runs of one plan execute at once, each on its own instance: two runs
// meet inside a kernel, which a serialized plan could never do. They read
// a variable, which they share.
TEST_F(ConcurrencyTest, RunsOfOnePlanExecuteConcurrently) {
  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
  auto met = TestOp("TestRendezvous", v.value() * constant(2.0f));
  Rendezvous meeting;
  meeting.parties = kThreads;
  rendezvous = &meeting;
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  std::vector<absl::Status> statuses(kThreads);
  std::vector<std::vector<float>> values(kThreads);
  RunOnThreads([&](int t) {
    auto out = sess.run({met});
    statuses[t] = out.status();
    if (out.ok()) {
      auto flat = (*out)[0].flat<float>();
      values[t].assign(flat.begin(), flat.end());
    }
  });
  rendezvous = nullptr;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(statuses[t].ok()) << statuses[t];
    EXPECT_THAT(values[t], ::testing::ElementsAre(2, 4));
  }
  EXPECT_EQ(sess.num_compiled_plans(), 2);  // the initializer, `met`
}

// A plan makes instances only while all it has are busy: 4 runs at once
// make 4, later runs reuse them, and a plan run by one thread at a time
// keeps one.
TEST_F(ConcurrencyTest, PlansMakeInstancesOnlyForRunsInFlight) {
  auto x = placeholder(float32, {2}, "x");
  auto met = TestOp("TestRendezvous", x + constant(1.0f));
  auto plain = x * constant(3.0f);
  const FeedDict feeds = {{x, Tensor::FromVector<float>({1, 2}, {2})}};
  const ExecutionPlan::SessionResources resources{
      .variable = [](const Node&) -> VariableSlot* { return nullptr; },
      .node_state = [](const Node&) -> std::shared_ptr<void>* {
        return nullptr;
      }};
  auto meeting_plan = ExecutionPlan::Compile(feeds, {met}, {}, resources);
  auto plain_plan = ExecutionPlan::Compile(feeds, {plain}, {}, resources);
  ASSERT_TRUE(meeting_plan.ok() && plain_plan.ok());
  Rendezvous meeting;
  meeting.parties = kThreads;
  rendezvous = &meeting;
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    if (!(*meeting_plan)->Run(feeds).ok()) ++failures;
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*meeting_plan)->num_instances(), kThreads);
  meeting.parties = 1;  // alone from now on
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*meeting_plan)->Run(feeds).ok());
    ASSERT_TRUE((*plain_plan)->Run(feeds).ok());
  }
  rendezvous = nullptr;
  EXPECT_EQ((*meeting_plan)->num_instances(), kThreads);
  EXPECT_EQ((*plain_plan)->num_instances(), 1);
}

// TF's use_locking attribute on AssignAdd / AssignSub (default false);
// Assign always holds its variable exclusively.
TEST_F(ConcurrencyTest, UpdatesCarryUseLocking) {
  auto v = VariableOp(float32, {2}, "v");
  auto delta = constant<float>({1, 1}, {2});
  EXPECT_FALSE(assign_add(v, delta).node()->attr<bool>("use_locking"));
  EXPECT_TRUE(assign_add(v, delta, {.use_locking = true})
                  .node()
                  ->attr<bool>("use_locking"));
  EXPECT_TRUE(assign_sub(v, delta, {.use_locking = true, .name = "down"})
                  .node()
                  ->attr<bool>("use_locking"));
  EXPECT_EQ(assign_sub(v, delta, {.name = "down"}).node()->name(), "down_1");
  EXPECT_TRUE(LookupOp("Assign")->exclusive_refs);
  EXPECT_FALSE(LookupOp("AssignAdd")->exclusive_refs);
}

// A run updating a variable with use_locking holds it exclusively: runs
// that touch it never overlap one another, so none of the updates is lost.
TEST_F(ConcurrencyTest, UseLockingRunsOfOneVariableDoNotOverlap) {
  Variable v(constant<int32_t>({0}, {}), {.trainable = false, .name = "v"});
  auto update =
      assign_add(v.ref(), constant<int32_t>({1}, {}), {.use_locking = true});
  auto probed = TestOp("TestOverlapProbe", update);
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  probe_max_inside = 0;
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    for (int i = 0; i < 50; ++i) {
      if (!sess.run({probed}).ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(probe_max_inside.load(), 1);
  auto out = sess.run({v});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].scalar<int32_t>(), kThreads * 50);
}

// The first assignment makes the variable's buffer. Readers racing it see
// either TF's uninitialized error or the whole initial value.
TEST_F(ConcurrencyTest, InitializationNeverShowsAHalfMadeVariable) {
  std::vector<float> initial(256);
  for (int i = 0; i < 256; ++i) initial[i] = static_cast<float>(i) + 0.5f;
  Variable v(constant<float>(initial, {256}), {.name = "v"});
  auto doubled = v.value() * constant(2.0f);
  Operation init = global_variables_initializer();
  for (int trial = 0; trial < 20; ++trial) {
    Session sess(graph_);
    std::atomic<int> failures{0};
    RunOnThreads([&](int t) {
      if (t == 0) {
        if (!sess.run(init).ok()) ++failures;
        return;
      }
      for (;;) {
        auto out = sess.run({v, doubled});
        if (!out.ok()) {
          if (out.status().code() != absl::StatusCode::kFailedPrecondition ||
              out.status().message().find(
                  "Attempting to use uninitialized value v") ==
                  absl::string_view::npos) {
            ++failures;
            return;
          }
          continue;
        }
        auto value = (*out)[0].flat<float>();
        auto twice = (*out)[1].flat<float>();
        for (int i = 0; i < 256; ++i) {
          if (value[i] != initial[i] || twice[i] != 2 * initial[i]) {
            ++failures;
            return;
          }
        }
        return;
      }
    });
    ASSERT_EQ(failures.load(), 0) << "trial " << trial;
  }
}

// TF keeps one stream per random op per Session. Runs from 4 threads draw
// disjoint stretches of each: together they drew exactly what as many
// sequential runs draw, each run one sequential run's values. (Runs may
// take their stretches of two ops' streams in different orders, so each op
// is compared on its own.)
TEST_F(ConcurrencyTest, RandomStreamsSplitWithoutOverlap) {
  constexpr int kRunsPerThread = 100;
  auto uniform = random_uniform({7}, {.seed = 3});
  auto normal = random_normal({5}, {.seed = 4});
  auto mask =
      nn::dropout(constant<float>({1}, {16}), {.seed = 5, .rate = 0.5f});
  const std::vector<Output> fetches = {uniform, normal, mask};
  using Draws = std::vector<std::vector<std::vector<float>>>;  // [op][run]
  auto record = [](const std::vector<Tensor>& out, Draws& draws) {
    for (size_t op = 0; op < out.size(); ++op) {
      auto flat = out[op].flat<float>();
      draws[op].emplace_back(flat.begin(), flat.end());
    }
  };

  Session sess(graph_);
  std::mutex mutex;
  Draws drawn(fetches.size());
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    for (int i = 0; i < kRunsPerThread; ++i) {
      auto out = sess.run(fetches);
      if (!out.ok()) {
        ++failures;
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      record(*out, drawn);
    }
  });
  ASSERT_EQ(failures.load(), 0);

  Session sequential(graph_);
  Draws expected(fetches.size());
  for (int i = 0; i < kThreads * kRunsPerThread; ++i) {
    auto out = sequential.run(fetches);
    ASSERT_TRUE(out.ok());
    record(*out, expected);
  }
  for (size_t op = 0; op < fetches.size(); ++op) {
    std::sort(drawn[op].begin(), drawn[op].end());
    std::sort(expected[op].begin(), expected[op].end());
    EXPECT_EQ(drawn[op], expected[op]) << fetches[op].name();
  }
  // Distinct runs drew distinct values.
  EXPECT_EQ(std::adjacent_find(expected[0].begin(), expected[0].end()),
            expected[0].end());
}

// Threads that first run a signature at the same moment compile it once.
TEST_F(ConcurrencyTest, ASignatureCompilesOnce) {
  auto x = placeholder(float32, {3}, "x");
  auto y = x * x + constant(1.0f);
  Session sess(graph_);
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  RunOnThreads([&](int t) {
    ++ready;
    while (ready.load() < kThreads) std::this_thread::yield();
    const float base = static_cast<float>(t);
    auto out =
        sess.run({{x, Tensor::FromVector<float>({base, 1, 2}, {3})}}, {y});
    if (!out.ok() || (*out)[0].flat<float>()[0] != base * base + 1) ++failures;
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(sess.num_compiled_plans(), 1);
}

// Plan instances move between threads, and with them their oneDNN
// primitives: the filter gradient of this small 3-D convolution runs on
// oneDNN's GEMM implementation, whose library-managed scratchpad would
// belong to the thread that created it. Compiled here, run on 4 others at
// once, it gives this thread's result everywhere.
TEST_F(ConcurrencyTest, ConvolutionKernelsRunOnAnyThread) {
  auto input = placeholder(float32, {2, 5, 5, 5, 3}, "input");
  Variable filter(random_uniform({2, 2, 2, 3, 2}, {.seed = 1}),
                  {.name = "filter"});
  auto y = nn::conv3d(input, filter,
                      {.strides = {1, 1, 1, 1, 1},
                       .padding = "SAME",
                       .dilations = {1, 2, 2, 2, 1}});
  auto grads = gradients({reduce_sum(y * y)}, {filter});
  std::vector<float> xs(2 * 5 * 5 * 5 * 3);
  for (size_t i = 0; i < xs.size(); ++i)
    xs[i] = 0.01f * static_cast<float>(i % 17) - 0.08f;
  const FeedDict feeds = {{input, Tensor::FromVector(xs, {2, 5, 5, 5, 3})}};

  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto here = sess.run(feeds, {grads[0]});
  ASSERT_TRUE(here.ok()) << here.status();
  std::vector<float> expected((*here)[0].flat<float>().begin(),
                              (*here)[0].flat<float>().end());
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    for (int i = 0; i < 20; ++i) {
      auto out = sess.run(feeds, {grads[0]});
      if (!out.ok()) {
        ++failures;
        return;
      }
      auto flat = (*out)[0].flat<float>();
      if (!std::equal(flat.begin(), flat.end(), expected.begin())) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
}

// Dense kernels the layout optimizer keeps blocked in the training plan,
// read row-major by a fetch plan between steps: each switch converts them
// under exclusive locks, so 4 threads alternating the two end where the
// same steps run one after another do, and every read is a state between
// two steps.
TEST_F(ConcurrencyTest, BlockedWeightsConvertBetweenConcurrentPlans) {
  constexpr int kStepsPerThread = 25;
  auto x = placeholder(float32, {16, 64}, "x");
  auto labels = placeholder(float32, {16, 64}, "labels");
  std::vector<float> w1s(64 * 128), w2s(128 * 64), xs(16 * 64), ys(16 * 64);
  for (size_t i = 0; i < w1s.size(); ++i)
    w1s[i] = 0.01f * static_cast<float>(static_cast<int>(i % 13) - 6);
  for (size_t i = 0; i < w2s.size(); ++i)
    w2s[i] = 0.01f * static_cast<float>(static_cast<int>(i % 11) - 5);
  for (size_t i = 0; i < xs.size(); ++i)
    xs[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  for (size_t i = 0; i < ys.size(); ++i) ys[i] = i % 3 == 0 ? 1.0f : -0.5f;
  Variable w1(constant<float>(w1s, {64, 128}), {.name = "w1"});
  Variable w2(constant<float>(w2s, {128, 64}), {.name = "w2"});
  Variable steps(constant<int32_t>({0}, {}),
                 {.trainable = false, .name = "steps"});
  auto loss = reduce_mean(square(matmul(nn::relu(matmul(x, w1)), w2) - labels));
  train::MomentumOptimizer opt(0.01, 0.9, {.use_locking = true});
  Operation train_op = group(
      {opt.minimize(loss), assign_add(steps.ref(), constant<int32_t>({1}, {}),
                                      {.use_locking = true})
                               .op()});
  const FeedDict feeds = {{x, Tensor::FromVector(xs, {16, 64})},
                          {labels, Tensor::FromVector(ys, {16, 64})}};
  const std::vector<Output> state = {w1, w2, steps};

  // Both plans compile (and print) before the threads start.
  Session sess(graph_, {.log_compiled_plans = true});
  std::ostringstream dump;
  std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
  const bool compiled = sess.run(global_variables_initializer()).ok() &&
                        sess.run(feeds, {loss}, {train_op}).ok() &&
                        sess.run(state).ok();
  std::clog.rdbuf(clog);
  ASSERT_TRUE(compiled);
  EXPECT_THAT(dump.str(),
              ::testing::HasSubstr("variables kept blocked: w1 in "));
  std::atomic<int> failures{0};
  RunOnThreads([&](int) {
    for (int i = 0; i < kStepsPerThread; ++i) {
      auto step = sess.run(feeds, {loss}, {train_op});
      auto read = sess.run(state);
      if (!step.ok() || !read.ok() ||
          !std::isfinite((*step)[0].scalar<float>()) ||
          !std::isfinite((*read)[0].flat<float>()[0])) {
        ++failures;
        return;
      }
    }
  });
  ASSERT_EQ(failures.load(), 0);

  Session sequential(graph_);
  ASSERT_TRUE(sequential.run(global_variables_initializer()).ok());
  constexpr int kSteps = 1 + kThreads * kStepsPerThread;
  for (int i = 0; i < kSteps; ++i) {
    ASSERT_TRUE(sequential.run(feeds, {}, {train_op}).ok());
  }
  auto hammered = sess.run(state);
  auto expected = sequential.run(state);
  ASSERT_TRUE(hammered.ok() && expected.ok());
  EXPECT_EQ((*hammered)[2].scalar<int32_t>(), kSteps);
  for (int v = 0; v < 2; ++v) {
    const auto h = (*hammered)[v].flat<float>(),
               e = (*expected)[v].flat<float>();
    ASSERT_EQ(h.size(), e.size());
    for (size_t i = 0; i < h.size(); ++i) {
      // oneDNN may split a reduction by the caller's OpenMP team.
      ASSERT_NEAR(h[i], e[i], 1e-5f) << state[v].name() << "[" << i << "]";
    }
  }
  EXPECT_NE((*expected)[0].flat<float>()[0], w1s[0]);  // it trained
}

}  // namespace
}  // namespace minitf
