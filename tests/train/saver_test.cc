#include "minitf/train/saver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "minitf/minitf.h"
#include "minitf/train/safetensors.h"

namespace minitf::train {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/minitf_saver_test/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The bytes of every fetched tensor, to compare bit for bit.
std::vector<std::string> Bytes(Session& sess, const std::vector<Output>& out) {
  absl::StatusOr<std::vector<Tensor>> values = sess.run(out);
  EXPECT_TRUE(values.ok()) << values.status();
  std::vector<std::string> bytes;
  if (!values.ok()) return bytes;
  for (const Tensor& t : *values) {
    bytes.emplace_back(static_cast<const char*>(t.raw_data()), t.TotalBytes());
  }
  return bytes;
}

std::string Message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return absl::StrCat(e.python_type(), ": ", e.what());
  }
  return "no error";
}

// A small model: random float weights, an int32 and a bool variable, a
// global step, and an output computed from them.
class SaverTest : public ::testing::Test {
 protected:
  SaverTest() {
    w_ = Variable(random_normal({3, 4}, {.seed = 1}), {.name = "dense/kernel"});
    b_ = Variable(random_uniform({4}, {.seed = 2}), {.name = "dense/bias"});
    counts_ = Variable(constant<int32_t>({1, 2, 3}, {3}), {.name = "counts"});
    flag_ = Variable(constant<bool>({true, false}, {2}), {.name = "flag"});
    step_ = Variable(constant(int64_t{0}),
                     {.trainable = false, .name = "global_step"});
    x_ = placeholder(float32, {2, 3}, "x");
    y_ = nn::relu(matmul(x_, w_) + b_);
  }
  std::vector<Output> Values() const {
    return {w_.value(), b_.value(), counts_.value(), flag_.value(),
            step_.value()};
  }
  void Init(Session& sess) {
    ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  }
  // Runs `assign` ops that change every variable.
  void Perturb(Session& sess) {
    auto status =
        sess.run(FeedDict{}, {},
                 {w_.assign(zeros({3, 4})).op(), b_.assign(ones({4})).op(),
                  counts_.assign(constant<int32_t>({9, 9, 9}, {3})).op(),
                  flag_.assign(constant<bool>({false, true}, {2})).op(),
                  step_.assign(constant(int64_t{77})).op()});
    ASSERT_TRUE(status.ok()) << status.status();
  }

  Graph graph_;
  GraphGuard guard_{graph_};
  Variable w_, b_, counts_, flag_, step_;
  Output x_, y_;
};

TEST_F(SaverTest, RoundTripRestoresEveryVariableBitForBit) {
  const std::string dir = FreshDir("roundtrip");
  Saver saver;
  EXPECT_THAT(saver.keys(), ElementsAre("counts", "dense/bias", "dense/kernel",
                                        "flag", "global_step"));
  EXPECT_EQ(saver.restore_op().name(), "save/restore_all");
  Session sess(graph_);
  Init(sess);
  const std::vector<std::string> before = Bytes(sess, Values());
  ASSERT_TRUE(saver.save(sess, dir + "/model.ckpt", 100).ok());
  EXPECT_THAT(saver.last_checkpoints(),
              ElementsAre(dir + "/model.ckpt-100.safetensors"));
  Perturb(sess);
  ASSERT_NE(Bytes(sess, Values()), before);
  absl::Status s = saver.restore(sess, dir + "/model.ckpt-100");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Bytes(sess, Values()), before);
}

TEST_F(SaverTest, FreshSessionGivesBitIdenticalOutputs) {
  const std::string dir = FreshDir("fresh");
  Saver saver;
  Tensor x = Tensor::FromVector<float>({0.5f, -1, 2, 3, 0.25f, -0.75f}, {2, 3});
  std::vector<std::string> expected;
  {
    Session sess(graph_);
    Init(sess);
    absl::StatusOr<std::vector<Tensor>> y = sess.run({{x_, x}}, {y_});
    ASSERT_TRUE(y.ok()) << y.status();
    expected.emplace_back(static_cast<const char*>((*y)[0].raw_data()),
                          (*y)[0].TotalBytes());
    ASSERT_TRUE(saver.save(sess, dir + "/ckpt", 1).ok());
  }
  Session fresh(graph_);  // never initialized: the restore initializes
  absl::StatusOr<std::string> latest = latest_checkpoint(dir);
  ASSERT_TRUE(latest.ok()) << latest.status();
  ASSERT_TRUE(saver.restore(fresh, *latest).ok());
  absl::StatusOr<std::vector<Tensor>> y = fresh.run({{x_, x}}, {y_});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(std::string(static_cast<const char*>((*y)[0].raw_data()),
                        (*y)[0].TotalBytes()),
            expected[0]);
}

TEST_F(SaverTest, FileIsAReadableSafetensorsCheckpoint) {
  const std::string dir = FreshDir("format");
  Saver saver;
  Session sess(graph_);
  Init(sess);
  ASSERT_TRUE(saver.save(sess, dir + "/ckpt", 5).ok());
  absl::StatusOr<SafetensorsFile> f =
      ReadSafetensors(dir + "/ckpt-5.safetensors");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->metadata.at("minitf_format_version"), "1");
  EXPECT_EQ(f->metadata.at("global_step"), "5");
  const SafetensorsEntry* kernel = f->Find("dense/kernel");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->dtype, "F32");
  EXPECT_THAT(kernel->shape, ElementsAre(3, 4));
  EXPECT_EQ(f->Find("counts")->dtype, "I32");
  EXPECT_EQ(f->Find("flag")->dtype, "BOOL");
  EXPECT_EQ(f->Find("global_step")->dtype, "I64");
  std::vector<std::string> values = Bytes(sess, {w_.value()});
  absl::StatusOr<Tensor> w = f->tensor("dense/kernel");
  EXPECT_EQ(
      std::string(static_cast<const char*>(w->raw_data()), w->TotalBytes()),
      values[0]);
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_THAT(entry.path().filename().string(),
                ::testing::AnyOf("ckpt-5.safetensors", "checkpoint"));
    ++files;
  }
  EXPECT_EQ(files, 2);
}

TEST_F(SaverTest, GlobalStepFromAVariableAndPaddedNames) {
  const std::string dir = FreshDir("step");
  Saver saver({.pad_step_number = true});
  Session sess(graph_);
  Init(sess);
  ASSERT_TRUE(
      sess.run(FeedDict{}, {}, {step_.assign(constant(int64_t{42})).op()})
          .ok());
  ASSERT_TRUE(saver.save(sess, dir + "/ckpt", step_).ok());
  EXPECT_THAT(saver.last_checkpoints(),
              ElementsAre(dir + "/ckpt-00000042.safetensors"));
  ASSERT_TRUE(saver.save(sess, dir + "/plain").ok());
  EXPECT_EQ(saver.last_checkpoints().back(), dir + "/plain.safetensors");
  EXPECT_EQ(ReadSafetensors(dir + "/plain.safetensors")
                ->metadata.count("global_step"),
            0u);
}

TEST_F(SaverTest, MaxToKeepDeletesOldCheckpointsAndIndexListsTheRest) {
  const std::string dir = FreshDir("keep");
  Saver saver({.max_to_keep = 3});
  Session sess(graph_);
  Init(sess);
  for (int step = 1; step <= 6; ++step) {
    ASSERT_TRUE(saver.save(sess, dir + "/ckpt", step * 10).ok());
  }
  for (int step = 1; step <= 6; ++step) {
    EXPECT_EQ(
        fs::exists(dir + "/ckpt-" + std::to_string(step * 10) + ".safetensors"),
        step > 3)
        << step;
  }
  EXPECT_THAT(
      saver.last_checkpoints(),
      ElementsAre(dir + "/ckpt-40.safetensors", dir + "/ckpt-50.safetensors",
                  dir + "/ckpt-60.safetensors"));
  EXPECT_EQ(ReadFile(dir + "/checkpoint"),
            "model_checkpoint_path: \"ckpt-60.safetensors\"\n"
            "all_model_checkpoint_paths: \"ckpt-40.safetensors\"\n"
            "all_model_checkpoint_paths: \"ckpt-50.safetensors\"\n"
            "all_model_checkpoint_paths: \"ckpt-60.safetensors\"\n");
  absl::StatusOr<CheckpointState> state = get_checkpoint_state(dir);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->model_checkpoint_path, dir + "/ckpt-60.safetensors");
  EXPECT_EQ(state->all_model_checkpoint_paths.size(), 3u);
  EXPECT_EQ(*latest_checkpoint(dir), dir + "/ckpt-60.safetensors");

  // Saving a kept step again moves it to the end instead of duplicating it.
  ASSERT_TRUE(saver.save(sess, dir + "/ckpt", 40).ok());
  EXPECT_THAT(
      saver.last_checkpoints(),
      ElementsAre(dir + "/ckpt-50.safetensors", dir + "/ckpt-60.safetensors",
                  dir + "/ckpt-40.safetensors"));
  EXPECT_EQ(*latest_checkpoint(dir), dir + "/ckpt-40.safetensors");

  // A new Saver takes over the previous run's list.
  Saver resumed({.max_to_keep = 3});
  resumed.recover_last_checkpoints(state->all_model_checkpoint_paths);
  ASSERT_TRUE(resumed.save(sess, dir + "/ckpt", 70).ok());
  EXPECT_FALSE(fs::exists(dir + "/ckpt-40.safetensors"));
}

TEST_F(SaverTest, MaxToKeepZeroKeepsEveryFile) {
  const std::string dir = FreshDir("keep_all");
  Saver saver({.max_to_keep = 0});
  Session sess(graph_);
  Init(sess);
  for (int step = 0; step < 7; ++step) {
    ASSERT_TRUE(saver.save(sess, dir + "/ckpt", step).ok());
  }
  for (int step = 0; step < 7; ++step) {
    EXPECT_TRUE(
        fs::exists(dir + "/ckpt-" + std::to_string(step) + ".safetensors"));
  }
  EXPECT_THAT(get_checkpoint_state(dir)->all_model_checkpoint_paths,
              ElementsAre(dir + "/ckpt-6.safetensors"));
}

TEST_F(SaverTest, LatestCheckpointErrors) {
  const std::string dir = FreshDir("latest");
  EXPECT_EQ(latest_checkpoint(dir).status().code(),
            absl::StatusCode::kNotFound);
  WriteFile(dir + "/checkpoint",
            "model_checkpoint_path: \"gone.safetensors\"\n");
  EXPECT_EQ(
      latest_checkpoint(dir).status(),
      absl::NotFoundError("the checkpoint index of " + dir + " names " + dir +
                          "/gone.safetensors, which does not exist"));
  WriteFile(dir + "/checkpoint", "model_checkpoint_path gone\n");
  EXPECT_EQ(latest_checkpoint(dir).status(),
            absl::DataLossError(dir + "/checkpoint: malformed line 1: "
                                      "model_checkpoint_path gone"));
  EXPECT_FALSE(checkpoint_exists(dir + "/gone"));
}

TEST_F(SaverTest, VarListSubsetAndRenameMap) {
  const std::string dir = FreshDir("subset");
  Saver subset({.var_list = {w_, b_}});
  EXPECT_THAT(subset.keys(), ElementsAre("dense/bias", "dense/kernel"));
  Saver renamed({.var_list = {{{"old/w", w_}}}});
  EXPECT_THAT(renamed.keys(), ElementsAre("old/w"));
  Session sess(graph_);
  Init(sess);
  const std::vector<std::string> before = Bytes(sess, {w_.value()});
  ASSERT_TRUE(renamed.save(sess, dir + "/renamed").ok());
  absl::StatusOr<SafetensorsFile> f =
      ReadSafetensors(dir + "/renamed.safetensors");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->entries.size(), 1u);
  EXPECT_EQ(f->entries[0].name, "old/w");
  Perturb(sess);
  ASSERT_TRUE(renamed.restore(sess, dir + "/renamed.safetensors").ok());
  EXPECT_EQ(Bytes(sess, {w_.value()}), before);
  // The subset Saver needs dense/bias, which the renamed file lacks.
  EXPECT_EQ(subset.restore(sess, dir + "/renamed.safetensors"),
            absl::NotFoundError("Key dense/bias not found in checkpoint " +
                                dir + "/renamed.safetensors"));
}

TEST_F(SaverTest, BuildErrorsAreTfErrors) {
  EXPECT_EQ(Message([&] {
              Saver({.var_list = {w_, w_}});
            }),
            "ValueError: At least two variables have the same name: "
            "dense/kernel");
  EXPECT_EQ(Message([] {
              Graph empty;
              GraphGuard guard(empty);
              Saver saver;
            }),
            "ValueError: No variables to save");
  EXPECT_EQ(Message([] {
              Graph empty;
              GraphGuard guard(empty);
              Saver saver({.allow_empty = true});
            }),
            "no error");
  EXPECT_EQ(Message([&] { Saver({.var_list = {Variable::FromTensor(x_)}}); }),
            "TypeError: Variable to save is not a Variable: x:0");
}

TEST_F(SaverTest, RuntimeErrors) {
  const std::string dir = FreshDir("runtime");
  Saver saver;
  Session sess(graph_);
  absl::Status uninitialized = saver.save(sess, dir + "/ckpt");
  EXPECT_EQ(uninitialized.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(uninitialized.message(), HasSubstr("uninitialized"));
  EXPECT_FALSE(fs::exists(dir + "/ckpt.safetensors"));
  Init(sess);
  EXPECT_EQ(saver.save(sess, dir + "/no/such/dir/ckpt"),
            absl::NotFoundError("Parent directory of " + dir +
                                "/no/such/dir/ckpt doesn't exist, can't "
                                "save."));
  EXPECT_EQ(
      saver.restore(sess, dir + "/missing"),
      absl::NotFoundError("The passed save_path is not a valid checkpoint: " +
                          dir + "/missing"));
  Graph other;
  Session other_sess(other);
  EXPECT_EQ(saver.save(other_sess, dir + "/ckpt").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(WriteFileAtomicallyTest, ReplacesWholeOrLeavesEverythingAsItWas) {
  const std::string dir = FreshDir("atomic");
  const std::string path = dir + "/file";
  ASSERT_TRUE(WriteFileAtomically(path, {"old ", "contents"}).ok());
  EXPECT_EQ(ReadFile(path), "old contents");
  ASSERT_TRUE(WriteFileAtomically(path, {"new"}).ok());
  EXPECT_EQ(ReadFile(path), "new");
  // A failing rename (the target is a non-empty directory) reports the
  // error, leaves the target as it was and removes the temporary file.
  const std::string blocked = dir + "/blocked";
  fs::create_directories(blocked + "/inside");
  absl::Status s = WriteFileAtomically(blocked, {"data"});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot rename"));
  EXPECT_TRUE(fs::is_directory(blocked + "/inside"));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("blocked", "file"));
}

// Every bad checkpoint is rejected with its code and leaves all variables
// as they were.
TEST_F(SaverTest, RejectedCheckpointsChangeNothing) {
  const std::string dir = FreshDir("reject");
  Saver saver;
  Session sess(graph_);
  Init(sess);
  ASSERT_TRUE(saver.save(sess, dir + "/good").ok());
  const std::string good = ReadFile(dir + "/good.safetensors");
  Perturb(sess);
  const std::vector<std::string> perturbed = Bytes(sess, Values());

  absl::StatusOr<SafetensorsFile> parsed = ParseSafetensors(good, "good");
  ASSERT_TRUE(parsed.ok());
  NamedTensors tensors;
  for (const SafetensorsEntry& e : parsed->entries) {
    tensors.emplace_back(e.name, *parsed->tensor(e.name));
  }
  auto with = [&](const std::string& name, Tensor t) {
    NamedTensors out = tensors;
    for (auto& [n, v] : out) {
      if (n == name) v = t;
    }
    return SerializeSafetensors(out);
  };
  auto without = [&](const std::string& name) {
    NamedTensors out;
    for (const auto& [n, v] : tensors) {
      if (n != name) out.emplace_back(n, v);
    }
    return SerializeSafetensors(out);
  };
  std::string big_header = good;
  big_header[3] = '\x40';  // the length claims ~1 GB
  std::string corrupted_header = good;
  corrupted_header[9] = '\x01';  // inside the JSON's first key
  std::string bad_offsets = good;
  const size_t at = bad_offsets.find("\"data_offsets\":[0,");
  ASSERT_NE(at, std::string::npos);
  bad_offsets[at + 16] = '9';  // [9, ...]: a hole, then sizes mismatch
  struct Case {
    const char* what;
    std::string bytes;
    absl::StatusCode code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() - 3),
       absl::StatusCode::kDataLoss, "outside the data section"},
      {"empty", "", absl::StatusCode::kDataLoss, "truncated: 0 bytes"},
      {"header claims gigabytes", big_header, absl::StatusCode::kDataLoss,
       "exceeds the limit of 100000000 bytes"},
      {"corrupted header", corrupted_header, absl::StatusCode::kDataLoss,
       "not a valid JSON object"},
      {"offsets", bad_offsets, absl::StatusCode::kDataLoss, "data_offsets"},
      {"wrong dtype", with("counts", Tensor::FromVector<float>({1, 2, 3}, {3})),
       absl::StatusCode::kInvalidArgument,
       "tensor_name = counts; expected dtype int32 does not equal original "
       "dtype float"},
      {"wrong shape", with("dense/kernel", Tensor(float32, Shape({4, 3}))),
       absl::StatusCode::kInvalidArgument,
       "Assign requires shapes of both tensors to match. lhs shape= [3,4] rhs "
       "shape= [4,3]"},
      {"missing variable", without("flag"), absl::StatusCode::kNotFound,
       "Key flag not found in checkpoint"},
      {"newer format",
       SerializeSafetensors(tensors, {{"minitf_format_version", "2"}}),
       absl::StatusCode::kInvalidArgument, "checkpoint format version 2"},
  };
  for (const Case& c : cases) {
    const std::string path = dir + "/bad.safetensors";
    WriteFile(path, c.bytes);
    absl::Status s = saver.restore(sess, path);
    EXPECT_EQ(s.code(), c.code) << c.what << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.what;
    EXPECT_EQ(Bytes(sess, Values()), perturbed) << c.what;
  }
  // Extra tensors in the file are ignored.
  NamedTensors extra = tensors;
  extra.emplace_back("unused", Tensor::Scalar(1.0f));
  WriteFile(dir + "/extra.safetensors", SerializeSafetensors(extra));
  EXPECT_TRUE(saver.restore(sess, dir + "/extra.safetensors").ok());
}

// Mutated checkpoints through Saver::restore: each either fails and leaves
// the variables untouched, or succeeds (a mutation inside the data bytes is
// undetectable: the format has no checksum) with the right shapes.
TEST_F(SaverTest, FuzzedCheckpointsOnlyFail) {
  const std::string dir = FreshDir("fuzz");
  Saver saver;
  Session sess(graph_);
  Init(sess);
  ASSERT_TRUE(saver.save(sess, dir + "/good").ok());
  const std::string good = ReadFile(dir + "/good.safetensors");
  const std::string path = dir + "/mutant.safetensors";
  std::mt19937 rng(2024);
  int failures = 0;
  const int kIterations = 1000;
  std::vector<std::string> current = Bytes(sess, Values());
  for (int iter = 0; iter < kIterations; ++iter) {
    std::string bytes = good;
    // Mutate mostly the header, where the structure is.
    const size_t header_end = 8 + static_cast<unsigned char>(good[0]) +
                              256 * static_cast<unsigned char>(good[1]);
    const size_t at = rng() % (rng() % 4 ? header_end : bytes.size());
    switch (rng() % 4) {
      case 0:
        bytes[at] = static_cast<char>(rng());
        break;
      case 1:
        bytes[at] = "0123456789[]{},:\""[rng() % 17];
        break;
      case 2:
        bytes.erase(at, 1 + rng() % 4);
        break;
      default:
        bytes.resize(at);
    }
    WriteFile(path, bytes);
    absl::Status s = saver.restore(sess, path);
    std::vector<std::string> now = Bytes(sess, Values());
    if (!s.ok()) {
      ++failures;
      EXPECT_EQ(now, current) << s;
    }
    current = std::move(now);
  }
  EXPECT_GT(failures, kIterations / 2);
}

}  // namespace
}  // namespace minitf::train
