#include "minitf/train/tfrecord.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"

namespace minitf::train {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// RFC 3720 (iSCSI), appendix B.4, the vectors TF's and LevelDB's CRC32C
// tests use, and the customary check value of "123456789".
TEST(Crc32cTest, StandardVectors) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Crc32c(ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32c(descending), 0x113fdb5cu);
  EXPECT_EQ(Crc32cExtend(Crc32c("hello "), "world"), Crc32c("hello world"));
}

TEST(Crc32cTest, MaskIsInvertibleAndNotIdentity) {
  const uint32_t crc = Crc32c("foo");
  EXPECT_NE(MaskCrc(crc), crc);
  EXPECT_NE(MaskCrc(MaskCrc(crc)), MaskCrc(crc));
  EXPECT_EQ(UnmaskCrc(MaskCrc(crc)), crc);
  EXPECT_EQ(UnmaskCrc(UnmaskCrc(MaskCrc(MaskCrc(crc)))), crc);
  // ((c >> 15) | (c << 17)) + 0xa282ead8 on a known value.
  EXPECT_EQ(MaskCrc(0xe3069283u),
            ((0xe3069283u >> 15) | (0xe3069283u << 17)) + 0xa282ead8u);
  EXPECT_EQ(MaskCrc(0), 0xa282ead8u);
}

TEST(TfRecordTest, FramingLayout) {
  const std::string framed = FrameRecord("abc");
  ASSERT_EQ(framed.size(), 8u + 4 + 3 + 4);
  uint64_t length;
  std::memcpy(&length, framed.data(), 8);
  EXPECT_EQ(length, 3u);
  uint32_t length_crc, data_crc;
  std::memcpy(&length_crc, framed.data() + 8, 4);
  std::memcpy(&data_crc, framed.data() + 15, 4);
  EXPECT_EQ(length_crc, MaskCrc(Crc32c(std::string("\x03\0\0\0\0\0\0\0", 8))));
  EXPECT_EQ(framed.substr(12, 3), "abc");
  EXPECT_EQ(data_crc, MaskCrc(Crc32c("abc")));
}

TEST(TfRecordTest, ParsesRecordsAndRejectsDamage) {
  const std::string bytes = FrameRecord("first") + FrameRecord("") +
                            FrameRecord(std::string(1000, 'x'));
  absl::StatusOr<std::vector<std::string>> records = ParseRecords(bytes, "f");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records, ElementsAre("first", "", std::string(1000, 'x')));

  std::string corrupted = bytes;
  corrupted[14] ^= 1;  // in "first"
  EXPECT_EQ(ParseRecords(corrupted, "f").status(),
            absl::DataLossError(
                "f: corrupted record data at offset 0 (CRC mismatch)"));
  corrupted = bytes;
  corrupted[21] ^= 1;  // the second record's length
  EXPECT_EQ(ParseRecords(corrupted, "f").status(),
            absl::DataLossError(
                "f: corrupted record length at offset 21 (CRC mismatch)"));
  EXPECT_THAT(
      ParseRecords(bytes.substr(0, bytes.size() - 1), "f").status().message(),
      HasSubstr("f: truncated record at offset 37"));
  EXPECT_THAT(ParseRecords(bytes.substr(0, 30), "f").status().message(),
              HasSubstr("f: truncated record header at offset 21"));
}

}  // namespace
}  // namespace minitf::train
