#include "minitf/data/fashion_mnist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "minitf/data/idx.h"

namespace minitf::data {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/minitf_fmnist_test/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

IdxArray Images(int64_t n, int64_t rows, int64_t cols) {
  IdxArray a{IdxType::kUint8, {n, rows, cols}, {}};
  a.data.resize(n * rows * cols);
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = (i * 37) % 256;
  return a;
}

IdxArray Labels(std::vector<uint8_t> labels) {
  const auto n = static_cast<int64_t>(labels.size());
  return IdxArray{IdxType::kUint8, {n}, std::move(labels)};
}

TEST(FashionMnistTest, LoadsImagesAsScaledFloatsAndLabelsAsInt32) {
  const std::string dir = TempDir("load");
  ASSERT_TRUE(WriteIdx(dir + "/i.gz", Images(3, 2, 4)).ok());
  ASSERT_TRUE(WriteIdx(dir + "/l.gz", Labels({9, 0, 4})).ok());
  absl::StatusOr<LabeledImages> d =
      LoadIdxImagesAndLabels(dir + "/i.gz", dir + "/l.gz");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->images.dtype(), float32);
  EXPECT_EQ(d->images.shape(), Shape({3, 2, 4, 1}));
  EXPECT_EQ(d->labels.dtype(), int32);
  EXPECT_EQ(d->labels.shape(), Shape({3}));
  auto labels = d->labels.flat<int32_t>();
  EXPECT_THAT(std::vector<int32_t>(labels.begin(), labels.end()),
              ElementsAre(9, 0, 4));
  for (int64_t i = 0; i < 24; ++i) {
    EXPECT_EQ(d->images.flat<float>()[i], ((i * 37) % 256) / 255.0f) << i;
  }
}

TEST(FashionMnistTest, CountMismatchNamesBothFiles) {
  const std::string dir = TempDir("mismatch");
  ASSERT_TRUE(WriteIdx(dir + "/i.gz", Images(3, 2, 2)).ok());
  ASSERT_TRUE(WriteIdx(dir + "/l.gz", Labels({1, 2})).ok());
  EXPECT_EQ(LoadIdxImagesAndLabels(dir + "/i.gz", dir + "/l.gz").status(),
            absl::InvalidArgumentError("image file " + dir +
                                       "/i.gz holds 3 images but label file " +
                                       dir + "/l.gz holds 2 labels"));
}

TEST(FashionMnistTest, LabelOutOfRange) {
  const std::string dir = TempDir("range");
  ASSERT_TRUE(WriteIdx(dir + "/i.gz", Images(2, 1, 1)).ok());
  ASSERT_TRUE(WriteIdx(dir + "/l.gz", Labels({1, 10})).ok());
  EXPECT_EQ(LoadIdxImagesAndLabels(dir + "/i.gz", dir + "/l.gz").status(),
            absl::InvalidArgumentError(
                dir + "/l.gz: label 10 of example 1 is out of range "
                      "[0, 10)"));
}

TEST(FashionMnistTest, WrongRankAndType) {
  const std::string dir = TempDir("rank");
  ASSERT_TRUE(WriteIdx(dir + "/i.gz", Labels({1, 2})).ok());
  ASSERT_TRUE(WriteIdx(dir + "/l.gz", Labels({1, 2})).ok());
  EXPECT_EQ(LoadIdxImagesAndLabels(dir + "/i.gz", dir + "/l.gz").status(),
            absl::InvalidArgumentError(
                dir + "/i.gz: an image file must have rank 3, not 1 (dims 2)"));
  ASSERT_TRUE(
      WriteIdx(dir + "/l.gz", IdxArray{IdxType::kInt32, {1}, {0, 0, 0, 1}})
          .ok());
  ASSERT_TRUE(WriteIdx(dir + "/i.gz", Images(1, 1, 1)).ok());
  EXPECT_EQ(LoadIdxImagesAndLabels(dir + "/i.gz", dir + "/l.gz").status(),
            absl::InvalidArgumentError(
                dir + "/l.gz: a label file must hold uint8 elements (IDX type "
                      "0x08), not type 0x0c"));
}

TEST(FashionMnistTest, MissingFileInDirectory) {
  const std::string dir = TempDir("missing");
  absl::StatusOr<FashionMnist> ds = LoadFashionMnist(dir);
  EXPECT_EQ(ds.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(ds.status().message(),
              HasSubstr(dir + "/train-images-idx3-ubyte.gz: cannot open"));
}

TEST(FashionMnistTest, WrongSizesInDirectory) {
  const std::string dir = TempDir("sizes");
  ASSERT_TRUE(
      WriteIdx(dir + "/train-images-idx3-ubyte.gz", Images(2, 28, 28)).ok());
  ASSERT_TRUE(
      WriteIdx(dir + "/train-labels-idx1-ubyte.gz", Labels({1, 2})).ok());
  EXPECT_EQ(LoadFashionMnist(dir).status(),
            absl::InvalidArgumentError(
                dir + "/train-images-idx3-ubyte.gz: expected 60000 images of "
                      "28x28, found 2 of 28x28"));
}

// The real data set, when Debian's dataset-fashion-mnist is installed.
TEST(FashionMnistTest, RealFiles) {
  if (!std::filesystem::exists(std::string(kFashionMnistDir) + "/" +
                               kFashionMnistTestLabels)) {
    GTEST_SKIP() << "Fashion-MNIST is not installed in " << kFashionMnistDir;
  }
  absl::StatusOr<FashionMnist> ds = LoadFashionMnist();
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->train.images.shape(), Shape({60000, 28, 28, 1}));
  EXPECT_EQ(ds->test.images.shape(), Shape({10000, 28, 28, 1}));
  // The first labels of each split, and a balanced 6000/1000 per class.
  EXPECT_EQ(ds->train.labels.flat<int32_t>()[0], 9);  // Ankle boot
  EXPECT_EQ(ds->test.labels.flat<int32_t>()[0], 9);
  EXPECT_EQ(ds->test.labels.flat<int32_t>()[1], 2);
  for (const auto& [split, per_class] :
       {std::pair{&ds->train, 6000}, std::pair{&ds->test, 1000}}) {
    std::vector<int> counts(10);
    for (int32_t label : split->labels.flat<int32_t>()) ++counts[label];
    EXPECT_THAT(counts, ::testing::Each(per_class));
    auto pixels = split->images.flat<float>();
    EXPECT_EQ(*std::min_element(pixels.begin(), pixels.end()), 0.0f);
    EXPECT_EQ(*std::max_element(pixels.begin(), pixels.end()), 1.0f);
  }
}

}  // namespace
}  // namespace minitf::data
