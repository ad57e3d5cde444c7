#include "minitf/data/idx.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace minitf::data {
namespace {

uint32_t LoadBigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

bool IsKnownType(uint8_t code) {
  switch (static_cast<IdxType>(code)) {
    case IdxType::kUint8:
    case IdxType::kInt8:
    case IdxType::kInt16:
    case IdxType::kInt32:
    case IdxType::kFloat32:
    case IdxType::kFloat64:
      return true;
  }
  return false;
}

// Reverses the bytes of each `width`-byte element in place (IDX is
// big-endian; so is the file when the host is).
void SwapElements(uint8_t* data, size_t size, size_t width) {
  if constexpr (std::endian::native == std::endian::big) return;
  if (width == 1) return;
  for (size_t i = 0; i + width <= size; i += width) {
    std::reverse(data + i, data + i + width);
  }
}

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};

}  // namespace

size_t IdxTypeSize(IdxType type) {
  switch (type) {
    case IdxType::kUint8:
    case IdxType::kInt8:
      return 1;
    case IdxType::kInt16:
      return 2;
    case IdxType::kInt32:
    case IdxType::kFloat32:
      return 4;
    case IdxType::kFloat64:
      return 8;
  }
  return 0;
}

int64_t IdxArray::num_elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

absl::StatusOr<IdxArray> ParseIdx(absl::string_view bytes,
                                  absl::string_view source) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  if (size < 4) {
    return absl::DataLossError(
        absl::StrCat(source, ": truncated IDX file: ", size,
                     " bytes, shorter than the 4-byte magic number"));
  }
  const uint32_t magic = LoadBigEndian32(p);
  if (p[0] != 0 || p[1] != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: bad magic number 0x%08x: not an IDX file (an IDX file starts "
        "with two zero bytes, the element type code and the rank)",
        source, magic));
  }
  if (!IsKnownType(p[2])) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: unknown IDX element type 0x%02x in magic number 0x%08x "
        "(known: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D "
        "float32, 0x0E float64)",
        source, p[2], magic));
  }
  IdxArray array;
  array.type = static_cast<IdxType>(p[2]);
  const size_t rank = p[3];
  const size_t header = 4 + 4 * rank;
  if (size < header) {
    return absl::DataLossError(
        absl::StrCat(source, ": truncated IDX header: rank ", rank, " needs ",
                     header, " header bytes but the file has ", size));
  }
  // The element count saturates at int64 max: a header claiming more than
  // the file holds is caught by the size comparison, never by overflow.
  const size_t width = IdxTypeSize(array.type);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t elements = 1;
  array.dims.reserve(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t dim = LoadBigEndian32(p + 4 + 4 * i);
    array.dims.push_back(dim);
    if (elements != 0 && dim != 0 && elements > kMax / dim) {
      elements = kMax;
    } else if (elements != kMax || dim == 0) {
      elements *= dim;
    }
  }
  const int64_t available = static_cast<int64_t>(size - header);
  const bool too_many = elements > kMax / static_cast<int64_t>(width);
  const int64_t expected = too_many ? kMax : elements * int64_t(width);
  const std::string dims =
      rank == 0 ? "() (a scalar)" : absl::StrJoin(array.dims, "x");
  if (available < expected) {
    return absl::DataLossError(absl::StrCat(
        source, ": truncated IDX file: the header declares dims ", dims,
        too_many ? " (more bytes than int64 can count)"
                 : absl::StrCat(" (", expected, " bytes of data)"),
        " but only ", available, " bytes follow the header"));
  }
  if (available > expected) {
    return absl::DataLossError(absl::StrCat(
        source, ": ", available - expected, " unexpected bytes after the ",
        expected, " bytes of data the header declares (dims ", dims, ")"));
  }
  array.data.assign(p + header, p + size);
  SwapElements(array.data.data(), array.data.size(), width);
  return array;
}

absl::StatusOr<IdxArray> ReadIdx(const std::string& path,
                                 const ReadIdxOptions& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return absl::Status(
        absl::ErrnoToStatusCode(error),
        absl::StrCat(path, ": cannot open: ", std::strerror(error)));
  }
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file"));
  }
  std::unique_ptr<gzFile_s, GzCloser> file(gzdopen(fd, "rb"));
  if (file == nullptr) {
    close(fd);
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": cannot allocate a zlib stream"));
  }
  // Grows the buffer as data arrives: memory follows the real size, not a
  // size some header claims.
  std::string bytes;
  constexpr size_t kChunk = size_t{1} << 20;
  while (true) {
    if (static_cast<int64_t>(bytes.size()) > options.max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": decompresses to more than ", options.max_bytes,
                       " bytes (ReadIdxOptions::max_bytes)"));
    }
    const size_t old_size = bytes.size();
    bytes.resize(old_size + kChunk);
    const int n = gzread(file.get(), bytes.data() + old_size,
                         static_cast<unsigned>(kChunk));
    if (n < 0) {
      int code = Z_OK;
      const char* message = gzerror(file.get(), &code);
      return absl::DataLossError(absl::StrCat(
          path, ": corrupted gzip stream: ", message ? message : "error"));
    }
    bytes.resize(old_size + n);
    if (n == 0) break;
  }
  int code = Z_OK;
  const char* message = gzerror(file.get(), &code);
  if (code != Z_OK) {
    return absl::DataLossError(absl::StrCat(path,
                                            code == Z_BUF_ERROR
                                                ? ": truncated gzip stream: "
                                                : ": corrupted gzip stream: ",
                                            message ? message : "error"));
  }
  return ParseIdx(bytes, path);
}

std::string SerializeIdx(const IdxArray& array) {
  std::string out;
  out.push_back(0);
  out.push_back(0);
  out.push_back(static_cast<char>(array.type));
  out.push_back(static_cast<char>(array.dims.size()));
  for (int64_t d : array.dims) {
    const auto v = static_cast<uint32_t>(d);
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  const size_t header = out.size();
  out.append(reinterpret_cast<const char*>(array.data.data()),
             array.data.size());
  SwapElements(reinterpret_cast<uint8_t*>(out.data() + header),
               array.data.size(), IdxTypeSize(array.type));
  return out;
}

absl::Status WriteIdx(const std::string& path, const IdxArray& array,
                      bool gzip) {
  const std::string bytes = SerializeIdx(array);
  std::unique_ptr<gzFile_s, GzCloser> file(
      gzopen(path.c_str(), gzip ? "wb" : "wbT"));
  if (file == nullptr) {
    const int error = errno;
    return absl::Status(
        absl::ErrnoToStatusCode(error),
        absl::StrCat(path, ": cannot create: ", std::strerror(error)));
  }
  if (gzwrite(file.get(), bytes.data(), static_cast<unsigned>(bytes.size())) !=
      static_cast<int>(bytes.size())) {
    int code = Z_OK;
    return absl::DataLossError(
        absl::StrCat(path, ": write failed: ", gzerror(file.get(), &code)));
  }
  if (gzclose(file.release()) != Z_OK) {
    return absl::DataLossError(absl::StrCat(path, ": write failed on close"));
  }
  return absl::OkStatus();
}

}  // namespace minitf::data
