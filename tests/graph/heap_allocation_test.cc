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

void* operator new(std::size_t size) {
  if (!minitf::InsideOneDnnExecute()) {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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

}  // namespace
}  // namespace minitf
