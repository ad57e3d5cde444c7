// Graph: the static dataflow graph, with TF1's naming (unique_name,
// name_stack), control-dependency stack and collections.
//
//   tf::Graph graph;
//   tf::GraphGuard as_default(graph);      // with graph.as_default():
//   auto x = tf::placeholder(tf::float32, {-1, 3}, "x");
//   graph.unique_name("x") == "x_1";
//   graph.get_tensor_by_name("x:0") == x;
//
// A Graph is built by one thread at a time (as in TF); a built graph can be
// run by sessions concurrently. Not copyable. Handles into a graph
// (Output, Operation, Variable, Session) may outlive it: used afterwards,
// they fail with FailedPrecondition naming themselves (see node.h).
#ifndef MINITF_GRAPH_GRAPH_H_
#define MINITF_GRAPH_GRAPH_H_

#include <any>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/node.h"

namespace minitf {

// A control-flow context, TF's ControlFlowContext (cond's CondContext lives
// in ops/control/cond.cc). While one is active on a thread, OpBuilder hands
// it each new op's inputs and control inputs before the op is built, so a
// value from outside a cond branch can be routed through a Switch and an op
// without inputs can be made to depend on the branch's pivot.
class ControlFlowContext {
 public:
  virtual ~ControlFlowContext() = default;
  // `op_name` is the new op's final name; `def` tells its ref inputs.
  virtual void AddOp(const OpDef& def, const std::string& op_name,
                     std::vector<Output>& inputs,
                     std::vector<Node*>& control_inputs) = 0;
};

class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // TF's Graph.unique_name: prefixes the name stack, tracks names
  // case-insensitively and appends _1, _2... to names already in use.
  std::string unique_name(absl::string_view name, bool mark_as_used = true);
  // The current name scope without a trailing slash ("" at the root).
  // Per thread, as in TF.
  const std::string& name_stack() const { return ThreadState().name_stack; }
  void set_name_stack(std::string stack) const {
    ThreadState().name_stack = std::move(stack);
  }

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  // Nodes in creation order, which is a topological order.
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  // Returns nullptr when there is no node of that name.
  Node* FindNode(absl::string_view name) const;
  // Throw TF's KeyError/ValueError text when the name is unknown.
  Operation get_operation_by_name(absl::string_view name) const;
  Output get_tensor_by_name(absl::string_view name) const;
  std::vector<Operation> get_operations() const;

  // Collections: see collections.h for the semantics.
  void add_to_collection(const std::string& name, CollectionItem value);
  void add_to_collections(absl::Span<const std::string> names,
                          CollectionItem value);
  std::vector<CollectionItem> get_collection(
      const std::string& key, const std::string& scope = "") const;
  std::vector<CollectionItem>& get_collection_ref(const std::string& key);
  std::vector<std::string> get_all_collection_keys() const;

  // One active control_dependencies block: its inputs, and the ops created
  // while it was active (an op whose data input is one of those is already
  // ordered after the inputs and gets no control inputs from the block).
  struct ControlDependencyBlock {
    std::vector<Operation> inputs;
    absl::flat_hash_set<const Node*> ops_in_block;
  };
  // The active blocks, outermost first (see context.h's guard). Per
  // thread, as in TF.
  std::vector<ControlDependencyBlock>& control_dependency_stack() const {
    return ThreadState().control_stack;
  }

  // The active control-flow context; null outside any cond branch. Per
  // thread, as in TF.
  ControlFlowContext* control_flow_context() const {
    return ThreadState().control_flow_context;
  }
  void set_control_flow_context(ControlFlowContext* context) const {
    ThreadState().control_flow_context = context;
  }

  // Per-graph state owned by other modules (the variable store, ...): one
  // default-constructed T per graph, created on first use.
  // Thread-safe.
  template <typename T>
  T& GetExtension() {
    std::lock_guard<std::mutex> lock(extensions_mutex_);
    std::any& slot = extensions_[std::type_index(typeid(T))];
    if (!slot.has_value()) slot = std::make_shared<T>();
    return *std::any_cast<std::shared_ptr<T>&>(slot);
  }

  // Shared with every handle into this graph; dead once ~Graph runs.
  GraphLifetimePtr lifetime() const { return lifetime_; }

  // Random seed set by tf::set_random_seed (nullopt: none).
  std::optional<int64_t> seed() const { return seed_; }
  void set_seed(std::optional<int64_t> seed) { seed_ = seed; }

 private:
  friend class OpBuilder;
  // Building state each thread keeps for each graph.
  struct ThreadLocalState {
    std::string name_stack;
    std::vector<ControlDependencyBlock> control_stack;
    ControlFlowContext* control_flow_context = nullptr;
  };
  ThreadLocalState& ThreadState() const;

  Node* AddNode(std::unique_ptr<Node> node);

  // Declared first, destroyed last: ~Graph marks it dead before anything
  // holding handles (nodes, collections, extensions) goes away.
  const std::shared_ptr<GraphLifetime> lifetime_ =
      std::make_shared<GraphLifetime>();
  std::vector<std::unique_ptr<Node>> nodes_;
  absl::flat_hash_map<std::string, Node*> nodes_by_name_;
  absl::flat_hash_map<std::string, int> names_in_use_;
  // Process-unique, so per-thread state never outlives its graph's
  // identity (an address can be reused by a later graph).
  const uint64_t id_;
  absl::node_hash_map<std::string, std::vector<CollectionItem>> collections_;
  std::vector<std::string> collection_order_;
  std::mutex extensions_mutex_;
  absl::flat_hash_map<std::type_index, std::any> extensions_;
  std::optional<int64_t> seed_;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_GRAPH_H_
