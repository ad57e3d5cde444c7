// Proves that a steady-state Session::run makes no heap allocation beyond
// its results: this binary replaces the global operator new with a counting
// one (it only counts; allocation still goes through malloc).
// Allocations made inside oneDNN's own dnnl_primitive_execute (it builds
// an std::unordered_map of its arguments on every call, beyond our reach)
// are told apart with InsideOneDnnExecute() and not counted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "minitf/core/onednn.h"
#include "minitf/minitf.h"

namespace {
std::atomic<int64_t> heap_allocations{0};
}  // namespace

// The replacements pair malloc with free; g++ 12's -Wmismatched-new-delete
// (on under the sanitizer build) sees free() in an operator delete and
// warns although the pairing is right.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (!minitf::InsideOneDnnExecute()) {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's buffer): the deletes below free
// what it returns, so it must come from malloc as well.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (!minitf::InsideOneDnnExecute()) {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace minitf {
namespace {

TEST(HeapAllocationTest, SteadyStateTrainingStepAllocatesOnlyItsResults) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {-1, 4}, "x");
  Variable w(constant<float>({0.1f}, {4, 3}), {.name = "w"});
  Variable b(constant<float>({0.0f}, {3}), {.name = "b"});
  auto y = nn::relu(matmul(x, w) + b);
  auto loss = reduce_mean(y * y);
  auto grads = gradients({loss}, {w, b});
  auto lr = constant(0.1f);
  auto train =
      group({w.assign_sub(grads[0] * lr), b.assign_sub(grads[1] * lr)});

  Session sess(graph, {.intra_op_parallelism_threads = 1});
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  FeedDict feeds = {{x, Tensor(float32, {8, 4})}};
  std::vector<Output> no_fetches;
  std::vector<Output> fetches = {loss};
  std::vector<Operation> targets = {train};
  ASSERT_TRUE(sess.run(feeds, no_fetches, targets).ok());
  ASSERT_TRUE(sess.run(feeds, fetches, targets).ok());

  int64_t before = heap_allocations.load();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<std::vector<Tensor>> out =
        sess.run(feeds, no_fetches, targets);
    ASSERT_TRUE(out.ok());
  }
  EXPECT_EQ(heap_allocations.load() - before, 0);

  before = heap_allocations.load();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<std::vector<Tensor>> out = sess.run(feeds, fetches, targets);
    ASSERT_TRUE(out.ok());
  }
  // Per run: the result vector and the fetched tensor's buffer record.
  EXPECT_EQ(heap_allocations.load() - before, 10 * 2);
}

// A cond plan run with the predicate toggled: deadness is a flag per value
// reset each run, so the steady state allocates nothing either.
TEST(HeapAllocationTest, SteadyStateCondAllocatesOnlyItsResults) {
  // Not Tensor::Scalar(bool): its inlined std::vector<bool> trips g++'s
  // new/delete pairing check against the counting operator new above.
  auto bool_scalar = [](bool value) {
    Tensor t(bool_, Shape());
    t.scalar<bool>() = value;
    return t;
  };
  Graph graph;
  GraphGuard guard(graph);
  auto training =
      placeholder_with_default(constant(bool_scalar(false)), {}, "training");
  auto x = placeholder(float32, {-1, 4}, "x");
  Variable w(constant<float>({0.1f}, {4, 3}), {.name = "w"});
  Variable steps(constant(0.0f), {.name = "steps"});
  auto y = cond(
      training,
      [&] {
        control_dependencies deps({steps.assign_add(constant(1.0f))});
        return nn::relu(matmul(x, w));
      },
      [&] { return matmul(x, w); });
  auto loss = reduce_mean(y * y);
  auto grad = gradients({loss}, {w})[0];
  auto train = w.assign_sub(grad * constant(0.1f));

  Session sess(graph, {.intra_op_parallelism_threads = 1});
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  FeedDict feeds[2] = {
      {{x, Tensor(float32, {8, 4})}, {training, bool_scalar(false)}},
      {{x, Tensor(float32, {8, 4})}, {training, bool_scalar(true)}}};
  std::vector<Output> no_fetches;
  std::vector<Output> fetches = {loss};
  std::vector<Operation> targets = {train.op()};
  for (const FeedDict& f : feeds) {
    ASSERT_TRUE(sess.run(f, no_fetches, targets).ok());
    ASSERT_TRUE(sess.run(f, fetches, targets).ok());
  }

  int64_t before = heap_allocations.load();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<std::vector<Tensor>> out =
        sess.run(feeds[i % 2], no_fetches, targets);
    ASSERT_TRUE(out.ok());
  }
  EXPECT_EQ(heap_allocations.load() - before, 0);

  before = heap_allocations.load();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<std::vector<Tensor>> out =
        sess.run(feeds[i % 2], fetches, targets);
    ASSERT_TRUE(out.ok());
  }
  EXPECT_EQ(heap_allocations.load() - before, 10 * 2);
  EXPECT_EQ(sess.num_compiled_plans(), 3);  // init, targets, fetches
}

}  // namespace
}  // namespace minitf
