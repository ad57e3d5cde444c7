// Batcher: epochs of shuffled mini-batches over examples held in tensors
// (images and labels sharing their first dimension), copied into tensors the
// Batcher preallocates, so a training loop allocates nothing per batch.
//
//   auto batcher = tf::data::Batcher::Create(ds->train.images,
//       ds->train.labels, {.batch_size = 64, .seed = 42});
//   for (int epoch = 0; epoch < epochs; ++epoch) {
//     batcher->StartEpoch(epoch);
//     while (std::optional<tf::data::Batch> b = batcher->Next()) {
//       sess.run({{x, b->images}, {y, b->labels}}, {loss}, {train_op});
//     }
//   }
//
// Shuffling is a Fisher-Yates permutation drawn from (seed, epoch) with a
// generator fixed here (SplitMix64), so an epoch's order is the same on
// every platform and every run. For data-parallel training each of
// `num_shards` processes creates a Batcher with the same seed and its own
// `shard_index`: every epoch, all draw the same permutation of the N examples
// and shard r takes its elements r, r + num_shards, r + 2 num_shards, ...
// The shards are disjoint and equal in size, floor(N / num_shards), so all
// processes run the same number of steps; the N mod num_shards examples left
// over change from epoch to epoch when shuffling.
//
// Thread-compatible: one thread drives a Batcher.
#ifndef MINITF_DATA_BATCHER_H_
#define MINITF_DATA_BATCHER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "minitf/core/tensor.h"

namespace minitf::data {

struct BatcherOptions {
  // Examples per batch. REQUIRES: > 0.
  int64_t batch_size = 32;
  // Reorder the examples every epoch; false keeps the order of the data.
  bool shuffle = true;
  // The permutation of epoch e depends on (seed, e) only.
  uint64_t seed = 0;
  // Drop the last batch of an epoch when it is smaller than batch_size
  // (tf.data's drop_remainder); false yields it, smaller.
  bool drop_remainder = false;
  // This process's shard and the number of shards (data parallelism).
  // REQUIRES: 0 <= shard_index < num_shards.
  int shard_index = 0;
  int num_shards = 1;
};

// One batch: views of the Batcher's tensors, overwritten by the next call of
// Next(). `images` is [size, ...] and `labels` is [size, ...].
struct Batch {
  Tensor images;
  Tensor labels;
  int64_t size = 0;
};

class Batcher {
 public:
  // Returns InvalidArgument when the tensors are empty handles, have rank 0,
  // disagree on their first dimension, or the options are out of range.
  // The Batcher shares the tensors' buffers (no copy of the data set).
  [[nodiscard]] static absl::StatusOr<Batcher> Create(
      Tensor images, Tensor labels, const BatcherOptions& options = {});
  // Move-only: a copy would share the batch buffers with the original.
  Batcher(Batcher&&) = default;
  Batcher& operator=(Batcher&&) = default;
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Starts epoch `epoch` (any order; epochs are independent): the position
  // goes back to the first batch and the permutation of the epoch is drawn.
  // Next() before any StartEpoch() serves epoch 0.
  void StartEpoch(int64_t epoch);
  // Returns the next batch of the current epoch, or nullopt after its last.
  std::optional<Batch> Next();

  // The number of examples of this shard per epoch.
  int64_t num_examples() const { return shard_size_; }
  // The number of batches Next() yields per epoch.
  int64_t batches_per_epoch() const;
  int64_t epoch() const { return epoch_; }
  const BatcherOptions& options() const { return options_; }

 private:
  Batcher(Tensor images, Tensor labels, const BatcherOptions& options);
  Batch Fill(Tensor& images, Tensor& labels, int64_t size);

  Tensor images_;
  Tensor labels_;
  BatcherOptions options_;
  int64_t shard_size_ = 0;
  size_t image_bytes_ = 0;  // bytes of one example of each tensor
  size_t label_bytes_ = 0;
  // Preallocated destinations: full batches and the last, smaller one.
  Tensor batch_images_, batch_labels_;
  Tensor last_images_, last_labels_;
  std::vector<int64_t> permutation_;  // of all N examples
  int64_t epoch_ = 0;
  int64_t position_ = 0;  // index of the next example in this shard
};

// Returns the permutation of [0, n) that epoch `epoch` of a Batcher with
// `seed` uses: the same on every platform.
std::vector<int64_t> EpochPermutation(int64_t n, uint64_t seed, int64_t epoch);

}  // namespace minitf::data

#endif  // MINITF_DATA_BATCHER_H_
