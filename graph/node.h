// The pieces of a graph: Node (one op instance), and the two handles user
// code holds, Operation (a node) and Output (a symbolic tensor, "scope/Op:0",
// with a dtype and a static shape).
//
//   tf::Output x = tf::placeholder(tf::float32, {-1, 3}, "x");
//   x.name() == "x:0";  x.shape().ToString() == "(?, 3)";
//   tf::Operation op = x.op();  op.type() == "Placeholder";
//
// Handles are cheap values. They stay valid while their Graph lives; used
// after it is destroyed, every accessor that needs the node throws
// minitf::Error (FailedPrecondition, RuntimeError) naming the handle, e.g.
// "Output 'x:0' belongs to a Graph that has been destroyed", instead of
// reading freed memory. Comparing and hashing handles never fails.
#ifndef MINITF_GRAPH_NODE_H_
#define MINITF_GRAPH_NODE_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "minitf/core/dtype.h"
#include "minitf/core/errors.h"
#include "minitf/core/shape.h"
#include "minitf/graph/attr.h"

namespace minitf {

class Graph;
class Node;
struct OpDef;

// Whether a Graph still lives. The Graph and every handle into it share one;
// a handle asks it before touching its node (see CheckAlive). Once the graph
// is destroyed it keeps the names of the graph's nodes, for messages.
class GraphLifetime {
 public:
  bool alive() const { return alive_.load(std::memory_order_acquire); }
  // FailedPrecondition: "<kind> '<name>' belongs to a Graph that has been
  // destroyed". `index` < 0 names the node itself ("op"), else its output
  // ("op:index"). REQUIRES: !alive().
  absl::Status DestroyedError(absl::string_view kind, const Node* node,
                              int index) const;

 private:
  friend class Graph;
  std::atomic<bool> alive_{true};
  // Filled by ~Graph when handles outlive it.
  absl::flat_hash_map<const Node*, std::string> names_;
};

using GraphLifetimePtr = std::shared_ptr<const GraphLifetime>;

// Throws `lifetime.DestroyedError(...)` as minitf::Error ("RuntimeError").
[[noreturn]] void ThrowGraphDestroyed(const GraphLifetime& lifetime,
                                      const char* kind, const Node* node,
                                      int index);

// The one check every handle makes before dereferencing its node: returns
// quietly while the graph lives (or for a null handle), else throws.
inline void CheckAlive(const GraphLifetimePtr& lifetime, const char* kind,
                       const Node* node, int index) {
  if (lifetime != nullptr && !lifetime->alive()) [[unlikely]] {
    ThrowGraphDestroyed(*lifetime, kind, node, index);
  }
}

// A symbolic tensor: output `index` of a node. Default-constructed, it is
// null (TF's None, e.g. the gradient of an unreachable x).
class Output {
 public:
  Output() = default;
  // REQUIRES: `node` is null or belongs to a live Graph.
  Output(Node* node, int index);

  bool is_null() const { return node_ == nullptr; }
  explicit operator bool() const { return node_ != nullptr; }
  // Throws if the graph was destroyed (as every accessor below does).
  Node* node() const {
    CheckAlive(lifetime_, "Output", node_, index_);
    return node_;
  }
  int index() const { return index_; }
  class Operation op() const;
  Graph* graph() const;
  // "name:index", e.g. "conv2d/Relu:0".
  std::string name() const;
  DataType dtype() const;
  const Shape& shape() const;

  friend bool operator==(const Output& a, const Output& b) {
    return a.node_ == b.node_ && a.index_ == b.index_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Output& o) {
    return H::combine(std::move(h), o.node_, o.index_);
  }
  // CheckAlive for a handle built on this Output (a Variable), naming it
  // `kind` in the message.
  friend void CheckAlive(const Output& output, const char* kind) {
    CheckAlive(output.lifetime_, kind, output.node_, output.index_);
  }

 private:
  friend class Operation;
  Output(Node* node, int index, GraphLifetimePtr lifetime)
      : node_(node), index_(index), lifetime_(std::move(lifetime)) {}

  Node* node_ = nullptr;
  int index_ = 0;
  GraphLifetimePtr lifetime_;
};

// A handle to one node. Default-constructed, it is null.
class Operation {
 public:
  Operation() = default;
  // REQUIRES: `node` is null or belongs to a live Graph.
  explicit Operation(Node* node);

  bool is_null() const { return node_ == nullptr; }
  explicit operator bool() const { return node_ != nullptr; }
  // Throws if the graph was destroyed (as every accessor below does).
  Node* node() const {
    CheckAlive(lifetime_, "Operation", node_, -1);
    return node_;
  }
  const std::string& name() const;
  const std::string& type() const;
  Graph* graph() const;
  int num_outputs() const;
  // REQUIRES: 0 <= i < num_outputs().
  Output output(int i) const;
  const std::vector<Output>& inputs() const;
  const std::vector<Node*>& control_inputs() const;

  friend bool operator==(const Operation& a, const Operation& b) {
    return a.node_ == b.node_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Operation& o) {
    return H::combine(std::move(h), o.node_);
  }

 private:
  friend class Output;
  Operation(Node* node, GraphLifetimePtr lifetime)
      : node_(node), lifetime_(std::move(lifetime)) {}

  Node* node_ = nullptr;
  GraphLifetimePtr lifetime_;
};

// One op instance. Created only by OpBuilder; immutable once added, except
// for control inputs added by the graph's own passes.
class Node {
 public:
  int id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  Graph* graph() const { return graph_; }
  const OpDef& op_def() const { return *op_def_; }
  const std::vector<Output>& inputs() const { return inputs_; }
  const Output& input(int i) const { return inputs_[i]; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const std::vector<Node*>& control_inputs() const { return control_inputs_; }
  int num_outputs() const { return static_cast<int>(output_dtypes_.size()); }
  DataType output_dtype(int i) const { return output_dtypes_[i]; }
  const Shape& output_shape(int i) const { return output_shapes_[i]; }
  const AttrMap& attrs() const { return attrs_; }
  bool HasAttr(absl::string_view name) const { return attrs_.count(name) > 0; }
  // Returns the attribute; throws if it is missing or of another type.
  template <typename T>
  const T& attr(absl::string_view name) const {
    auto it = attrs_.find(name);
    if (it == attrs_.end() || !std::holds_alternative<T>(it->second)) {
      ThrowAttrError(name);
    }
    return std::get<T>(it->second);
  }
  template <typename T>
  T attr_or(absl::string_view name, T fallback) const {
    auto it = attrs_.find(name);
    if (it == attrs_.end() || !std::holds_alternative<T>(it->second)) {
      return fallback;
    }
    return std::get<T>(it->second);
  }

 private:
  friend class Graph;
  friend class OpBuilder;
  [[noreturn]] void ThrowAttrError(absl::string_view name) const;

  int id_ = 0;
  std::string name_;
  std::string type_;
  Graph* graph_ = nullptr;
  const OpDef* op_def_ = nullptr;
  std::vector<Output> inputs_;
  std::vector<Node*> control_inputs_;
  AttrMap attrs_;
  std::vector<DataType> output_dtypes_;
  std::vector<Shape> output_shapes_;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_NODE_H_
