#include "minitf/distributed/basics.h"

#include "minitf/distributed/collective_ops.h"
#include "minitf/distributed/communicator.h"

namespace minitf::hvd {

using internal::Communicator;

absl::Status init() {
  internal::RegisterHorovodOps();
  return Communicator::Get().Init();
}

bool is_initialized() { return Communicator::Get().initialized(); }
void shutdown() { Communicator::Get().Shutdown(); }
int rank() { return Communicator::Get().rank(); }
int size() { return Communicator::Get().size(); }
int local_rank() { return Communicator::Get().local_rank(); }
int local_size() { return Communicator::Get().local_size(); }
void abort_job(int exit_code) { Communicator::Get().Abort(exit_code); }
bool mpi_enabled() { return Communicator::Get().mpi_enabled(); }

}  // namespace minitf::hvd
