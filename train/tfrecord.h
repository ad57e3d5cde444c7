// TFRecord framing, the container of TensorBoard event files: each record
// is
//   uint64 length, little-endian
//   uint32 masked CRC32C of the length's 8 bytes
//   the data
//   uint32 masked CRC32C of the data
// where masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8 (TF's
// lib/hash/crc32c.h, which masks because CRCs of data holding CRCs are weak).
//
//   std::string framed = tf::train::FrameRecord(event_bytes);
//   auto records = tf::train::ReadRecords("/tmp/logs/events.out.tfevents.1.h");
//
// Thread-safe: pure functions.
#ifndef MINITF_TRAIN_TFRECORD_H_
#define MINITF_TRAIN_TFRECORD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace minitf::train {

// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), as in iSCSI and
// TF: Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(absl::string_view data);
// Extends `crc` (of earlier data) over `data`.
uint32_t Crc32cExtend(uint32_t crc, absl::string_view data);
uint32_t MaskCrc(uint32_t crc);
uint32_t UnmaskCrc(uint32_t masked);

// Returns `data` framed as one record.
std::string FrameRecord(absl::string_view data);

// Reads every record of the file at `path`, checking both CRCs of each:
// DataLoss naming the file and the record's offset for a truncated record
// or a CRC mismatch.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ReadRecords(
    const std::string& path);
// The same over bytes in memory; `source` names them in messages.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseRecords(
    absl::string_view bytes, absl::string_view source);

}  // namespace minitf::train

#endif  // MINITF_TRAIN_TFRECORD_H_
