#include "minitf/distributed/communicator.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"

#ifdef MINITF_HAVE_MPI
#include <mpi.h>
#endif

namespace minitf::hvd::internal {
namespace {

[[noreturn]] void ThrowNotInitialized() { ThrowValueError(kNotInitialized); }

}  // namespace

uint64_t Fnv1a(absl::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

#ifdef MINITF_HAVE_MPI

struct Communicator::Mpi {
  MPI_Comm comm = MPI_COMM_NULL;
  bool owns_mpi = false;  // this process called MPI_Init
  int64_t header[2] = {0, 0};
  std::vector<int64_t> gathered;  // every process's header
};

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A number from the environment, or `fallback` when unset or unreadable.
double EnvNumber(const char* name, double fallback) {
  const char* text = std::getenv(name);
  double value = 0;
  if (text == nullptr || !absl::SimpleAtod(text, &value)) return fallback;
  return value;
}

// Set by the launcher (Open MPI's mpirun, PMIx, MPICH's hydra).
bool LaunchedByMpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr ||
         std::getenv("PMI_RANK") != nullptr;
}

absl::Status MpiError(int code, absl::string_view during) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  return absl::InternalError(absl::StrCat("MPI failed in ", during, ": ",
                                          absl::string_view(text, length)));
}

MPI_Datatype MpiType(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
      return MPI_FLOAT;
    case DataType::kInt32:
      return MPI_INT32_T;
    case DataType::kInt64:
      return MPI_INT64_T;
    case DataType::kBool:
    case DataType::kBFloat16:
    case DataType::kInvalid:
      break;
  }
  return MPI_DATATYPE_NULL;
}

}  // namespace

absl::Status Communicator::Init() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (initialized_) return absl::OkStatus();
  if (shut_down_) {
    return absl::FailedPreconditionError(
        "Horovod was shut down; it cannot be initialized again");
  }
  settings_.stall_warning_seconds = EnvNumber(
      "HOROVOD_STALL_CHECK_TIME_SECONDS", settings_.stall_warning_seconds);
  settings_.stall_shutdown_seconds = EnvNumber(
      "HOROVOD_STALL_SHUTDOWN_TIME_SECONDS", settings_.stall_shutdown_seconds);
  settings_.fusion_threshold_bytes = static_cast<int64_t>(
      EnvNumber("HOROVOD_FUSION_THRESHOLD",
                static_cast<double>(settings_.fusion_threshold_bytes)));
  if (settings_.fusion_threshold_bytes < 1024) {
    settings_.fusion_threshold_bytes = 1024;
  }
  if (LaunchedByMpi()) {
    auto mpi = std::make_unique<Mpi>();
    int already = 0;
    MPI_Initialized(&already);
    if (!already) {
      int provided = 0;
      const int rc =
          MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
      if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Init_thread");
      mpi->owns_mpi = true;
    }
    int rc = MPI_Comm_dup(MPI_COMM_WORLD, &mpi->comm);
    if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Comm_dup");
    // Failures come back as codes, which become Statuses, rather than
    // aborting the job.
    MPI_Comm_set_errhandler(mpi->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(mpi->comm, &rank_);
    MPI_Comm_size(mpi->comm, &size_);
    MPI_Comm local;
    rc = MPI_Comm_split_type(mpi->comm, MPI_COMM_TYPE_SHARED, rank_,
                             MPI_INFO_NULL, &local);
    if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Comm_split_type");
    MPI_Comm_rank(local, &local_rank_);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    mpi->gathered.resize(2 * static_cast<size_t>(size_));
    mpi_ = std::move(mpi);
    std::atexit([] { Get().Shutdown(); });
  }
  initialized_ = true;
  return absl::OkStatus();
}

void Communicator::Shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (mpi_ != nullptr) {
    // An abandoned collective is still pending: finalizing would wait for
    // it. Exiting without MPI_Finalize makes mpirun stop the job instead.
    if (broken_.empty()) {
      MPI_Comm_free(&mpi_->comm);
      if (mpi_->owns_mpi) MPI_Finalize();
    }
    mpi_.reset();
  }
  if (initialized_) shut_down_ = true;
  initialized_ = false;
}

void Communicator::Abort(int exit_code) {
  // No lock: another thread may hold it inside a collective.
  if (mpi_ != nullptr) MPI_Abort(mpi_->comm, exit_code);
  std::_Exit(exit_code);
}

absl::Status Communicator::Agree(absl::string_view what) {
  Mpi& mpi = *mpi_;
  mpi.header[0] = static_cast<int64_t>(Fnv1a(what));
  mpi.header[1] = static_cast<int64_t>(what.size());
  MPI_Request request;
  int rc = MPI_Iallgather(mpi.header, 2, MPI_INT64_T, mpi.gathered.data(), 2,
                          MPI_INT64_T, mpi.comm, &request);
  if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Iallgather");
  const Clock::time_point start = Clock::now();
  bool warned = false;
  for (int64_t spin = 0;; ++spin) {
    int done = 0;
    rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Test");
    if (done) break;
    if (spin % 4096 == 0) {
      const double waited = SecondsSince(start);
      if (!warned && waited > settings_.stall_warning_seconds) {
        Log().warn(
            "rank {} has waited {:.0f} s for the other processes to join "
            "{}: one or more of them may have stopped, or be running a "
            "different collective (they must run the same graph in the "
            "same order)",
            rank_, waited, std::string(what));
        warned = true;
      }
      if (settings_.stall_shutdown_seconds > 0 &&
          waited > settings_.stall_shutdown_seconds) {
        broken_ = absl::StrCat("rank ", rank_, " gave up waiting for ", what,
                               " after ", static_cast<int64_t>(waited),
                               " s (HOROVOD_STALL_SHUTDOWN_TIME_SECONDS)");
        return absl::DeadlineExceededError(broken_);
      }
    }
    std::this_thread::yield();
  }
  bool same = true;
  for (int r = 0; r < size_; ++r) {
    same = same && mpi.gathered[2 * r] == mpi.header[0] &&
           mpi.gathered[2 * r + 1] == mpi.header[1];
  }
  if (same) return absl::OkStatus();

  // Every process saw the same headers, so all of them are here: gather the
  // texts and say who runs what.
  std::vector<int> lengths(size_), offsets(size_);
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    lengths[r] = static_cast<int>(mpi.gathered[2 * r + 1]);
    offsets[r] = total;
    total += lengths[r];
  }
  std::string texts(total, '\0');
  rc = MPI_Allgatherv(what.data(), static_cast<int>(what.size()), MPI_CHAR,
                      texts.data(), lengths.data(), offsets.data(), MPI_CHAR,
                      mpi.comm);
  if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Allgatherv");
  // Each distinct collective with the ranks running it, in rank order.
  std::vector<std::pair<std::string, std::vector<int>>> groups;
  for (int r = 0; r < size_; ++r) {
    std::string text = texts.substr(offsets[r], lengths[r]);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == text; });
    if (it == groups.end()) {
      groups.push_back({std::move(text), {r}});
    } else {
      it->second.push_back(r);
    }
  }
  std::vector<std::string> parts;
  for (const auto& [text, ranks] : groups) {
    parts.push_back(absl::StrCat(ranks.size() == 1 ? "rank " : "ranks ",
                                 absl::StrJoin(ranks, ","), " ran ", text));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "Mismatched collective across processes (each must run the same "
      "collectives in the same order): ",
      absl::StrJoin(parts, "; ")));
}

absl::Status Communicator::Collective(
    absl::string_view what, absl::FunctionRef<absl::Status()> transfer) {
  std::lock_guard<std::mutex> lock(mutex_);
  MINITF_RETURN_IF_ERROR(CheckUsable());
  if (size_ == 1) return absl::OkStatus();
  const Clock::time_point start = Clock::now();
  MINITF_RETURN_IF_ERROR(Agree(what));
  const Clock::time_point agreed = Clock::now();
  MINITF_RETURN_IF_ERROR(transfer());
  ++times_.collectives;
  times_.agreement_seconds +=
      std::chrono::duration<double>(agreed - start).count();
  times_.transfer_seconds += SecondsSince(agreed);
  return absl::OkStatus();
}

absl::Status Communicator::Allreduce(absl::string_view what,
                                     absl::Span<const ReduceBuffer> buffers) {
  return Collective(what, [&]() -> absl::Status {
    for (const ReduceBuffer& b : buffers) {
      const MPI_Datatype type = MpiType(b.dtype);
      if (type == MPI_DATATYPE_NULL) {
        return absl::InvalidArgumentError(absl::StrCat(
            "allreduce does not support dtype ", DataTypeName(b.dtype)));
      }
      const int64_t element = static_cast<int64_t>(DataTypeSize(b.dtype));
      const int64_t chunk =
          std::max<int64_t>(1, settings_.fusion_threshold_bytes / element);
      for (int64_t done = 0; done < b.count; done += chunk) {
        const int count = static_cast<int>(std::min(chunk, b.count - done));
        const int rc = MPI_Allreduce(
            MPI_IN_PLACE, static_cast<char*>(b.data) + done * element, count,
            type, MPI_SUM, mpi_->comm);
        if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Allreduce");
      }
    }
    return absl::OkStatus();
  });
}

absl::Status Communicator::Broadcast(absl::string_view what, void* data,
                                     int64_t bytes, int root) {
  return Collective(what, [&]() -> absl::Status {
    const int64_t chunk = settings_.fusion_threshold_bytes;
    for (int64_t done = 0; done < bytes; done += chunk) {
      const int count = static_cast<int>(std::min(chunk, bytes - done));
      const int rc = MPI_Bcast(static_cast<char*>(data) + done, count, MPI_BYTE,
                               root, mpi_->comm);
      if (rc != MPI_SUCCESS) return MpiError(rc, "MPI_Bcast");
    }
    return absl::OkStatus();
  });
}

#else  // !MINITF_HAVE_MPI: every process runs alone.

struct Communicator::Mpi {};

absl::Status Communicator::Init() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shut_down_) {
    return absl::FailedPreconditionError(
        "Horovod was shut down; it cannot be initialized again");
  }
  initialized_ = true;
  return absl::OkStatus();
}

void Communicator::Shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (initialized_) shut_down_ = true;
  initialized_ = false;
}

void Communicator::Abort(int exit_code) { std::_Exit(exit_code); }

absl::Status Communicator::Allreduce(absl::string_view,
                                     absl::Span<const ReduceBuffer>) {
  std::lock_guard<std::mutex> lock(mutex_);
  return CheckUsable();
}

absl::Status Communicator::Broadcast(absl::string_view, void*, int64_t, int) {
  std::lock_guard<std::mutex> lock(mutex_);
  return CheckUsable();
}

#endif  // MINITF_HAVE_MPI

Communicator& Communicator::Get() {
  static auto* communicator = new Communicator();
  return *communicator;
}

absl::Status Communicator::CheckUsable() const {
  if (!broken_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the processes are out of step since an earlier collective was "
        "abandoned: ",
        broken_));
  }
  if (!initialized_) {
    return absl::FailedPreconditionError(
        shut_down_ ? "Horovod was shut down; no collective can run"
                   : kNotInitialized);
  }
  return absl::OkStatus();
}

bool Communicator::initialized() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return initialized_;
}

absl::Status Communicator::Usable() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return CheckUsable();
}

bool Communicator::mpi_enabled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mpi_ != nullptr;
}

int Communicator::Read(const int& field) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!initialized_) ThrowNotInitialized();
  return field;
}

int Communicator::rank() const { return Read(rank_); }
int Communicator::size() const { return Read(size_); }
int Communicator::local_rank() const { return Read(local_rank_); }
int Communicator::local_size() const { return Read(local_size_); }

CollectiveTimes Communicator::times() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return times_;
}

}  // namespace minitf::hvd::internal
