#include "minitf/data/batcher.h"

#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace minitf::data {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fully specified, and good
// enough for shuffling; <random>'s distributions are implementation-defined,
// which would make the order differ between standard libraries.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) without modulo bias (Lemire 2019).
  uint64_t Below(uint64_t bound) {
    unsigned __int128 m = static_cast<unsigned __int128>((*this)()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = -bound % bound;
      while (low < threshold) {
        m = static_cast<unsigned __int128>((*this)()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

 private:
  uint64_t state_;
};

// Fills `out` with the permutation of epoch `epoch`; allocates nothing.
void FillPermutation(uint64_t seed, int64_t epoch, std::vector<int64_t>& out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>(i);
  // Mixing the epoch through one SplitMix64 step decorrelates the streams
  // of consecutive epochs.
  SplitMix64 rng(seed ^ SplitMix64(static_cast<uint64_t>(epoch))());
  for (size_t i = out.size(); i > 1; --i) {
    std::swap(out[i - 1], out[rng.Below(i)]);
  }
}

// [rows, dims of `t` after the first...].
Shape WithFirstDim(const Shape& shape, int64_t rows) {
  Shape out = shape;
  out.set_dim(0, rows);
  return out;
}

}  // namespace

std::vector<int64_t> EpochPermutation(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> out(n);
  FillPermutation(seed, epoch, out);
  return out;
}

absl::StatusOr<Batcher> Batcher::Create(Tensor images, Tensor labels,
                                        const BatcherOptions& options) {
  if (!images.IsInitialized() || !labels.IsInitialized()) {
    return absl::InvalidArgumentError(
        "Batcher: images and labels must be tensors with data");
  }
  if (images.shape().rank() < 1 || labels.shape().rank() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Batcher: images and labels need a first (example) dimension; got "
        "shapes ",
        images.shape().DebugString(), " and ", labels.shape().DebugString()));
  }
  if (images.shape().dim(0) != labels.shape().dim(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Batcher: images and labels disagree on the number of examples: "
        "shapes ",
        images.shape().DebugString(), " and ", labels.shape().DebugString()));
  }
  if (options.batch_size <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Batcher: batch_size must be positive, got ", options.batch_size));
  }
  if (options.num_shards <= 0 || options.shard_index < 0 ||
      options.shard_index >= options.num_shards) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Batcher: shard_index must be in [0, num_shards); got shard_index ",
        options.shard_index, " and num_shards ", options.num_shards));
  }
  return Batcher(std::move(images), std::move(labels), options);
}

Batcher::Batcher(Tensor images, Tensor labels, const BatcherOptions& options)
    : images_(std::move(images)),
      labels_(std::move(labels)),
      options_(options),
      permutation_(images_.shape().dim(0)) {
  const int64_t n = images_.shape().dim(0);
  shard_size_ = n / options_.num_shards;
  image_bytes_ = n == 0 ? 0 : images_.TotalBytes() / n;
  label_bytes_ = n == 0 ? 0 : labels_.TotalBytes() / n;
  if (shard_size_ >= options_.batch_size) {
    batch_images_ = Tensor(images_.dtype(),
                           WithFirstDim(images_.shape(), options_.batch_size));
    batch_labels_ = Tensor(labels_.dtype(),
                           WithFirstDim(labels_.shape(), options_.batch_size));
  }
  const int64_t last = shard_size_ % options_.batch_size;
  if (last != 0 && !options_.drop_remainder) {
    last_images_ = Tensor(images_.dtype(), WithFirstDim(images_.shape(), last));
    last_labels_ = Tensor(labels_.dtype(), WithFirstDim(labels_.shape(), last));
  }
  StartEpoch(0);
}

void Batcher::StartEpoch(int64_t epoch) {
  epoch_ = epoch;
  position_ = 0;
  if (options_.shuffle) {
    FillPermutation(options_.seed, epoch, permutation_);
  } else {
    for (size_t i = 0; i < permutation_.size(); ++i) {
      permutation_[i] = static_cast<int64_t>(i);
    }
  }
}

int64_t Batcher::batches_per_epoch() const {
  const int64_t full = shard_size_ / options_.batch_size;
  const bool partial = shard_size_ % options_.batch_size != 0;
  return full + (partial && !options_.drop_remainder ? 1 : 0);
}

std::optional<Batch> Batcher::Next() {
  const int64_t left = shard_size_ - position_;
  if (left >= options_.batch_size) {
    return Fill(batch_images_, batch_labels_, options_.batch_size);
  }
  if (left > 0 && !options_.drop_remainder) {
    return Fill(last_images_, last_labels_, left);
  }
  position_ = shard_size_;
  return std::nullopt;
}

Batch Batcher::Fill(Tensor& images, Tensor& labels, int64_t size) {
  auto* image_dst = static_cast<char*>(images.raw_data());
  auto* label_dst = static_cast<char*>(labels.raw_data());
  const auto* image_src = static_cast<const char*>(images_.raw_data());
  const auto* label_src = static_cast<const char*>(labels_.raw_data());
  for (int64_t i = 0; i < size; ++i) {
    const int64_t example = permutation_[(position_ + i) * options_.num_shards +
                                         options_.shard_index];
    std::memcpy(image_dst + i * image_bytes_,
                image_src + example * image_bytes_, image_bytes_);
    std::memcpy(label_dst + i * label_bytes_,
                label_src + example * label_bytes_, label_bytes_);
  }
  position_ += size;
  return Batch{images, labels, size};
}

}  // namespace minitf::data
