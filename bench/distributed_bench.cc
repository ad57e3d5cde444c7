// Data-parallel scaling of the tutorial CNN's training step: the same
// program alone and under mpirun, each process training on its own batch of
// --batch images per step (Horovod's convention) with one thread, its
// gradients averaged by hvd::DistributedOptimizer's fused allreduce.
//
//   OMP_NUM_THREADS=1 build/bench/distributed_bench --steps=60
//   mpirun -np 2 --bind-to core -x OMP_NUM_THREADS=1
//   build/bench/distributed_bench python3 scripts/distributed_bench.py   #
//   both, alternated, with ratios
//
// Rank 0 prints one JSON line: the median step time, the job's images/s
// (processes x batch / step time) and, per step, the time the collectives
// spent agreeing (waiting for the slowest process) and moving data.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "minitf/bench/tutorial_cnn.h"
#include "minitf/distributed/communicator.h"
#include "minitf/distributed/hvd.h"
#include "minitf/minitf.h"

ABSL_FLAG(int, batch, 64, "Images per step per process.");
ABSL_FLAG(int, steps, 60, "Timed steps, after --warmup untimed ones.");
ABSL_FLAG(int, warmup, 5, "Untimed steps first (the plan compiles).");
ABSL_FLAG(int, threads, 1, "oneDNN/OpenMP threads per process.");

namespace tf = minitf;
namespace hvd = minitf::hvd;

namespace {

using Clock = std::chrono::steady_clock;

int Run() {
  if (absl::Status s = hvd::init(); !s.ok()) {
    std::cerr << "distributed_bench: " << s << "\n";
    return 1;
  }
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(1);
  tf::train::GradientDescentOptimizer sgd(0.01);
  hvd::DistributedOptimizer optimizer(sgd);
  const tf::bench::TutorialCnn n = tf::bench::BuildTutorialCnn(
      [&](tf::Output loss) { return optimizer.minimize(loss); });
  const tf::Operation sync = hvd::broadcast_global_variables(0);
  const int64_t batch = absl::GetFlag(FLAGS_batch);
  const tf::FeedDict feeds = tf::bench::PseudoBatch(n, batch);
  tf::Session sess(
      graph, {.intra_op_parallelism_threads = absl::GetFlag(FLAGS_threads)});
  if (!sess.run(tf::global_variables_initializer()).ok() ||
      !sess.run({}, {}, {sync}).ok()) {
    std::cerr << "distributed_bench: initialization failed\n";
    return 1;
  }
  auto step = [&]() -> bool {
    return sess.run(feeds, {n.loss}, {n.train_op}).ok();
  };
  for (int i = 0; i < absl::GetFlag(FLAGS_warmup); ++i) {
    if (!step()) return 1;
  }
  const hvd::internal::CollectiveTimes before =
      hvd::internal::Communicator::Get().times();
  std::vector<double> ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_steps); ++i) {
    const Clock::time_point start = Clock::now();
    if (!step()) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start)
                     .count());
  }
  const hvd::internal::CollectiveTimes after =
      hvd::internal::Communicator::Get().times();
  if (hvd::rank() != 0) return 0;
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  const double steps = static_cast<double>(ms.size());
  std::cout << absl::StrFormat(
      "{\"processes\": %d, \"threads\": %d, \"batch_per_process\": %d, "
      "\"median_step_ms\": %.3f, \"images_per_s\": %.1f, "
      "\"agree_ms_per_step\": %.3f, \"transfer_ms_per_step\": %.3f}\n",
      hvd::size(), absl::GetFlag(FLAGS_threads), batch, median,
      hvd::size() * batch * 1000.0 / median,
      1000.0 * (after.agreement_seconds - before.agreement_seconds) / steps,
      1000.0 * (after.transfer_seconds - before.transfer_seconds) / steps);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
