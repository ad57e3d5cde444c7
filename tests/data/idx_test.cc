#include "minitf/data/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace minitf::data {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/minitf_idx_test";
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

IdxArray Bytes(std::vector<int64_t> dims, std::vector<uint8_t> data) {
  return IdxArray{IdxType::kUint8, std::move(dims), std::move(data)};
}

TEST(IdxTest, SerializesBigEndianHeaderAndData) {
  IdxArray a{IdxType::kInt32, {2}, {}};
  const int32_t values[2] = {0x01020304, -2};
  a.data.resize(8);
  std::memcpy(a.data.data(), values, 8);
  const std::string bytes = SerializeIdx(a);
  const std::string expected(
      "\x00\x00\x0c\x01"
      "\x00\x00\x00\x02"
      "\x01\x02\x03\x04"
      "\xff\xff\xff\xfe",
      16);
  EXPECT_EQ(bytes, expected);
  absl::StatusOr<IdxArray> back = ParseIdx(bytes, "mem");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->type, IdxType::kInt32);
  EXPECT_THAT(back->dims, ElementsAre(2));
  int32_t decoded[2];
  std::memcpy(decoded, back->data.data(), 8);
  EXPECT_EQ(decoded[0], 0x01020304);
  EXPECT_EQ(decoded[1], -2);
}

TEST(IdxTest, RoundTripsEveryTypeGzippedAndPlain) {
  const IdxType types[] = {IdxType::kUint8,   IdxType::kInt8,
                           IdxType::kInt16,   IdxType::kInt32,
                           IdxType::kFloat32, IdxType::kFloat64};
  std::mt19937 rng(7);
  for (IdxType type : types) {
    for (bool gzip : {true, false}) {
      IdxArray a{type, {3, 2, 5}, {}};
      a.data.resize(30 * IdxTypeSize(type));
      for (uint8_t& b : a.data) b = static_cast<uint8_t>(rng());
      const std::string path = TempPath("rt.idx");
      ASSERT_TRUE(WriteIdx(path, a, gzip).ok());
      // A gzip file starts with the magic 1f 8b; a plain one with 00 00.
      EXPECT_EQ(static_cast<uint8_t>(ReadBytes(path)[0]), gzip ? 0x1f : 0x00);
      absl::StatusOr<IdxArray> back = ReadIdx(path);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(back->type, type);
      EXPECT_THAT(back->dims, ElementsAre(3, 2, 5));
      EXPECT_EQ(back->num_elements(), 30);
      EXPECT_EQ(back->data, a.data);
    }
  }
}

TEST(IdxTest, ScalarAndEmptyArrays) {
  absl::StatusOr<IdxArray> scalar =
      ParseIdx(SerializeIdx(Bytes({}, {42})), "s");
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_TRUE(scalar->dims.empty());
  EXPECT_THAT(scalar->data, ElementsAre(42));
  absl::StatusOr<IdxArray> empty =
      ParseIdx(SerializeIdx(Bytes({0, 28}, {})), "e");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->dims, ElementsAre(0, 28));
  EXPECT_EQ(empty->num_elements(), 0);
}

TEST(IdxTest, MissingFileIsNotFoundNamingIt) {
  const std::string path = TempPath("does-not-exist.gz");
  absl::StatusOr<IdxArray> a = ReadIdx(path);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(a.status().message(),
              AllOf(HasSubstr(path), HasSubstr("No such file or directory")));
}

TEST(IdxTest, DirectoryIsRejected) {
  absl::StatusOr<IdxArray> a = ReadIdx(::testing::TempDir());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(a.status().message(), HasSubstr("not a regular file"));
}

TEST(IdxTest, BadMagicNumber) {
  absl::StatusOr<IdxArray> a =
      ParseIdx(std::string("\x01\x00\x08\x01", 4), "f");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.status().message(),
            "f: bad magic number 0x01000801: not an IDX file (an IDX file "
            "starts with two zero bytes, the element type code and the rank)");
}

TEST(IdxTest, UnknownElementType) {
  absl::StatusOr<IdxArray> a =
      ParseIdx(std::string("\x00\x00\x0a\x01\x00\x00\x00\x00", 8), "f");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(a.status().message(),
              HasSubstr("f: unknown IDX element type 0x0a in magic number "
                        "0x00000a01"));
}

TEST(IdxTest, TruncatedMagicHeaderAndData) {
  EXPECT_EQ(ParseIdx(std::string("\x00\x00", 2), "f").status(),
            absl::DataLossError("f: truncated IDX file: 2 bytes, shorter than "
                                "the 4-byte magic number"));
  EXPECT_EQ(
      ParseIdx(std::string("\x00\x00\x08\x03\x00\x00\x00\x02", 8), "f")
          .status(),
      absl::DataLossError("f: truncated IDX header: rank 3 needs 16 header "
                          "bytes but the file has 8"));
  std::string bytes = SerializeIdx(Bytes({2, 3}, {1, 2, 3, 4, 5, 6}));
  bytes.pop_back();
  EXPECT_EQ(ParseIdx(bytes, "f").status(),
            absl::DataLossError("f: truncated IDX file: the header declares "
                                "dims 2x3 (6 bytes of data) but only 5 bytes "
                                "follow the header"));
}

TEST(IdxTest, HeaderClaimingHugeDimsIsTruncationNotAllocation) {
  // 4 dims of 2^32-1 float64: more bytes than int64 counts.
  std::string bytes("\x00\x00\x0e\x04", 4);
  for (int i = 0; i < 4; ++i) bytes += std::string("\xff\xff\xff\xff", 4);
  bytes += "abcdefgh";
  absl::StatusOr<IdxArray> a = ParseIdx(bytes, "f");
  EXPECT_EQ(a.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(a.status().message(),
              HasSubstr("more bytes than int64 can count) but only 8 bytes"));
}

TEST(IdxTest, TrailingBytesAreRejected) {
  std::string bytes = SerializeIdx(Bytes({2}, {1, 2}));
  bytes += "xyz";
  EXPECT_EQ(ParseIdx(bytes, "f").status(),
            absl::DataLossError("f: 3 unexpected bytes after the 2 bytes of "
                                "data the header declares (dims 2)"));
}

TEST(IdxTest, TruncatedAndCorruptedGzipStreams) {
  IdxArray a = Bytes({4096}, std::vector<uint8_t>(4096));
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = (i * 7919) % 251;
  const std::string path = TempPath("gz.idx.gz");
  ASSERT_TRUE(WriteIdx(path, a).ok());
  const std::string good = ReadBytes(path);

  WriteBytes(path, good.substr(0, good.size() / 2));
  absl::StatusOr<IdxArray> truncated = ReadIdx(path);
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().message(),
              AllOf(HasSubstr(path), HasSubstr("truncated gzip stream")));

  std::string corrupted = good;
  for (size_t i = 20; i < 40; ++i)
    corrupted[i] = static_cast<char>(~corrupted[i]);
  WriteBytes(path, corrupted);
  absl::StatusOr<IdxArray> bad = ReadIdx(path);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(bad.status().message(), HasSubstr(path));
}

TEST(IdxTest, DecompressedSizeLimit) {
  const std::string path = TempPath("big.idx.gz");
  ASSERT_TRUE(
      WriteIdx(path, Bytes({3 << 20}, std::vector<uint8_t>(3 << 20))).ok());
  absl::StatusOr<IdxArray> a = ReadIdx(path, {.max_bytes = 1 << 20});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(a.status().message(),
              HasSubstr("decompresses to more than 1048576 bytes"));
  EXPECT_TRUE(ReadIdx(path).ok());
}

// Mutated IDX files (flipped, inserted, deleted bytes; truncation) decode
// or fail with a Status; none crashes or reads out of bounds (run under
// MINITF_SANITIZE to check the latter).
TEST(IdxTest, FuzzedInputsOnlyFail) {
  const std::string seed_file = SerializeIdx(
      IdxArray{IdxType::kInt16, {3, 4}, std::vector<uint8_t>(24, 1)});
  std::mt19937 rng(1234);
  int failures = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes = seed_file;
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e) {
      const size_t at = bytes.empty() ? 0 : rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          if (!bytes.empty()) bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.insert(bytes.begin() + at, static_cast<char>(rng()));
          break;
        case 2:
          if (!bytes.empty()) bytes.erase(at, 1);
          break;
        default:
          bytes.resize(at);
      }
    }
    absl::StatusOr<IdxArray> a = ParseIdx(bytes, "fuzz");
    if (a.ok()) {
      EXPECT_EQ(a->data.size(), a->num_elements() * IdxTypeSize(a->type));
    } else {
      ++failures;
      EXPECT_THAT(a.status().message(), HasSubstr("fuzz: "));
    }
  }
  EXPECT_GT(failures, 10000);
  // The same through gzip and ReadIdx, fewer times (file I/O).
  const std::string path = TempPath("fuzz.idx.gz");
  ASSERT_TRUE(WriteIdx(path, *ParseIdx(seed_file, "seed")).ok());
  const std::string gz = ReadBytes(path);
  for (int iter = 0; iter < 300; ++iter) {
    std::string bytes = gz;
    bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (rng() % 2) bytes.resize(rng() % bytes.size());
    WriteBytes(path, bytes);
    absl::StatusOr<IdxArray> a = ReadIdx(path);
    if (!a.ok()) {
      EXPECT_THAT(a.status().message(), HasSubstr(path));
    }
  }
}

}  // namespace
}  // namespace minitf::data
