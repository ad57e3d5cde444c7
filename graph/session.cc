#include "minitf/graph/session.h"

#include <omp.h>

#include <atomic>
#include <iostream>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/logging.h"
#include "minitf/graph/execution_plan.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/plan_rewrite.h"

namespace minitf {

struct Session::State {
  // Guards `plans` and `num_plans`: every run looks its plan up under it.
  std::mutex mutex;
  absl::flat_hash_map<uint64_t, std::vector<std::unique_ptr<ExecutionPlan>>>
      plans;
  int num_plans = 0;
  // Held while a plan compiles or prepares an instance (the plan's
  // SessionResources::prepare_mutex); guards `variables` and `node_states`.
  // Runs of compiled plans never wait for it.
  std::mutex prepare_mutex;
  absl::flat_hash_map<const Node*, std::unique_ptr<VariableSlot>> variables;
  absl::node_hash_map<const Node*, std::shared_ptr<void>> node_states;
  // The plan the last slow-path lookup found: a run with its signature
  // reuses it without hashing or locking. Plans live as long as the
  // Session, so the pointer never dangles.
  std::atomic<ExecutionPlan*> last_plan{nullptr};

  // The plan compiled for this signature, or null.
  ExecutionPlan* Find(uint64_t hash, const FeedDict& feeds,
                      const std::vector<Output>& fetches,
                      const std::vector<Operation>& targets) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = plans.find(hash);
    if (it == plans.end()) return nullptr;
    for (const auto& candidate : it->second) {
      if (candidate->signature().Matches(feeds, fetches, targets)) {
        return candidate.get();
      }
    }
    return nullptr;
  }
};

namespace {

constexpr absl::string_view kGraphDestroyed =
    "The Session's Graph has been destroyed: a Session must not outlive its "
    "Graph";

// Whether feeds[i]'s endpoint is also fed by an earlier entry. Pairwise for
// the usual few feeds (no allocation), through a set beyond.
bool FedBefore(const FeedDict& feeds, size_t i,
               absl::flat_hash_set<Output>& seen) {
  constexpr size_t kPairwise = 16;
  if (feeds.size() <= kPairwise) {
    for (size_t j = 0; j < i; ++j) {
      if (feeds[j].first == feeds[i].first) return true;
    }
    return false;
  }
  return !seen.insert(feeds[i].first).second;
}

// The one point where feeds are bound: every check of a feed runs here,
// before a plan is looked up or compiled (a plan assumes one value per fed
// endpoint, of its dtype and a compatible shape). A feed whose graph was
// destroyed throws its handle's error, which run() returns.
absl::Status ValidateFeeds(const Graph& graph, const FeedDict& feeds) {
  absl::flat_hash_set<Output> seen;
  for (size_t i = 0; i < feeds.size(); ++i) {
    const auto& [output, value] = feeds[i];
    if (output.is_null() || output.graph() != &graph) {
      return absl::InvalidArgumentError(
          absl::StrCat("Cannot interpret feed_dict key as Tensor: Tensor ",
                       output.is_null() ? "None" : output.name(),
                       " is not an element of this graph."));
    }
    if (FedBefore(feeds, i, seen)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Endpoint \"", output.name(), "\" fed more than once."));
    }
    if (!value.IsInitialized()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot feed an empty Tensor for Tensor '", output.name(), "'"));
    }
    if (value.dtype() != output.dtype()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Expects arg[", i, "] to be ", DataTypeProtoName(output.dtype()),
          " but ", DataTypeProtoName(value.dtype()), " is provided"));
    }
    if (!value.shape().IsCompatibleWith(output.shape())) {
      return absl::InvalidArgumentError(
          absl::StrCat("Cannot feed value of shape ", value.shape().ToString(),
                       " for Tensor '", output.name(), "', which has shape '",
                       output.shape().ToString(), "'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFetches(const Graph& graph,
                             const std::vector<Output>& fetches,
                             const std::vector<Operation>& targets) {
  for (const Output& f : fetches) {
    if (f.is_null()) {
      return absl::InvalidArgumentError(
          "Fetch argument None has invalid type <class 'NoneType'>");
    }
    if (f.graph() != &graph) {
      return absl::InvalidArgumentError(
          absl::StrCat("Fetch argument ", f.name(),
                       " cannot be interpreted as a Tensor. (Tensor ", f.name(),
                       " is not an element of this graph.)"));
    }
  }
  for (const Operation& t : targets) {
    if (t.is_null()) {
      return absl::InvalidArgumentError(
          "Fetch argument None has invalid type <class 'NoneType'>");
    }
    if (t.graph() != &graph) {
      return absl::InvalidArgumentError(
          absl::StrCat("Fetch argument ", t.name(),
                       " cannot be interpreted as an Operation. "
                       "(Operation ",
                       t.name(), " is not an element of this graph.)"));
    }
  }
  return absl::OkStatus();
}

// The steady-state check: whether `plan`'s signature proves every check of
// ValidateFeeds and ValidateFetches for these arguments. It does when the
// endpoints and feed shapes are the plan's (which passed them when it
// compiled: in this graph, no endpoint fed twice, compatible shapes) and
// each feed is initialized and of its endpoint's dtype. A handle whose graph
// was destroyed throws its error, in the order the full checks would reach
// it; any other failure returns false, and the full checks then report it.
bool SignatureProvesValid(const ExecutionPlan& plan, const FeedDict& feeds,
                          const std::vector<Output>& fetches,
                          const std::vector<Operation>& targets) {
  if (!plan.signature().Matches(feeds, fetches, targets)) return false;
  for (const auto& [output, value] : feeds) {
    const Node* node = output.node();  // CheckAlive
    if (!value.IsInitialized() ||
        value.dtype() != node->output_dtype(output.index())) {
      return false;
    }
  }
  for (const Output& f : fetches) static_cast<void>(f.node());
  for (const Operation& t : targets) static_cast<void>(t.node());
  return true;
}

// The process-wide mixed-precision switch (session.h) and whether a Session
// was created while it was off.
std::atomic<bool> mixed_precision_graph_rewrite{false};
std::atomic<bool> session_without_mixed_precision{false};

// TF accepts any intra_op_parallelism_threads and sizes its pool with it
// (0: the machine's parallelism); a negative size fails a CHECK there. Here
// a negative count is a ValueError, and a count above the processors is
// clamped: OpenMP would try to start that many threads on every run, and
// oneDNN gains nothing from more threads than processors.
SessionOptions ValidateOptions(SessionOptions options) {
  int& threads = options.intra_op_parallelism_threads;
  if (threads < 0) {
    ThrowValueError(absl::StrCat(
        "intra_op_parallelism_threads must be >= 0 (0 keeps the process "
        "default), got ",
        threads));
  }
  const int processors = omp_get_num_procs();
  if (threads > processors) {
    Log().warn(
        "intra_op_parallelism_threads = {} exceeds the {} processors of this "
        "machine; using {}",
        threads, processors, processors);
    threads = processors;
  }
  if (MixedPrecisionGraphRewriteEnabled()) {
    options.graph_options.rewrite_options.auto_mixed_precision = true;
  } else {
    NoteSessionWithoutMixedPrecision();
  }
  return options;
}

}  // namespace

void SetMixedPrecisionGraphRewrite(bool enabled) {
  mixed_precision_graph_rewrite = enabled;
}
bool MixedPrecisionGraphRewriteEnabled() {
  return mixed_precision_graph_rewrite;
}
bool SessionWithoutMixedPrecisionCreated() {
  return session_without_mixed_precision;
}
void NoteSessionWithoutMixedPrecision() {
  session_without_mixed_precision = true;
}

Session::Session(Graph& graph, SessionOptions options)
    : graph_(&graph),
      graph_lifetime_(graph.lifetime()),
      options_(ValidateOptions(options)),
      state_(std::make_unique<State>()) {}

Session::~Session() = default;

Graph& Session::graph() const {
  if (!graph_lifetime_->alive()) {
    ThrowRuntimeError(kGraphDestroyed);
  }
  return *graph_;
}

int Session::num_compiled_plans() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->num_plans;
}

absl::StatusOr<std::vector<Tensor>> Session::run(
    const FeedDict& feeds, const std::vector<Output>& fetches,
    const std::vector<Operation>& targets) {
  // Nothing escapes run() as an exception: a shape function, kernel or
  // allocation that throws while a plan compiles or runs becomes its Status.
  try {
    return RunOrThrow(feeds, fetches, targets);
  } catch (const Error& e) {
    return e.status();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("OOM while running the session");
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  }
}

absl::StatusOr<std::vector<Tensor>> Session::RunOrThrow(
    const FeedDict& feeds, const std::vector<Output>& fetches,
    const std::vector<Operation>& targets) {
  if (!graph_lifetime_->alive()) {
    return absl::FailedPreconditionError(kGraphDestroyed);
  }
  if (options_.intra_op_parallelism_threads > 0) {
    omp_set_num_threads(options_.intra_op_parallelism_threads);
  }
  // Steady state: the same signature as the last lookup. No hash, no lock.
  if (ExecutionPlan* last = state_->last_plan.load(std::memory_order_acquire);
      last != nullptr && SignatureProvesValid(*last, feeds, fetches, targets)) {
    return last->Run(feeds);
  }
  MINITF_RETURN_IF_ERROR(ValidateFeeds(*graph_, feeds));
  MINITF_RETURN_IF_ERROR(ValidateFetches(*graph_, fetches, targets));
  const uint64_t hash = PlanSignature::Hash(feeds, fetches, targets);
  ExecutionPlan* plan = state_->Find(hash, feeds, fetches, targets);
  if (plan == nullptr) {
    // One compilation per signature: a run that finds another thread
    // compiling it waits, then finds its plan.
    std::lock_guard<std::mutex> preparing(state_->prepare_mutex);
    plan = state_->Find(hash, feeds, fetches, targets);
    if (plan == nullptr) {
      ExecutionPlan::SessionResources resources{
          .variable =
              [this](const Node& node) {
                std::unique_ptr<VariableSlot>& slot = state_->variables[&node];
                if (slot == nullptr) {
                  slot = std::make_unique<VariableSlot>();
                  slot->name = node.name();
                }
                return slot.get();
              },
          .node_state =
              [this](const Node& node) { return &state_->node_states[&node]; },
          .prepare_mutex = &state_->prepare_mutex};
      MINITF_ASSIGN_OR_RETURN(
          std::unique_ptr<ExecutionPlan> compiled,
          ExecutionPlan::Compile(
              feeds, fetches, targets, resources,
              PlanRewritesFor(options_.graph_options.rewrite_options)));
      plan = compiled.get();
      if (options_.log_compiled_plans) {
        std::clog << "minitf: compiled a plan:\n"
                  << plan->DebugString() << "\n";
      }
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->plans[hash].push_back(std::move(compiled));
      ++state_->num_plans;
    }
  }
  if (state_->last_plan.load(std::memory_order_relaxed) != plan) {
    state_->last_plan.store(plan, std::memory_order_release);
  }
  return plan->Run(feeds);
}

}  // namespace minitf
