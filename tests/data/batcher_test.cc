#include "minitf/data/batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "absl/status/status.h"

namespace minitf::data {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// n examples: image i is [2] floats {i, -i}; label i is i.
struct Examples {
  Tensor images;
  Tensor labels;
};
Examples MakeExamples(int64_t n) {
  Examples e{Tensor(float32, Shape({n, 2})), Tensor(int32, Shape({n}))};
  for (int64_t i = 0; i < n; ++i) {
    e.images.flat<float>()[2 * i] = static_cast<float>(i);
    e.images.flat<float>()[2 * i + 1] = -static_cast<float>(i);
    e.labels.flat<int32_t>()[i] = static_cast<int32_t>(i);
  }
  return e;
}

// The labels of one epoch's batches, checking each image matches its label.
std::vector<std::vector<int32_t>> Epoch(Batcher& b, int64_t epoch) {
  b.StartEpoch(epoch);
  std::vector<std::vector<int32_t>> batches;
  while (std::optional<Batch> batch = b.Next()) {
    EXPECT_EQ(batch->images.shape().dim(0), batch->size);
    EXPECT_EQ(batch->labels.shape(), Shape({batch->size}));
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < batch->size; ++i) {
      const int32_t label = batch->labels.flat<int32_t>()[i];
      EXPECT_EQ(batch->images.flat<float>()[2 * i], float(label));
      EXPECT_EQ(batch->images.flat<float>()[2 * i + 1], -float(label));
      labels.push_back(label);
    }
    batches.push_back(labels);
  }
  return batches;
}

std::vector<int32_t> Flatten(const std::vector<std::vector<int32_t>>& b) {
  std::vector<int32_t> out;
  for (const auto& v : b) out.insert(out.end(), v.begin(), v.end());
  return out;
}

TEST(BatcherTest, UnshuffledKeepsOrderAndTheLastPartialBatch) {
  Examples e = MakeExamples(7);
  auto b =
      Batcher::Create(e.images, e.labels, {.batch_size = 3, .shuffle = false});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->num_examples(), 7);
  EXPECT_EQ(b->batches_per_epoch(), 3);
  EXPECT_THAT(Epoch(*b, 0), ElementsAre(ElementsAre(0, 1, 2),
                                        ElementsAre(3, 4, 5), ElementsAre(6)));
  // Next() stays at the end until the next epoch starts.
  EXPECT_FALSE(b->Next().has_value());
}

TEST(BatcherTest, DropRemainder) {
  Examples e = MakeExamples(7);
  auto b = Batcher::Create(
      e.images, e.labels,
      {.batch_size = 3, .shuffle = false, .drop_remainder = true});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->batches_per_epoch(), 2);
  EXPECT_THAT(Epoch(*b, 0),
              ElementsAre(ElementsAre(0, 1, 2), ElementsAre(3, 4, 5)));
  auto small = Batcher::Create(e.images, e.labels,
                               {.batch_size = 8, .drop_remainder = true});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->batches_per_epoch(), 0);
  EXPECT_TRUE(Epoch(*small, 0).empty());
}

TEST(BatcherTest, ShuffledEpochIsAPermutationFixedBySeedAndEpoch) {
  Examples e = MakeExamples(100);
  auto a = Batcher::Create(e.images, e.labels, {.batch_size = 16, .seed = 5});
  auto b = Batcher::Create(e.images, e.labels, {.batch_size = 16, .seed = 5});
  auto c = Batcher::Create(e.images, e.labels, {.batch_size = 16, .seed = 6});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  std::vector<int32_t> epoch0 = Flatten(Epoch(*a, 0));
  std::vector<int32_t> sorted = epoch0;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int32_t> all(100);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all);
  EXPECT_NE(epoch0, all);
  EXPECT_EQ(Flatten(Epoch(*b, 0)), epoch0);
  EXPECT_NE(Flatten(Epoch(*c, 0)), epoch0);
  std::vector<int32_t> epoch1 = Flatten(Epoch(*a, 1));
  EXPECT_NE(epoch1, epoch0);
  // Epochs are independent of the order they are visited in.
  EXPECT_EQ(Flatten(Epoch(*b, 1)), epoch1);
  EXPECT_EQ(Flatten(Epoch(*a, 0)), epoch0);
  EXPECT_THAT(epoch0, ElementsAreArray(EpochPermutation(100, 5, 0)));
}

// The permutation is pinned (the values come from an independent Python
// transcription of SplitMix64, Lemire's bounded draw and Fisher-Yates): a
// change of generator would silently change every training run's order.
TEST(BatcherTest, PermutationIsPinned) {
  EXPECT_THAT(EpochPermutation(8, 42, 3), ElementsAre(6, 3, 4, 5, 0, 1, 7, 2));
  EXPECT_THAT(EpochPermutation(10, 0, 0),
              ElementsAre(1, 2, 5, 7, 0, 8, 4, 3, 9, 6));
}

TEST(BatcherTest, ShardsAreDisjointEqualAndReshuffledPerEpoch) {
  Examples e = MakeExamples(103);
  const int shards = 4;
  std::vector<Batcher> batchers;
  for (int r = 0; r < shards; ++r) {
    auto b = Batcher::Create(
        e.images, e.labels,
        {.batch_size = 10, .seed = 9, .shard_index = r, .num_shards = shards});
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->num_examples(), 25);
    EXPECT_EQ(b->batches_per_epoch(), 3);
    batchers.push_back(*std::move(b));
  }
  std::vector<std::set<int32_t>> previous(shards);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    std::set<int32_t> seen;
    for (int r = 0; r < shards; ++r) {
      std::vector<int32_t> shard = Flatten(Epoch(batchers[r], epoch));
      EXPECT_EQ(shard.size(), 25u);
      for (int32_t label : shard) EXPECT_TRUE(seen.insert(label).second);
      std::set<int32_t> now(shard.begin(), shard.end());
      if (epoch > 0) {
        EXPECT_NE(now, previous[r]);
      }
      previous[r] = now;
    }
    EXPECT_EQ(seen.size(), 100u);  // 3 of 103 left over this epoch
  }
}

TEST(BatcherTest, NextAllocatesNoTensorBuffers) {
  Examples e = MakeExamples(50);
  auto b = Batcher::Create(e.images, e.labels, {.batch_size = 8});
  ASSERT_TRUE(b.ok());
  const int64_t before = TensorBufferAllocations();
  int batches = 0;
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    b->StartEpoch(epoch);
    while (std::optional<Batch> batch = b->Next()) ++batches;
  }
  EXPECT_EQ(batches, 3 * 7);
  EXPECT_EQ(TensorBufferAllocations(), before);
}

TEST(BatcherTest, InvalidArguments) {
  Examples e = MakeExamples(4);
  EXPECT_EQ(Batcher::Create(e.images, Tensor(int32, Shape({3}))).status(),
            absl::InvalidArgumentError(
                "Batcher: images and labels disagree on the number of "
                "examples: shapes [4,2] and [3]"));
  EXPECT_EQ(Batcher::Create(e.images, e.labels, {.batch_size = 0}).status(),
            absl::InvalidArgumentError(
                "Batcher: batch_size must be positive, got 0"));
  EXPECT_EQ(
      Batcher::Create(e.images, e.labels, {.shard_index = 2, .num_shards = 2})
          .status(),
      absl::InvalidArgumentError("Batcher: shard_index must be in [0, "
                                 "num_shards); got shard_index 2 and "
                                 "num_shards 2"));
  EXPECT_EQ(Batcher::Create(Tensor(), e.labels).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Batcher::Create(Tensor::Scalar(1.0f), e.labels).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace minitf::data
