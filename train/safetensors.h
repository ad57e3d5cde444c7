// safetensors files (github.com/huggingface/safetensors, "Format"): the
// checkpoint format of train::Saver, readable by NumPy, PyTorch and the
// safetensors libraries. Layout:
//   8 bytes    N, unsigned little-endian: the size of the header;
//   N bytes    a UTF-8 JSON object starting with '{', space-padded so that
//              the data starts at a multiple of 8: for each tensor
//              {"dtype": "F32", "shape": [2, 3], "data_offsets": [B, E]},
//              plus "__metadata__", a map of strings to strings;
//   the rest   the tensors' bytes, little-endian, row-major; offsets are
//              relative to the data's start, contiguous, without holes.
// Written as the reference implementation writes (tensors ordered by
// decreasing alignment, then name; compact JSON, "__metadata__" first), so
// files are byte-identical to those of safetensors' serialize().
//
//   std::string bytes = tf::train::SerializeSafetensors(
//       {{"w", w_tensor}}, {{"format", "pt"}});
//   absl::StatusOr<tf::train::SafetensorsFile> f =
//       tf::train::ReadSafetensors("/tmp/model/ckpt-100.safetensors");
//   absl::StatusOr<tf::Tensor> w = f->tensor("w");
//
// From Python: safetensors.numpy.load_file(path) or
// safetensors.torch.load_file(path); without the package, NumPy alone:
//   b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]
//   h = json.loads(b[8:8 + n]); meta = h.pop("__metadata__", {})
//   dt = {"F32": np.float32, "I32": np.int32, "I64": np.int64, "BOOL": bool}
//   w = {k: np.frombuffer(b[8 + n + v["data_offsets"][0]:
//                           8 + n + v["data_offsets"][1]],
//                         dt[v["dtype"]]).reshape(v["shape"])
//        for k, v in h.items()}
//
// Reading validates everything before returning (header size at most 100 MB
// and within the file, valid JSON without duplicate keys, known dtypes,
// offsets contiguous and covering the data exactly, sizes consistent with
// shapes, booleans 0 or 1): every fault is DataLoss naming the file.
// Thread-safe: pure functions.
#ifndef MINITF_TRAIN_SAFETENSORS_H_
#define MINITF_TRAIN_SAFETENSORS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "minitf/core/tensor.h"

namespace minitf::train {

// The reference implementation's limit on the header size.
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// One tensor of a file's header.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // "F32", "I32", "I64", "U8", "BOOL", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // data_offsets, relative to the data's start
  uint64_t end = 0;
};

// A validated file: its header and its data bytes.
struct SafetensorsFile {
  std::string source;                     // the path, for messages
  std::vector<SafetensorsEntry> entries;  // in data order
  std::map<std::string, std::string> metadata;
  std::string data;

  // Returns the entry named `name`, or nullptr.
  const SafetensorsEntry* Find(absl::string_view name) const;
  // Returns a copy of tensor `name`: NotFound when absent, InvalidArgument
  // when its dtype has no minitf counterpart (minitf holds F32, I32, I64 and
  // BOOL) or its rank exceeds Shape::kMaxRank.
  [[nodiscard]] absl::StatusOr<Tensor> tensor(absl::string_view name) const;
};

// Returns the safetensors dtype of a minitf dtype: "F32", "BF16", "I32",
// "I64", "BOOL".
absl::string_view SafetensorsDtype(DataType dtype);
// The inverse: kInvalid for a safetensors dtype minitf has no counterpart
// for ("F16", "U8", ...).
DataType DataTypeOfSafetensors(absl::string_view dtype);
// Returns the size in bytes of an element of a safetensors dtype, 0 when the
// dtype is unknown.
size_t SafetensorsDtypeSize(absl::string_view dtype);

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Returns the first 8 + N bytes of the file holding `tensors` (the length
// and the padded JSON header) and puts into `order` the indices of
// `tensors` in data order. REQUIRES: distinct names, none "__metadata__".
std::string SafetensorsHeader(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata,
    std::vector<size_t>* order);
// Returns the whole file holding `tensors` and `metadata`.
std::string SerializeSafetensors(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata = {});

// Validates and decodes a whole file held in memory; `source` names it in
// messages.
[[nodiscard]] absl::StatusOr<SafetensorsFile> ParseSafetensors(
    absl::string_view bytes, absl::string_view source);
// Reads and validates the file at `path`: NotFound when it does not exist,
// DataLoss when it is malformed. Memory follows the file's real size, never
// a size its header claims.
[[nodiscard]] absl::StatusOr<SafetensorsFile> ReadSafetensors(
    const std::string& path);

}  // namespace minitf::train

#endif  // MINITF_TRAIN_SAFETENSORS_H_
