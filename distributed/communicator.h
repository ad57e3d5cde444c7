// The process's MPI communicator behind minitf::hvd: the job's ranks, the
// collectives the Horovod kernels issue, their agreement check and their
// stall watch. Internal to distributed/ (and its tests and benchmark).
//
//   Communicator& comm = Communicator::Get();
//   MINITF_RETURN_IF_ERROR(comm.Allreduce(
//       "HorovodAllreduce 'g' (average) on float32[3,4]", {{data, 12,
//       kFloat}}));
//
// Every collective first exchanges a small header (a hash of what this
// process is about to do: op type, name, dtypes and shapes) with an
// allgather, so that processes that disagree get an InvalidArgument naming
// both sides instead of reducing mismatched buffers or hanging in MPI.
// While waiting for the others it warns after HOROVOD_STALL_CHECK_TIME_
// SECONDS (default 60) and, when HOROVOD_STALL_SHUTDOWN_TIME_SECONDS is set
// (> 0), gives up with DeadlineExceeded; the processes are then out of
// step, so every later collective returns FailedPrecondition at once.
// MPI runs with MPI_ERRORS_RETURN: its failures come back as Internal.
//
// Thread-safe: collectives run one at a time under a mutex.
#ifndef MINITF_DISTRIBUTED_COMMUNICATOR_H_
#define MINITF_DISTRIBUTED_COMMUNICATOR_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/core/dtype.h"

namespace minitf::hvd::internal {

// A buffer a collective reduces in place.
struct ReduceBuffer {
  void* data = nullptr;
  int64_t count = 0;  // elements
  DataType dtype = DataType::kInvalid;
};

// Where collectives spent their time, summed since the process started.
struct CollectiveTimes {
  int64_t collectives = 0;
  double agreement_seconds = 0;  // header exchange: waiting for the others
  double transfer_seconds = 0;   // moving and reducing the data
};

// Horovod's text for any use before init().
inline constexpr char kNotInitialized[] =
    "Horovod has not been initialized; use hvd.init().";

class Communicator {
 public:
  // The process's communicator.
  static Communicator& Get();

  absl::Status Init();
  void Shutdown();
  // MPI_Abort when in a job; then _Exit.
  [[noreturn]] void Abort(int exit_code);
  bool initialized() const;
  // OK when collectives can run: initialized, not shut down, in step.
  absl::Status Usable() const;
  bool mpi_enabled() const;
  int rank() const;
  int size() const;
  int local_rank() const;
  int local_size() const;

  // Sums `buffers` over every process, in place, after checking that every
  // process describes its collective with the same `what` (a readable
  // text: op type, name, dtypes and shapes). A process alone returns at
  // once. Never allocates once the first call has sized its scratch.
  absl::Status Allreduce(absl::string_view what,
                         absl::Span<const ReduceBuffer> buffers);
  // Replaces `bytes` bytes at `data` with process `root`'s, after the same
  // agreement check.
  absl::Status Broadcast(absl::string_view what, void* data, int64_t bytes,
                         int root);

  CollectiveTimes times() const;

  // The environment's settings, read by Init().
  struct Settings {
    double stall_warning_seconds = 60;
    double stall_shutdown_seconds = 0;  // 0: wait for ever
    int64_t fusion_threshold_bytes = int64_t{64} << 20;
  };

 private:
  Communicator() = default;
  struct Mpi;  // MPI handles, absent from this header

  // Under the mutex: checks the communicator is usable, agrees on `what`
  // with the others, runs `transfer` (the MPI calls moving the data) and
  // adds to times_. Alone it does nothing. MPI builds only.
  absl::Status Collective(absl::string_view what,
                          absl::FunctionRef<absl::Status()> transfer);
  // Exchanges the header of `what`; InvalidArgument when any process
  // disagrees. REQUIRES: mutex_ held, size_ > 1.
  absl::Status Agree(absl::string_view what);
  absl::Status CheckUsable() const;
  // `field` read under the mutex; throws Horovod's ValueError before Init().
  int Read(const int& field) const;

  mutable std::mutex mutex_;
  bool initialized_ = false;
  bool shut_down_ = false;
  // Set when a collective was abandoned: the processes are out of step.
  std::string broken_;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
  Settings settings_;
  CollectiveTimes times_;
  std::unique_ptr<Mpi> mpi_;  // null when running stand-alone
};

// FNV-1a: the same 64-bit hash of `text` in every process (absl::Hash is
// seeded per process).
uint64_t Fnv1a(absl::string_view text);

}  // namespace minitf::hvd::internal

#endif  // MINITF_DISTRIBUTED_COMMUNICATOR_H_
