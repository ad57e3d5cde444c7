// The value arena's memory plan: values share bytes only when no step runs
// while both are live; fetched values live to the end of the run, a
// forwarded output keeps the input it may be live, a shape-only input does
// not; an elementwise step writes over an input that dies there; and a
// fresh arena reads as NaN, not as zeros.
#include "minitf/graph/value_arena.h"

#include <gtest/gtest.h>

#include <cmath>

namespace minitf {
namespace {

// Values v0..v3 of 1024 floats, v0 fed; step i reads `inputs[i]` and
// writes v(i+1).
PlanIR Chain(std::vector<std::vector<int>> inputs) {
  PlanIR ir;
  for (int v = 0; v < 4; ++v) {
    ir.values.push_back({.dtype = DataType::kFloat,
                         .shape = Shape{1024},
                         .preallocate = v > 0});
  }
  ir.feed_values = {0};
  for (int s = 0; s < 3; ++s) {
    PlanStep step{.node = nullptr};
    step.inputs = inputs[s];
    step.outputs = {s + 1};
    ir.steps.push_back(step);
  }
  return ir;
}

constexpr size_t kBytes = 1024 * sizeof(float);

TEST(ValueArenaTest, ValuesShareBytesOnlyWhenNeverLiveTogether) {
  // v1 -> v2 -> v3: v3 takes v1's bytes; v2, live with both, its own.
  const ValueArena arena = ValueArena::Plan(Chain({{0}, {1}, {2}}));
  EXPECT_EQ(arena.offsets[0], -1);  // fed
  EXPECT_EQ(arena.offsets[1], arena.offsets[3]);
  EXPECT_NE(arena.offsets[1], arena.offsets[2]);
  EXPECT_EQ(arena.bytes, 2 * kBytes);
  EXPECT_EQ(arena.unshared_bytes, 3 * kBytes);
  for (int v = 1; v < 4; ++v) {
    EXPECT_EQ(arena.offsets[v] % ValueArena::kAlignment, 0u);
  }
}

TEST(ValueArenaTest, AValueReadLaterStaysLive) {
  // Step 2 reads v1 too: all three live at once.
  const ValueArena arena = ValueArena::Plan(Chain({{0}, {1}, {2, 1}}));
  EXPECT_EQ(arena.bytes, 3 * kBytes);
}

TEST(ValueArenaTest, AFetchedValueLivesToTheEnd) {
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.fetch_values = {1};
  EXPECT_EQ(ValueArena::Plan(ir).bytes, 3 * kBytes);
}

TEST(ValueArenaTest, AForwardedOutputKeepsItsInputLive) {
  // Step 1 forwards (an Identity): v2 may be v1's buffer, read by step 2.
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.values[2].preallocate = false;
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[2], -1);
  EXPECT_NE(arena.offsets[1], arena.offsets[3]);
  EXPECT_EQ(arena.bytes, 2 * kBytes);
}

TEST(ValueArenaTest, AShapeOnlyInputDoesNotKeepItsValueLive) {
  PlanIR ir = Chain({{0}, {1}, {2, 1}});
  ir.steps[2].shape_only_inputs = {1};
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[1], arena.offsets[3]);
  EXPECT_EQ(arena.bytes, 2 * kBytes);
}

TEST(ValueArenaTest, LargestValuesArePlacedFirst) {
  // v1 small and live throughout (fetched); v2 and v3 large, one after
  // the other: they share bytes past v1's.
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.values[2].shape = ir.values[3].shape = Shape{4096};
  ir.fetch_values = {1};
  ir.steps[2].inputs = {0};  // v3 does not read v2
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[2], arena.offsets[3]);
  EXPECT_EQ(arena.bytes, 5 * kBytes);
}

// Chain({{0}, {1}, {2}}) with steps 1 and 2 allowed to write over their
// input, under PlanIR::in_place.
PlanIR InPlaceChain() {
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.in_place = true;
  for (int s : {1, 2}) ir.steps[s].inplace_inputs = {0};
  return ir;
}

TEST(ValueArenaTest, StepsWriteOverAnInputThatDiesThere) {
  const ValueArena arena = ValueArena::Plan(InPlaceChain());
  EXPECT_EQ(arena.offsets[2], arena.offsets[1]);
  EXPECT_EQ(arena.offsets[3], arena.offsets[1]);
  EXPECT_EQ(arena.bytes, kBytes);
  EXPECT_EQ(arena.unshared_bytes, 3 * kBytes);
  EXPECT_EQ(arena.written_over, 2);
}

TEST(ValueArenaTest, OnlyUnderInPlace) {
  PlanIR ir = InPlaceChain();
  ir.in_place = false;
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[2], arena.offsets[1]);
  EXPECT_EQ(arena.written_over, 0);
}

TEST(ValueArenaTest, AnInputReadLaterIsNotWrittenOver) {
  PlanIR ir = InPlaceChain();
  ir.steps[2].inputs = {2, 1};  // v1 read after step 1
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[2], arena.offsets[1]);
  EXPECT_EQ(arena.offsets[3], arena.offsets[2]);
  EXPECT_EQ(arena.written_over, 1);
}

TEST(ValueArenaTest, AFetchedInputIsNotWrittenOver) {
  PlanIR ir = InPlaceChain();
  ir.fetch_values = {2};
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[2], arena.offsets[1]);
  EXPECT_NE(arena.offsets[3], arena.offsets[2]);
}

// InPlaceChain() with step 1 forwarding v1 as v2 (an Identity, a Reshape).
PlanIR ForwardingChain() {
  PlanIR ir = InPlaceChain();
  ir.values[2].preallocate = false;
  ir.steps[1].inplace_inputs.clear();
  return ir;
}

TEST(ValueArenaTest, AStepWritesOverTheBufferItReadsThroughAForward) {
  // Step 2 reads v1 last, through v2: it writes v3 over v1's bytes.
  PlanIR ir = ForwardingChain();
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[2], -1);
  EXPECT_EQ(arena.offsets[3], arena.offsets[1]);
  EXPECT_EQ(arena.written_over, 1);
}

TEST(ValueArenaTest, NotWhenTheForwardedBufferIsReadLater) {
  // v1 forwarded as v2 to step 2, and read by step 3 too.
  PlanIR ir = ForwardingChain();
  ir.values.push_back(ir.values[1]);  // v4
  PlanStep reader{.node = nullptr};
  reader.inputs = {1};
  reader.outputs = {4};
  ir.steps.push_back(reader);
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[3], arena.offsets[1]);
  EXPECT_EQ(arena.written_over, 0);
}

TEST(ValueArenaTest, NotOverABufferTheStepAlsoReadsThroughAForward) {
  // Step 2 reads v1 itself and v2, v1 forwarded (Mul(x, reshape(x))).
  PlanIR ir = ForwardingChain();
  ir.steps[2].inputs = {2, 1};
  ir.steps[2].inplace_inputs = {0, 1};
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[3], arena.offsets[1]);
  EXPECT_EQ(arena.written_over, 0);
}

TEST(ValueArenaTest, OnlyAnInputOfTheOutputsDtypeAndSizeIsWrittenOver) {
  PlanIR ir = InPlaceChain();
  ir.values[2].shape = Shape{512};        // a reduction's output
  ir.values[3].dtype = DataType::kInt32;  // a cast's
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[2], arena.offsets[1]);
  EXPECT_NE(arena.offsets[3], arena.offsets[2]);
  EXPECT_EQ(arena.written_over, 0);
}

TEST(ValueArenaTest, AnInputReadTwiceByTheStepIsNotWrittenOver) {
  PlanIR ir = InPlaceChain();
  ir.steps[1].inputs = {1, 1};  // Mul(x, x)
  ir.steps[1].inplace_inputs = {0, 1};
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_NE(arena.offsets[2], arena.offsets[1]);
}

TEST(ValueArenaTest, TheFirstInputThatMayBeWrittenOverIs) {
  // Step 1 reads v1 and the fed v0: of the two it may overwrite, only v1
  // is the arena's.
  PlanIR ir = InPlaceChain();
  ir.steps[1].inputs = {0, 1};
  ir.steps[1].inplace_inputs = {0, 1};
  const ValueArena arena = ValueArena::Plan(ir);
  EXPECT_EQ(arena.offsets[2], arena.offsets[1]);
}

TEST(ValueArenaTest, AFreshArenaReadsAsNaN) {
  const ValueArena arena = ValueArena::Plan(Chain({{0}, {1}, {2}}));
  auto buffer = arena.Allocate();
  ASSERT_TRUE(buffer.ok()) << buffer.status();
  const Tensor v1 =
      buffer->ViewBytes(DataType::kFloat, arena.offsets[1], Shape{1024});
  for (float x : v1.flat<float>()) ASSERT_TRUE(std::isnan(x));
  const Tensor v2 =
      buffer->ViewBytes(DataType::kInt32, arena.offsets[2], Shape{1024});
  for (int32_t x : v2.flat<int32_t>()) ASSERT_EQ(x, -1);
}

TEST(ValueArenaTest, AnArenaTooLargeIsResourceExhaustedNamingTheLargestValue) {
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.values[2].shape = Shape{int64_t{1} << 40, int64_t{1} << 20};
  const ValueArena arena = ValueArena::Plan(ir);
  const auto buffer = arena.Allocate();
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(buffer.status().message().find(
                "OOM when allocating tensor with shape[1099511627776,1048576]"),
            std::string::npos)
      << buffer.status();
}

TEST(ValueArenaTest, AnArenaThatCannotBeHadNamesItsLargestValue) {
  // 64 TiB in v2, between two smaller values.
  PlanIR ir = Chain({{0}, {1}, {2}});
  ir.values[2].shape = Shape{int64_t{1} << 22, int64_t{1} << 22};
  ir.values[3].shape = Shape{2048};
  const auto buffer = ValueArena::Plan(ir).Allocate();
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(buffer.status().message().find(
                "OOM when allocating tensor with shape[4194304,4194304]"),
            std::string::npos)
      << buffer.status();
}

}  // namespace
}  // namespace minitf
