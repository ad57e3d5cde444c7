// bfloat16 variables in checkpoints: stored as safetensors BF16, restored
// bit for bit, and a dtype mismatch reported as TF reports it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using train::ReadSafetensors;
using train::SafetensorsFile;
using train::Saver;

class BFloat16CheckpointTest : public test::GraphTest {
 protected:
  // One folder per test: ctest runs the tests of this fixture in parallel.
  std::string Dir() {
    const std::string dir =
        ::testing::TempDir() + "/minitf_bf16_ckpt_" +
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
  }
};

TEST_F(BFloat16CheckpointTest, SavedAsBF16AndRestoredBitForBit) {
  Variable w = get_variable("w", {.shape = {4, 5}, .dtype = bfloat16});
  Variable f = get_variable("f", {.shape = {3}});
  Saver saver;
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto before = sess.run({w.value()});
  ASSERT_TRUE(before.ok()) << before.status();
  const std::string path = Dir() + "/ckpt";
  ASSERT_TRUE(saver.save(sess, path).ok());

  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path + ".safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_NE(file->Find("w"), nullptr);
  EXPECT_EQ(file->Find("w")->dtype, "BF16");
  EXPECT_EQ(file->Find("f")->dtype, "F32");
  absl::StatusOr<Tensor> stored = file->tensor("w");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->dtype(), bfloat16);
  ASSERT_EQ(stored->TotalBytes(), 40u);
  EXPECT_EQ(std::memcmp(stored->raw_data(), (*before)[0].raw_data(), 40), 0);

  ASSERT_TRUE(sess.run({w.assign(zeros({4, 5}, bfloat16))}).ok());
  ASSERT_TRUE(saver.restore(sess, path).ok());
  auto after = sess.run({w.value()});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(std::memcmp((*after)[0].raw_data(), (*before)[0].raw_data(), 40),
            0);
}

TEST_F(BFloat16CheckpointTest, ADtypeMismatchNamesBothDtypes) {
  const std::string path = Dir() + "/ckpt";
  {
    Graph saved;
    GraphGuard guard(saved);
    Variable w = get_variable("w", {.shape = {2}, .dtype = bfloat16});
    Saver saver;
    Session sess(saved);
    ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
    ASSERT_TRUE(saver.save(sess, path).ok());
  }
  Variable w = get_variable("w", {.shape = {2}});
  Saver saver;
  Session sess(graph_);
  absl::Status s = saver.restore(sess, path);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("tensor_name = w; expected dtype float does not "
                        "equal original dtype bfloat16"));
}

}  // namespace
}  // namespace minitf
