#include "minitf/data/fashion_mnist.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/data/idx.h"

namespace minitf::data {
namespace {

absl::Status CheckLayout(const IdxArray& array, const std::string& path,
                         size_t rank, const char* what) {
  if (array.type != IdxType::kUint8) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: %s must hold uint8 elements (IDX type 0x08), not type 0x%02x",
        path, what, static_cast<int>(array.type)));
  }
  if (array.dims.size() != rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", what, " must have rank ", rank, ", not ", array.dims.size(),
        " (dims ", absl::StrJoin(array.dims, "x"), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckSplit(const LabeledImages& split, const std::string& path,
                        int64_t examples) {
  const Shape& s = split.images.shape();
  if (s.dim(0) != examples || s.dim(1) != 28 || s.dim(2) != 28) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected ", examples, " images of 28x28, found ",
                     s.dim(0), " of ", s.dim(1), "x", s.dim(2)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LabeledImages> LoadIdxImagesAndLabels(
    const std::string& images_path, const std::string& labels_path,
    int num_classes) {
  MINITF_ASSIGN_OR_RETURN(IdxArray images, ReadIdx(images_path));
  MINITF_RETURN_IF_ERROR(CheckLayout(images, images_path, 3, "an image file"));
  MINITF_ASSIGN_OR_RETURN(IdxArray labels, ReadIdx(labels_path));
  MINITF_RETURN_IF_ERROR(CheckLayout(labels, labels_path, 1, "a label file"));
  if (images.dims[0] != labels.dims[0]) {
    return absl::InvalidArgumentError(
        absl::StrCat("image file ", images_path, " holds ", images.dims[0],
                     " images but label file ", labels_path, " holds ",
                     labels.dims[0], " labels"));
  }
  LabeledImages out;
  out.labels = Tensor(int32, Shape({labels.dims[0]}));
  auto label_values = out.labels.flat<int32_t>();
  for (size_t i = 0; i < labels.data.size(); ++i) {
    if (labels.data[i] >= num_classes) {
      return absl::InvalidArgumentError(
          absl::StrCat(labels_path, ": label ", labels.data[i], " of example ",
                       i, " is out of range [0, ", num_classes, ")"));
    }
    label_values[i] = labels.data[i];
  }
  out.images = Tensor(
      float32, Shape({images.dims[0], images.dims[1], images.dims[2], 1}));
  auto pixels = out.images.flat<float>();
  for (size_t i = 0; i < images.data.size(); ++i) {
    pixels[i] = static_cast<float>(images.data[i]) / 255.0f;
  }
  return out;
}

absl::StatusOr<FashionMnist> LoadFashionMnist(const std::string& dir) {
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  FashionMnist ds;
  const std::string train_images = prefix + kFashionMnistTrainImages;
  const std::string test_images = prefix + kFashionMnistTestImages;
  MINITF_ASSIGN_OR_RETURN(
      ds.train,
      LoadIdxImagesAndLabels(train_images, prefix + kFashionMnistTrainLabels));
  MINITF_RETURN_IF_ERROR(CheckSplit(ds.train, train_images, 60000));
  MINITF_ASSIGN_OR_RETURN(
      ds.test,
      LoadIdxImagesAndLabels(test_images, prefix + kFashionMnistTestLabels));
  MINITF_RETURN_IF_ERROR(CheckSplit(ds.test, test_images, 10000));
  return ds;
}

}  // namespace minitf::data
