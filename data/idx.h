// IDX files: the array format of MNIST and Fashion-MNIST (Yann LeCun's
// description, http://yann.lecun.com/exdb/mnist/): a big-endian magic
// number 0x0000TTRR (TT the element type, RR the rank), RR big-endian uint32
// dimensions, then the elements in row-major order, big-endian. Files may be
// gzipped (zlib reads plain and gzipped files alike).
//
//   absl::StatusOr<tf::data::IdxArray> a = tf::data::ReadIdx(
//       "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
//   if (a.ok()) a->dims;  // {10000}
//
// Every malformation is a Status naming the file and what is wrong: a missing
// file (NotFound), a corrupted or truncated gzip stream, fewer or more data
// bytes than the dimensions declare (DataLoss), a bad magic number or element
// type (InvalidArgument). Thread-safe: pure functions.
#ifndef MINITF_DATA_IDX_H_
#define MINITF_DATA_IDX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace minitf::data {

// The element types of the IDX format, by their type code.
enum class IdxType : uint8_t {
  kUint8 = 0x08,
  kInt8 = 0x09,
  kInt16 = 0x0B,
  kInt32 = 0x0C,
  kFloat32 = 0x0D,
  kFloat64 = 0x0E,
};

// Returns the size of one element of `type` in bytes.
size_t IdxTypeSize(IdxType type);

// A decoded IDX array.
struct IdxArray {
  IdxType type = IdxType::kUint8;
  std::vector<int64_t> dims;
  // The elements in row-major order, converted to the host's byte order.
  std::vector<uint8_t> data;

  // Returns the product of the dims (1 for rank 0).
  int64_t num_elements() const;
};

struct ReadIdxOptions {
  // The largest decompressed size accepted: a gzip stream that inflates
  // beyond it is rejected (ResourceExhausted) before using more memory.
  int64_t max_bytes = int64_t{1} << 30;
};

// Reads and decodes the IDX file at `path`, gzipped or not.
[[nodiscard]] absl::StatusOr<IdxArray> ReadIdx(
    const std::string& path, const ReadIdxOptions& options = {});

// Decodes the uncompressed bytes of an IDX file; `source` names it in
// error messages.
[[nodiscard]] absl::StatusOr<IdxArray> ParseIdx(absl::string_view bytes,
                                                absl::string_view source);

// Returns the bytes of an uncompressed IDX file holding `array`.
// REQUIRES: at most 255 dims, each < 2^32, and data of num_elements()
// elements of the type.
std::string SerializeIdx(const IdxArray& array);

// Writes `array` to `path` as an IDX file, gzipped when `gzip` (tools and
// tests make IDX files with it).
[[nodiscard]] absl::Status WriteIdx(const std::string& path,
                                    const IdxArray& array, bool gzip = true);

}  // namespace minitf::data

#endif  // MINITF_DATA_IDX_H_
