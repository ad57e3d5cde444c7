// Horovod's collectives as graph ops (horovod.tensorflow's allreduce,
// grouped_allreduce, broadcast, broadcast_variables,
// broadcast_global_variables), with gradients.
//
//   TF_CHECK_OK(hvd::init());
//   auto mean = hvd::allreduce(x);                         // over processes
//   auto sums = hvd::grouped_allreduce({g1, g2}, {.average = false});
//   auto same = hvd::broadcast(x, /*root_rank=*/0);
//   sess.run(hvd::broadcast_global_variables(0));          // after init
//
// Each op is one collective per step, issued when the step runs it; every
// process must run the same ones in the same order (the same graph and the
// same fetches). grouped_allreduce is Horovod's tensor fusion: its tensors
// are packed into one preallocated buffer per dtype and summed with one
// MPI_Allreduce in place (split at HOROVOD_FUSION_THRESHOLD bytes, 64 MiB
// by default); its outputs are views of that buffer, so a step allocates
// nothing and copies each tensor once. On one process every op is a copy
// of its input (allreduce none at all).
//
// Gradients, as Horovod defines them: allreduce's is the same allreduce of
// the incoming gradient; broadcast's is the sum of the incoming gradients
// on the root and zero elsewhere.
//
// Builders throw Horovod's ValueError "Horovod has not been initialized;
// use hvd.init()." before init(), TypeError for an unsupported dtype
// (allreduce: float32, int32 and int64, averaging float32 only) and
// ValueError for a root rank outside [0, size()). A mismatch between the
// processes at run time is an InvalidArgument Status from Session::run on
// every process (communicator.h).
#ifndef MINITF_DISTRIBUTED_COLLECTIVE_OPS_H_
#define MINITF_DISTRIBUTED_COLLECTIVE_OPS_H_

#include <string>
#include <vector>

#include "minitf/graph/node.h"
#include "minitf/variables/variable.h"

namespace minitf::hvd {

struct AllreduceOptions {
  // True: the mean over processes (Horovod's op=Average); false: the sum.
  bool average = true;
  // The op's name; "" is Horovod's "HorovodAllreduce_<tensor name>" (for
  // grouped_allreduce "HorovodGroupedAllreduce_<first tensor's name>").
  std::string name = "";
};

Output allreduce(Output tensor, const AllreduceOptions& options = {});
// One fused collective over every tensor; outputs in the inputs' order.
// REQUIRES: tensors is not empty.
std::vector<Output> grouped_allreduce(const std::vector<Output>& tensors,
                                      const AllreduceOptions& options = {});
// Process root_rank's value of `tensor` on every process.
Output broadcast(Output tensor, int root_rank, const std::string& name = "");

// An op assigning every variable root_rank's value (one broadcast each).
Operation broadcast_variables(const std::vector<Variable>& variables,
                              int root_rank);
// broadcast_variables(global_variables(), root_rank): run it once after
// the initializer (or a restore on the root) so that every process starts
// from the same weights.
Operation broadcast_global_variables(int root_rank);

namespace internal {
// Registers the Horovod ops, once; init() and the builders call it.
void RegisterHorovodOps();
}  // namespace internal

}  // namespace minitf::hvd

#endif  // MINITF_DISTRIBUTED_COLLECTIVE_OPS_H_
