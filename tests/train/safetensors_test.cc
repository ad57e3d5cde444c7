#include "minitf/train/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace minitf::train {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string FromBytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// A little-endian length followed by `json` and `data`.
std::string File(const std::string& json, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  return out + json + data;
}

Tensor Floats(std::vector<float> v, Shape shape) {
  return Tensor::FromVector<float>(v, shape);
}

// The byte layouts of the reference implementation's own tests
// (safetensors/src/tensor.rs: test_serialization,
// test_serialization_forced_alignement, test_empty).
TEST(SafetensorsTest, ByteLayoutMatchesTheReferenceImplementation) {
  EXPECT_EQ(
      SerializeSafetensors({{"attn.0", Floats({0, 1, 2, 3, 4, 5}, {1, 2, 3})}}),
      FromBytes({64,  0,   0,   0,  0,   0,  0,   0,   123, 34,  97,  116,
                 116, 110, 46,  48, 34,  58, 123, 34,  100, 116, 121, 112,
                 101, 34,  58,  34, 70,  51, 50,  34,  44,  34,  115, 104,
                 97,  112, 101, 34, 58,  91, 49,  44,  50,  44,  51,  93,
                 44,  34,  100, 97, 116, 97, 95,  111, 102, 102, 115, 101,
                 116, 115, 34,  58, 91,  48, 44,  50,  52,  93,  125, 125,
                 0,   0,   0,   0,  0,   0,  128, 63,  0,   0,   0,   64,
                 0,   0,   64,  64, 0,   0,  128, 64,  0,   0,   160, 64}));
  EXPECT_EQ(
      SerializeSafetensors(
          {{"attn0", Floats({0, 1, 2, 3, 4, 5}, {1, 1, 2, 3})}}),
      FromBytes({72,  0,   0,   0,   0,  0,   0,   0,   123, 34,  97,  116,
                 116, 110, 48,  34,  58, 123, 34,  100, 116, 121, 112, 101,
                 34,  58,  34,  70,  51, 50,  34,  44,  34,  115, 104, 97,
                 112, 101, 34,  58,  91, 49,  44,  49,  44,  50,  44,  51,
                 93,  44,  34,  100, 97, 116, 97,  95,  111, 102, 102, 115,
                 101, 116, 115, 34,  58, 91,  48,  44,  50,  52,  93,  125,
                 125, 32,  32,  32,  32, 32,  32,  32,  0,   0,   0,   0,
                 0,   0,   128, 63,  0,  0,   0,   64,  0,   0,   64,  64,
                 0,   0,   128, 64,  0,  0,   160, 64}));
  EXPECT_EQ(SerializeSafetensors({}), FromBytes({8, 0, 0, 0, 0, 0, 0, 0, 123,
                                                 125, 32, 32, 32, 32, 32, 32}));
  EXPECT_EQ(
      SerializeSafetensors({}, {{"framework", "pt"}}),
      FromBytes({40,  0,   0,   0,   0,   0,   0,   0,   123, 34,  95,  95,
                 109, 101, 116, 97,  100, 97,  116, 97,  95,  95,  34,  58,
                 123, 34,  102, 114, 97,  109, 101, 119, 111, 114, 107, 34,
                 58,  34,  112, 116, 34,  125, 125, 32,  32,  32,  32,  32}));
}

// The example of the reference implementation's documentation.
TEST(SafetensorsTest, ParsesTheReferenceDocumentationExample) {
  const std::string bytes =
      std::string("<\0\0\0\0\0\0\0", 8) +
      "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}" +
      std::string(16, '\0');
  absl::StatusOr<SafetensorsFile> f = ParseSafetensors(bytes, "doc");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].name, "test");
  EXPECT_EQ(f->entries[0].dtype, "I32");
  EXPECT_THAT(f->entries[0].shape, ElementsAre(2, 2));
  absl::StatusOr<Tensor> t = f->tensor("test");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), int32);
  EXPECT_EQ(t->shape(), Shape({2, 2}));
  EXPECT_THAT(std::vector<int32_t>(t->flat<int32_t>().begin(),
                                   t->flat<int32_t>().end()),
              ElementsAre(0, 0, 0, 0));
}

TEST(SafetensorsTest, RoundTripOrdersByAlignmentAndAlignsData) {
  NamedTensors tensors = {
      {"b_flag", Tensor::FromVector<bool>({true, false, true}, {3})},
      {"a_count", Tensor::FromVector<int32_t>({7, -8}, {2})},
      {"z_weights", Floats({1.5f, -2.25f}, {2, 1})},
      {"step", Tensor::Scalar(int64_t{1} << 40)},
      {"a_weights", Floats({}, {0, 4})},
  };
  const std::string bytes =
      SerializeSafetensors(tensors, {{"global_step", "12"}});
  absl::StatusOr<SafetensorsFile> f = ParseSafetensors(bytes, "rt");
  ASSERT_TRUE(f.ok()) << f.status();
  std::vector<std::string> order;
  for (const SafetensorsEntry& e : f->entries) {
    order.push_back(e.name);
    EXPECT_EQ(e.begin % SafetensorsDtypeSize(e.dtype), 0u) << e.name;
  }
  // I64, then F32 by name, then I32, then BOOL.
  EXPECT_THAT(order, ElementsAre("step", "a_weights", "z_weights", "a_count",
                                 "b_flag"));
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  EXPECT_EQ(f->metadata.at("global_step"), "12");
  for (const auto& [name, original] : tensors) {
    absl::StatusOr<Tensor> t = f->tensor(name);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->dtype(), original.dtype());
    EXPECT_EQ(t->shape(), original.shape());
    EXPECT_EQ(0, std::memcmp(t->raw_data(), original.raw_data(),
                             original.TotalBytes()))
        << name;
  }
  EXPECT_EQ(f->tensor("missing").status().code(), absl::StatusCode::kNotFound);
}

TEST(SafetensorsTest, UnrepresentableDtypeIsInvalidArgument) {
  absl::StatusOr<SafetensorsFile> f = ParseSafetensors(
      File(R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "ab"),
      "u8");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->tensor("x").status(),
            absl::InvalidArgumentError("tensor \"x\" in u8 has dtype U8, "
                                       "which minitf has no counterpart for"));
}

struct Rejection {
  std::string bytes;
  std::string message;
};

TEST(SafetensorsTest, RejectsMalformedFilesWithPreciseMessages) {
  const std::string entry = R"("dtype":"F32","shape":[2],"data_offsets":[0,8])";
  const std::vector<Rejection> cases = {
      {"abc", "truncated: 3 bytes, fewer than the 8-byte header length"},
      {std::string("\xff\xff\xff\xff\x00\x00\x00\x00", 8) + "{}",
       "the header length 4294967295 exceeds the limit of 100000000 bytes"},
      {std::string("\x10\x00\x00\x00\x00\x00\x00\x00", 8) + "{}",
       "truncated: the header length is 16 bytes but only 2 follow"},
      {File("[]"), "the header does not start with '{'"},
      {File("{\"x\":"), "the header is not a valid JSON object"},
      {File("{} x"), "the header is not a valid JSON object"},
      {File(R"({"x":{)" + entry + R"(},"x":{)" + entry + "}}",
            std::string(8, '\0')),
       "the header repeats the key \"x\""},
      {File(
           R"({"x":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
           std::string(8, '\0')),
       "the header repeats the key \"dtype\""},
      {File(R"({"x":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}})"),
       "tensor \"x\" has an unknown dtype \"F17\""},
      {File(R"({"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})"),
       "tensor \"x\" has an invalid dimension -2"},
      {File(R"({"x":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})"),
       "tensor \"x\" has an invalid dimension 2.5"},
      {File(R"({"x":{"dtype":"F32","shape":[2]}})"),
       "tensor \"x\" must be an object of exactly \"dtype\", \"shape\" and "
       "\"data_offsets\""},
      {File(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})"),
       "tensor \"x\" has invalid data_offsets [8,0]"},
      {File(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
            std::string(4, '\0')),
       "tensor \"x\" has data_offsets [0, 8] outside the data section of 4 "
       "bytes"},
      {File(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
            std::string(8, '\0')),
       "tensor \"x\" of dtype F32 and shape [3] needs 12 bytes but its "
       "data_offsets [0, 8] hold 8"},
      {File(
           R"({"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
           std::string(8, '\0')),
       "tensor \"x\" has a shape whose size overflows"},
      {File(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::string(12, '\0')),
       "tensor \"y\" overlaps tensor \"x\""},
      {File(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::string(12, '\0')),
       "the data has a hole of 4 bytes before tensor \"x\""},
      {File(R"({"x":{)" + entry + "}}", std::string(9, '\0')),
       "the data section has 9 bytes but the tensors cover 8"},
      {File(R"({"__metadata__":{"step":1}})"),
       "\"__metadata__\" value \"step\" is not a string"},
      {File(R"({"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})",
            std::string("\x01\x02", 2)),
       "BOOL tensor \"b\" holds the byte 2"},
  };
  for (const Rejection& c : cases) {
    absl::StatusOr<SafetensorsFile> f = ParseSafetensors(c.bytes, "f");
    EXPECT_EQ(f.status(),
              absl::DataLossError("f: invalid safetensors file: " + c.message))
        << c.message;
  }
}

TEST(SafetensorsTest, ReadsFilesAndRejectsHostileHeadersWithoutAllocating) {
  const std::string dir = ::testing::TempDir() + "/minitf_safetensors_test";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/a.safetensors";
  std::ofstream(path, std::ios::binary)
      << SerializeSafetensors({{"w", Floats({1, 2}, {2})}});
  absl::StatusOr<SafetensorsFile> f = ReadSafetensors(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->source, path);
  EXPECT_EQ(f->tensor("w")->flat<float>()[1], 2.0f);

  // A header claiming 90 MB in a 10-byte file: rejected by the file size.
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      << std::string("\x00\x00\x60\x05\x00\x00\x00\x00{}", 10);
  EXPECT_EQ(
      ReadSafetensors(path).status(),
      absl::DataLossError(path + ": invalid safetensors file: truncated: the "
                                 "header length is 90177536 bytes but only 2 "
                                 "follow"));
  const std::string missing = dir + "/missing.safetensors";
  EXPECT_EQ(ReadSafetensors(missing).status().code(),
            absl::StatusCode::kNotFound);
}

// Thousands of mutated files: each parses or fails with DataLoss, never
// crashes; a parsed one yields consistent tensors.
TEST(SafetensorsTest, FuzzedFilesOnlyFail) {
  const std::string seed =
      SerializeSafetensors({{"w", Floats({1, 2, 3, 4, 5, 6}, {2, 3})},
                            {"b", Tensor::FromVector<bool>({true, false}, {2})},
                            {"n", Tensor::FromVector<int64_t>({5}, {1})}},
                           {{"global_step", "3"}});
  std::mt19937 rng(99);
  int failures = 0;
  const int kIterations = 20000;
  for (int iter = 0; iter < kIterations; ++iter) {
    std::string bytes = seed;
    const int edits = 1 + rng() % 3;
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 5) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:  // digits and JSON punctuation make near-valid headers
          bytes[at] = "0123456789[]{},:\" "[rng() % 18];
          break;
        case 2:
          bytes.insert(bytes.begin() + at, static_cast<char>(rng()));
          break;
        case 3:
          bytes.erase(at, 1);
          break;
        default:
          bytes.resize(std::max<size_t>(1, at));
      }
    }
    absl::StatusOr<SafetensorsFile> f = ParseSafetensors(bytes, "fuzz");
    if (!f.ok()) {
      ++failures;
      EXPECT_EQ(f.status().code(), absl::StatusCode::kDataLoss);
      continue;
    }
    for (const SafetensorsEntry& e : f->entries) {
      absl::StatusOr<Tensor> t = f->tensor(e.name);
      if (t.ok()) {
        EXPECT_EQ(t->TotalBytes(), e.end - e.begin);
      }
    }
  }
  EXPECT_GT(failures, kIterations / 2);
}

}  // namespace
}  // namespace minitf::train
