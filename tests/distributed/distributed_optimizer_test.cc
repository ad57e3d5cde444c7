// DistributedOptimizer: N processes at batch 64 / N train the same weights
// as one process at batch 64 on the same examples; broadcast_global_variables
// first makes differently initialized processes start alike.
#include "minitf/distributed/distributed_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "minitf/distributed/hvd.h"
#include "minitf/minitf.h"

namespace minitf::hvd {
namespace {

constexpr int kExamples = 64;
constexpr int kSteps = 20;

// 64 deterministic 8x8 images and labels in [0, 10).
struct Examples {
  std::vector<float> images;
  std::vector<int32_t> labels;
};
Examples MakeExamples() {
  Examples e;
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(state >> 40) / static_cast<float>(1 << 24);
  };
  for (int i = 0; i < kExamples * 64; ++i) e.images.push_back(next());
  for (int i = 0; i < kExamples; ++i) {
    float sum = 0;
    for (int p = 0; p < 64; ++p) sum += e.images[i * 64 + p];
    e.labels.push_back(static_cast<int32_t>(sum * 7) % 10);
  }
  return e;
}

// Examples [first, first + count) as feeds.
std::pair<Tensor, Tensor> Slice(const Examples& e, int first, int count) {
  std::vector<float> images(e.images.begin() + first * 64,
                            e.images.begin() + (first + count) * 64);
  std::vector<int32_t> labels(e.labels.begin() + first,
                              e.labels.begin() + first + count);
  return {Tensor::FromVector(images, {count, 8, 8, 1}),
          Tensor::FromVector(labels, {count})};
}

// A small CNN trained kSteps Adam steps on one batch: conv 3x3x4 relu,
// dense 10, sparse softmax cross-entropy. Returns the trainable variables'
// values at the end. `distributed` wraps the optimizer and broadcasts rank
// 0's initial weights; `seed` is the graph seed.
struct Trained {
  std::vector<Tensor> weights;
  std::vector<std::string> op_types;
};
Trained Train(const std::pair<Tensor, Tensor>& batch, bool distributed,
              int64_t seed) {
  Graph graph;
  GraphGuard as_default(graph);
  set_random_seed(seed);
  auto images = placeholder(float32, {-1, 8, 8, 1}, "images");
  auto labels = placeholder(int32, {-1}, "labels");
  auto h = layers::conv2d(images, {.filters = 4,
                                   .kernel_size = 3,
                                   .padding = "same",
                                   .activation = nn::relu});
  auto logits = layers::dense(layers::flatten(h), {.units = 10});
  auto loss = losses::sparse_softmax_cross_entropy(labels, logits);
  train::AdamOptimizer adam(0.01);
  Operation train_op;
  Operation sync;
  if (distributed) {
    DistributedOptimizer optimizer(adam);
    EXPECT_EQ(optimizer.get_name(), "DistributedAdam");
    train_op = optimizer.minimize(loss);
    EXPECT_EQ(optimizer.get_slot_names(), (std::vector<std::string>{"m", "v"}));
    EXPECT_FALSE(optimizer.get_slot(trainable_variables()[0], "m").is_null());
    sync = broadcast_global_variables(0);
  } else {
    train_op = adam.minimize(loss);
  }
  Trained result;
  for (const auto& node : graph.nodes()) {
    result.op_types.push_back(node->type());
  }
  Session sess(graph);
  EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
  if (distributed) {
    EXPECT_TRUE(sess.run({}, {}, {sync}).ok());
  }
  const FeedDict feeds = {{images, batch.first}, {labels, batch.second}};
  for (int step = 0; step < kSteps; ++step) {
    auto out = sess.run(feeds, {loss}, {train_op});
    EXPECT_TRUE(out.ok()) << out.status();
  }
  std::vector<Output> values;
  for (const Variable& v : trainable_variables()) values.push_back(v.value());
  auto out = sess.run(values);
  EXPECT_TRUE(out.ok()) << out.status();
  if (out.ok()) result.weights = *out;
  return result;
}

TEST(DistributedOptimizerTest, ProcessesAtBatch64OverNTrainAsOneAtBatch64) {
  ASSERT_TRUE(init().ok());
  const int n = size();
  ASSERT_EQ(kExamples % n, 0);
  const Examples examples = MakeExamples();
  const int per_process = kExamples / n;
  // Each process starts from weights of its own (seed 7 + rank) until the
  // broadcast gives it rank 0's, which the reference (seed 7) starts from.
  const Trained distributed =
      Train(Slice(examples, rank() * per_process, per_process),
            /*distributed=*/true, 7 + rank());
  const Trained reference =
      Train(Slice(examples, 0, kExamples), /*distributed=*/false, 7);
  ASSERT_EQ(distributed.weights.size(), 4u);  // two kernels, two biases
  ASSERT_EQ(reference.weights.size(), 4u);
  for (size_t v = 0; v < reference.weights.size(); ++v) {
    auto got = distributed.weights[v].flat<float>();
    auto want = reference.weights[v].flat<float>();
    ASSERT_EQ(got.size(), want.size());
    float worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      worst = std::max(
          worst, std::abs(got[i] - want[i]) / (1e-3f + std::abs(want[i])));
    }
    EXPECT_LT(worst, 1e-3f) << "variable " << v;
  }
  // The distributed graph is the single-process one plus, with more than
  // one process, the fused allreduce of the gradients.
  const bool fused =
      std::count(distributed.op_types.begin(), distributed.op_types.end(),
                 "HorovodGroupedAllreduce") == 1;
  EXPECT_EQ(fused, n > 1);
}

TEST(DistributedOptimizerTest, GradientsAreAveragedInOneNamedFusedOp) {
  ASSERT_TRUE(init().ok());
  if (size() < 2) GTEST_SKIP() << "one process builds no allreduce";
  Graph graph;
  GraphGuard as_default(graph);
  Variable w(constant<float>({1, 2}, {2}), {.name = "w"});
  Variable unused(constant(3.0f), {.name = "unused"});
  auto loss = reduce_sum(w.value() * static_cast<float>(rank() + 1));
  train::GradientDescentOptimizer sgd(1.0);
  DistributedOptimizer optimizer(sgd, {.name = "Sync"});
  auto grads = optimizer.compute_gradients(loss);
  ASSERT_EQ(grads.size(), 2u);
  EXPECT_TRUE(grads[1].first.is_null());  // no gradient stays none
  EXPECT_EQ(grads[0].first.op().name(),
            "Sync_Allreduce/HorovodGroupedAllreduce_gradients_mul_grad_Mul_0");
  Session sess(graph);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({grads[0].first});
  ASSERT_TRUE(out.ok()) << out.status();
  const float mean = (size() + 1) / 2.0f;
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(mean, mean));
}

}  // namespace
}  // namespace minitf::hvd
