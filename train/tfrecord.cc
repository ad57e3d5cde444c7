#include "minitf/train/tfrecord.h"

#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace minitf::train {
namespace {

constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Byte-at-a-time table of the reflected Castagnoli polynomial.
constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, absl::string_view data) {
  crc = ~crc;
  for (unsigned char byte : data) {
    crc = kTable[(crc ^ byte) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

uint32_t Crc32c(absl::string_view data) { return Crc32cExtend(0, data); }

uint32_t MaskCrc(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

uint32_t UnmaskCrc(uint32_t masked) {
  const uint32_t rotated = masked - kMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

std::string FrameRecord(absl::string_view data) {
  static_assert(std::endian::native == std::endian::little,
                "TFRecord framing assumes a little-endian host");
  std::string out(12, '\0');
  const uint64_t length = data.size();
  std::memcpy(out.data(), &length, 8);
  const uint32_t length_crc = MaskCrc(Crc32c(absl::string_view(out.data(), 8)));
  std::memcpy(out.data() + 8, &length_crc, 4);
  out.append(data.data(), data.size());
  const uint32_t data_crc = MaskCrc(Crc32c(data));
  out.append(reinterpret_cast<const char*>(&data_crc), 4);
  return out;
}

absl::StatusOr<std::vector<std::string>> ParseRecords(
    absl::string_view bytes, absl::string_view source) {
  std::vector<std::string> records;
  size_t offset = 0;
  while (offset < bytes.size()) {
    const absl::string_view rest = bytes.substr(offset);
    if (rest.size() < 12) {
      return absl::DataLossError(
          absl::StrCat(source, ": truncated record header at offset ", offset));
    }
    uint64_t length;
    std::memcpy(&length, rest.data(), 8);
    if (MaskCrc(Crc32c(rest.substr(0, 8))) != Load32(rest.data() + 8)) {
      return absl::DataLossError(
          absl::StrCat(source, ": corrupted record length at offset ", offset,
                       " (CRC mismatch)"));
    }
    if (length > rest.size() - 12 || rest.size() - 12 - length < 4) {
      return absl::DataLossError(absl::StrCat(
          source, ": truncated record at offset ", offset, ": ", length,
          " bytes of data declared, ", rest.size() - 12, " left"));
    }
    const absl::string_view data = rest.substr(12, length);
    if (MaskCrc(Crc32c(data)) != Load32(rest.data() + 12 + length)) {
      return absl::DataLossError(
          absl::StrCat(source, ": corrupted record data at offset ", offset,
                       " (CRC mismatch)"));
    }
    records.emplace_back(data);
    offset += 16 + length;
  }
  return records;
}

absl::StatusOr<std::vector<std::string>> ReadRecords(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  return ParseRecords(bytes, path);
}

}  // namespace minitf::train
