// Fashion-MNIST (Zalando, github.com/zalandoresearch/fashion-mnist): 60000
// training and 10000 test images of 28x28 grey-scale clothing, 10 classes,
// read from the four gzipped IDX files Debian's dataset-fashion-mnist package
// installs (the names are those of the original distribution).
//
//   absl::StatusOr<tf::data::FashionMnist> ds = tf::data::LoadFashionMnist();
//   if (!ds.ok()) return Fail(ds.status());   // names the file and the fault
//   ds->train.images.shape();   // [60000,28,28,1] float32 in [0, 1]
//   ds->train.labels.shape();   // [60000] int32 in [0, 10)
//
// Thread-safe: pure functions.
#ifndef MINITF_DATA_FASHION_MNIST_H_
#define MINITF_DATA_FASHION_MNIST_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "minitf/core/tensor.h"

namespace minitf::data {

// Where Debian's dataset-fashion-mnist installs the files.
inline constexpr char kFashionMnistDir[] = "/usr/share/datasets/fashion-mnist";
inline constexpr char kFashionMnistTrainImages[] = "train-images-idx3-ubyte.gz";
inline constexpr char kFashionMnistTrainLabels[] = "train-labels-idx1-ubyte.gz";
inline constexpr char kFashionMnistTestImages[] = "t10k-images-idx3-ubyte.gz";
inline constexpr char kFashionMnistTestLabels[] = "t10k-labels-idx1-ubyte.gz";
inline constexpr int kFashionMnistClasses = 10;
// The class names, by label.
inline constexpr std::array<const char*, 10> kFashionMnistClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Images and their labels: images float32 [N, rows, cols, 1] (NHWC, pixel
// bytes divided by 255), labels int32 [N].
struct LabeledImages {
  Tensor images;
  Tensor labels;
};

struct FashionMnist {
  LabeledImages train;  // 60000 examples
  LabeledImages test;   // 10000 examples
};

// Reads an IDX image file (uint8, rank 3) and an IDX label file (uint8,
// rank 1) of the same number of examples, with labels < num_classes.
// Errors name the file and the fault: NotFound for a missing file, DataLoss
// for truncation or corruption, InvalidArgument for a wrong magic number,
// element type or rank, a count mismatch or a label out of range.
[[nodiscard]] absl::StatusOr<LabeledImages> LoadIdxImagesAndLabels(
    const std::string& images_path, const std::string& labels_path,
    int num_classes = kFashionMnistClasses);

// Reads the four Fashion-MNIST files from `dir` and checks their sizes
// (60000 and 10000 examples of 28x28).
[[nodiscard]] absl::StatusOr<FashionMnist> LoadFashionMnist(
    const std::string& dir = kFashionMnistDir);

}  // namespace minitf::data

#endif  // MINITF_DATA_FASHION_MNIST_H_
