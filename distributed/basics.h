// Horovod's process-group basics for minitf (TF1's `import horovod.tensorflow
// as hvd`): init(), rank(), size(), local_rank(), local_size(), shutdown().
//
//   #include "minitf/distributed/hvd.h"
//   namespace hvd = minitf::hvd;
//   int main() {
//     if (absl::Status s = hvd::init(); !s.ok()) { ...report s...; return 1; }
//     std::cout << "process " << hvd::rank() << " of " << hvd::size();
//   }
//
// Launched by `mpirun -np N`, init() joins the MPI job (Open MPI): rank() is
// this process's index in [0, size()), local_rank() its index among the
// processes on this host. Run without a launcher it does not touch MPI:
// size() is 1 and every collective is a local copy, so a Horovod program
// runs unchanged as a plain single-process one. A build without MPI (CMake
// found none) behaves the same way everywhere.
//
// The job ends with MPI_Finalize at process exit (or at shutdown()), which
// waits for every process. A process that fails while the others may be in
// a collective calls abort_job() instead: mpirun stops them all and says
// which process aborted. (A process that dies is reported the same way.)
//
// Thread-safe. Collectives of one process are issued one at a time, in the
// order its steps reach them; every process must issue the same ones in the
// same order (the same graph, run the same way), as in Horovod.
#ifndef MINITF_DISTRIBUTED_BASICS_H_
#define MINITF_DISTRIBUTED_BASICS_H_

#include "absl/status/status.h"

namespace minitf::hvd {

// Joins the MPI job when launched by mpirun (MPI_Init_thread); idempotent.
// Returns Internal with MPI's message when MPI cannot start, and
// FailedPrecondition after shutdown().
[[nodiscard]] absl::Status init();

// True after a successful init() and before shutdown().
bool is_initialized();

// Finalizes MPI (also done at exit); collectives fail afterwards.
void shutdown();

// This process's rank in the job and the number of processes; the same
// among the processes of this host. Each throws Horovod's ValueError
// "Horovod has not been initialized; use hvd.init()." before init().
int rank();
int size();
int local_rank();
int local_size();

// Stops every process of the job with `exit_code` (MPI_Abort); alone, exits
// the process with it.
[[noreturn]] void abort_job(int exit_code);

// True when init() joined an MPI job (even of one process) rather than
// running stand-alone.
bool mpi_enabled();

}  // namespace minitf::hvd

#endif  // MINITF_DISTRIBUTED_BASICS_H_
