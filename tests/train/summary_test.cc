#include "minitf/train/summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "minitf/minitf.h"
#include "minitf/train/tfrecord.h"

namespace minitf::summary {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A minimal protobuf decoder, independent of the encoder under test.
struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;  // wire type 0
  std::string bytes;    // wire types 1, 2, 5 (raw)
};
std::vector<Field> Decode(const std::string& bytes) {
  std::vector<Field> fields;
  size_t i = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0; i < bytes.size(); shift += 7) {
      const auto b = static_cast<unsigned char>(bytes[i++]);
      v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) break;
    }
    return v;
  };
  while (i < bytes.size()) {
    Field f;
    const uint64_t key = varint();
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire = key & 7;
    if (f.wire == 0) {
      f.varint = varint();
    } else {
      const size_t n = f.wire == 1 ? 8 : f.wire == 5 ? 4 : varint();
      EXPECT_LE(i + n, bytes.size());
      f.bytes = bytes.substr(i, n);
      i += n;
    }
    fields.push_back(f);
  }
  return fields;
}
double AsDouble(const std::string& b) {
  double v;
  std::memcpy(&v, b.data(), 8);
  return v;
}
float AsFloat(const std::string& b) {
  float v;
  std::memcpy(&v, b.data(), 4);
  return v;
}
std::vector<double> Doubles(const std::string& b) {
  std::vector<double> v(b.size() / 8);
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

// The (tag, simple_value) pairs of a serialized Summary.
std::vector<std::pair<std::string, float>> Scalars(const std::string& bytes) {
  std::vector<std::pair<std::string, float>> out;
  for (const Field& value : Decode(bytes)) {
    EXPECT_EQ(value.number, 1u);
    std::pair<std::string, float> entry;
    for (const Field& f : Decode(value.bytes)) {
      if (f.number == 1) entry.first = f.bytes;
      if (f.number == 2) entry.second = AsFloat(f.bytes);
    }
    out.push_back(entry);
  }
  return out;
}

class SummaryTest : public ::testing::Test {
 protected:
  std::string Run(Output summary, const FeedDict& feeds = {}) {
    Session sess(graph_);
    absl::StatusOr<std::vector<Tensor>> out = sess.run(feeds, {summary});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return "";
    absl::StatusOr<std::string> bytes = SummaryBytes((*out)[0]);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.ok() ? *bytes : "";
  }
  std::string BuildError(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const Error& e) {
      return absl::StrCat(e.python_type(), ": ", e.what());
    }
    return "no error";
  }
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(SummaryTest, ScalarBytesAreTheSummaryProtobuf) {
  Output s = scalar("loss", constant(2.5f));
  EXPECT_EQ(s.name(), "loss:0");
  EXPECT_EQ(s.dtype(), int32);
  EXPECT_EQ(s.shape(), Shape({13}));
  // Summary{value {tag: "loss" simple_value: 2.5}}, encoded by hand:
  // 0a 0b (value, 11 bytes) 0a 04 "loss" (tag) 15 00 00 20 40 (2.5f).
  EXPECT_EQ(Run(s),
            std::string("\x0a\x0b\x0a\x04loss\x15\x00\x00\x20\x40", 13));
  EXPECT_EQ(ScalarSummary("loss", 2.5f),
            std::string("\x0a\x0b\x0a\x04loss\x15\x00\x00\x20\x40", 13));
}

TEST_F(SummaryTest, TagsFollowTfSummaryScope) {
  Output a = scalar("loss", constant(1.0f));
  Output b = scalar("loss", constant(2.0f));
  Output c, d, e;
  {
    name_scope scope("train");
    c = scalar("loss", constant(3.0f));
  }
  d = scalar("acc", constant(4.0f), {.family = "eval"});
  e = scalar("my loss!", constant(5.0f));
  EXPECT_EQ(a.op().name(), "loss");
  EXPECT_EQ(b.op().name(), "loss_1");
  EXPECT_EQ(c.op().name(), "train/loss");
  EXPECT_EQ(d.op().name(), "eval/acc");
  EXPECT_EQ(e.op().name(), "my_loss_");
  EXPECT_THAT(Scalars(Run(a)), ElementsAre(std::pair{"loss", 1.0f}));
  EXPECT_THAT(Scalars(Run(b)), ElementsAre(std::pair{"loss_1", 2.0f}));
  EXPECT_THAT(Scalars(Run(c)), ElementsAre(std::pair{"train/loss", 3.0f}));
  // TF prefixes the family to the scope, which holds it already.
  EXPECT_THAT(Scalars(Run(d)), ElementsAre(std::pair{"eval/eval/acc", 4.0f}));
  EXPECT_THAT(Scalars(Run(e)), ElementsAre(std::pair{"my_loss_", 5.0f}));
  EXPECT_EQ(get_collection(GraphKeys::SUMMARIES).size(), 5u);
}

TEST_F(SummaryTest, ScalarOfIntegersAndFedValues) {
  EXPECT_THAT(Scalars(Run(scalar("i", constant(int32_t{7})))),
              ElementsAre(std::pair{"i", 7.0f}));
  EXPECT_THAT(Scalars(Run(scalar("l", constant(int64_t{-3})))),
              ElementsAre(std::pair{"l", -3.0f}));
  Output x = placeholder(float32, Shape::Unknown(), "value");
  Output s = scalar("x", x);
  EXPECT_THAT(Scalars(Run(s, {{x, Tensor::Scalar(0.25f)}})),
              ElementsAre(std::pair{"x", 0.25f}));
  // As in TF, a name scope is unique among op names too.
  EXPECT_EQ(scalar("value", x).op().name(), "value_1");
  Session sess(graph_);
  absl::StatusOr<std::vector<Tensor>> bad =
      sess.run({{x, Tensor::FromVector<float>({1, 2}, {2})}}, {s});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("tags and values not the same shape: [] != [2]"));
}

TEST_F(SummaryTest, ScalarBuildErrors) {
  EXPECT_EQ(BuildError([] {
              scalar("v", constant<float>({1, 2}, {2}));
            }),
            "ValueError: tags and values not the same shape: [] != [2] for "
            "'v' (op: 'ScalarSummary') with input shapes: [2].");
  EXPECT_THAT(BuildError([] { scalar("b", constant(true)); }),
              HasSubstr("TypeError"));
}

TEST_F(SummaryTest, HistogramStatisticsAndBuckets) {
  Output h =
      histogram("h", constant<float>({1, 2, 2, 3, 10}, {5}), {.buckets = 3});
  std::vector<Field> values = Decode(Run(h));
  ASSERT_EQ(values.size(), 1u);
  std::map<uint32_t, Field> value;
  for (const Field& f : Decode(values[0].bytes)) value[f.number] = f;
  EXPECT_EQ(value[1].bytes, "h");
  ASSERT_EQ(value[5].wire, 2u);
  std::map<uint32_t, Field> histo;
  for (const Field& f : Decode(value[5].bytes)) histo[f.number] = f;
  EXPECT_EQ(AsDouble(histo[1].bytes), 1.0);    // min
  EXPECT_EQ(AsDouble(histo[2].bytes), 10.0);   // max
  EXPECT_EQ(AsDouble(histo[3].bytes), 5.0);    // num
  EXPECT_EQ(AsDouble(histo[4].bytes), 18.0);   // sum
  EXPECT_EQ(AsDouble(histo[5].bytes), 118.0);  // sum_squares
  EXPECT_THAT(Doubles(histo[6].bytes), ElementsAre(4.0, 7.0, 10.0));
  EXPECT_THAT(Doubles(histo[7].bytes), ElementsAre(4.0, 0.0, 1.0));
}

TEST_F(SummaryTest, HistogramOfAConstantAndNan) {
  Output c = histogram("c", constant<int32_t>({5, 5}, {2}), {.buckets = 2});
  std::map<uint32_t, Field> histo;
  for (const Field& value : Decode(Run(c))) {
    for (const Field& f : Decode(value.bytes)) {
      if (f.number == 5) {
        for (const Field& h : Decode(f.bytes)) histo[h.number] = h;
      }
    }
  }
  EXPECT_THAT(Doubles(histo[6].bytes), ElementsAre(5.0, 5.5));
  EXPECT_THAT(Doubles(histo[7].bytes), ElementsAre(0.0, 2.0));

  Output x = placeholder(float32, {3}, "x");
  Output h = histogram("weights", x);
  Session sess(graph_);
  absl::StatusOr<std::vector<Tensor>> out =
      sess.run({{x, Tensor::FromVector<float>({1, NAN, 2}, {3})}}, {h});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(),
              HasSubstr("Nan in summary histogram for: weights"));
  out = sess.run({{x, Tensor::FromVector<float>({1, INFINITY, 2}, {3})}}, {h});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SummaryTest, MergeConcatenatesAndMergeAllUsesTheCollection) {
  EXPECT_TRUE(merge_all().is_null());
  Output a = scalar("a", constant(1.0f));
  Output b = scalar("b", constant(2.0f));
  Output other = scalar("c", constant(3.0f), {.collections = {{"mine"}}});
  Output all = merge_all();
  EXPECT_EQ(all.op().name(), "Merge/MergeSummary");
  EXPECT_EQ(all.shape(), Shape({2 * 10}));
  EXPECT_EQ(Run(all), Run(a) + Run(b));
  EXPECT_THAT(Scalars(Run(all)),
              ElementsAre(std::pair{"a", 1.0f}, std::pair{"b", 2.0f}));
  Output mine = merge_all("mine");
  EXPECT_THAT(Scalars(Run(mine)), ElementsAre(std::pair{"c", 3.0f}));
  Output named = merge({a, other}, "m");
  EXPECT_EQ(named.op().name(), "m/m");
  EXPECT_EQ(BuildError([&] {
              merge({a, named});
            }),
            "ValueError: Duplicate tag a found in summary inputs");
}

// Reads an event file back: every record's CRCs, then the events.
TEST_F(SummaryTest, FileWriterWritesTensorBoardEventFiles) {
  const std::string logdir = ::testing::TempDir() + "/minitf_summary_test/run";
  fs::remove_all(logdir);
  Output loss = scalar("loss", placeholder(float32, {}, "l"));
  std::string path;
  const double start = std::chrono::duration<double>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  {
    FileWriter writer(logdir, &graph_);
    ASSERT_TRUE(writer.status().ok()) << writer.status();
    path = writer.path();
    EXPECT_THAT(fs::path(path).filename().string(),
                HasSubstr("events.out.tfevents."));
    Session sess(graph_);
    for (int step = 1; step <= 3; ++step) {
      auto s = sess.run(
          {{graph_.get_tensor_by_name("l:0"), Tensor::Scalar(1.0f / step)}},
          {loss});
      ASSERT_TRUE(s.ok()) << s.status();
      ASSERT_TRUE(writer.add_summary((*s)[0], step * 100).ok());
    }
    ASSERT_TRUE(
        writer.add_summary(ScalarSummary("test/accuracy", 0.9f), 300).ok());
    ASSERT_TRUE(writer.close().ok());
    EXPECT_TRUE(writer.close().ok());  // idempotent
    EXPECT_EQ(writer.add_summary(ScalarSummary("x", 1), 1).code(),
              absl::StatusCode::kFailedPrecondition);
  }
  absl::StatusOr<std::vector<std::string>> records = train::ReadRecords(path);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 6u);  // version, graph, 3 losses, accuracy
  std::vector<std::map<uint32_t, Field>> events;
  for (const std::string& r : *records) {
    std::map<uint32_t, Field> event;
    for (const Field& f : Decode(r)) event[f.number] = f;
    const double wall_time = AsDouble(event[1].bytes);
    EXPECT_GE(wall_time, start - 1);
    EXPECT_LE(wall_time, start + 60);
    events.push_back(event);
  }
  EXPECT_EQ(events[0][3].bytes, "brain.Event:2");
  std::vector<std::string> node_names;
  for (const Field& node : Decode(events[1][4].bytes)) {
    node_names.push_back(Decode(node.bytes)[0].bytes);
  }
  EXPECT_THAT(node_names, ElementsAre("l", "loss"));
  for (int step = 1; step <= 3; ++step) {
    EXPECT_EQ(events[1 + step][2].varint, static_cast<uint64_t>(step * 100));
    EXPECT_THAT(Scalars(events[1 + step][5].bytes),
                ElementsAre(std::pair{"loss", 1.0f / step}));
  }
  EXPECT_THAT(Scalars(events[5][5].bytes),
              ElementsAre(std::pair{"test/accuracy", 0.9f}));
}

TEST_F(SummaryTest, FileWriterErrors) {
  const std::string dir = ::testing::TempDir() + "/minitf_summary_test";
  fs::create_directories(dir);
  const std::string blocker = dir + "/a_file";
  std::ofstream(blocker) << "x";
  FileWriter bad(blocker + "/logs");
  EXPECT_FALSE(bad.status().ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("cannot create the log"));
  EXPECT_EQ(bad.add_summary(ScalarSummary("x", 1), 1), bad.status());

  FileWriter writer(dir + "/errors");
  ASSERT_TRUE(writer.status().ok());
  EXPECT_EQ(writer.add_summary(Tensor::Scalar(1.0f), 1),
            absl::InvalidArgumentError(
                "a serialized summary is a rank-1 int32 tensor of bytes, not "
                "float32 []"));
  EXPECT_EQ(
      writer.add_summary(Tensor::FromVector<int32_t>({10, 300}, {2}), 1).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.add_summary(std::string("\x08\x01", 2), 1),
            absl::InvalidArgumentError("add_summary: the bytes are not a "
                                       "serialized Summary protocol buffer"));
  // Two writers in one directory in the same second get distinct files.
  FileWriter second(dir + "/errors");
  EXPECT_NE(second.path(), writer.path());
}

}  // namespace
}  // namespace minitf::summary
