// The thread-local building context and its RAII guards: TF's `with` blocks.
//
//   tf::Graph g;
//   tf::GraphGuard as_default(g);            // with g.as_default():
//   {
//     tf::name_scope scope("layer");         // with tf.name_scope("layer") as
//     s: scope.name() == "layer/"; tf::control_dependencies deps({init}); //
//     with tf.control_dependencies([init]): auto y = tf::identity(x); //
//     "layer/Identity", runs after init
//   }
//
// Guards must be destroyed in reverse order of creation (scopes nest).
// Each thread has its own default-graph stack; a process-wide default graph
// serves when none was pushed.
#ifndef MINITF_GRAPH_CONTEXT_H_
#define MINITF_GRAPH_CONTEXT_H_

#include <optional>
#include <string>

#include "absl/types/span.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/graph.h"

namespace minitf {

// The innermost GraphGuard's graph, or the process-wide default graph.
Graph& get_default_graph();
// Replaces the process-wide default graph with a new, empty one.
// REQUIRES: no GraphGuard active on this thread (TF's rule).
void reset_default_graph();

// Makes `graph` the default graph for this thread while alive.
class GraphGuard {
 public:
  explicit GraphGuard(Graph& graph);
  ~GraphGuard();
  GraphGuard(const GraphGuard&) = delete;
  GraphGuard& operator=(const GraphGuard&) = delete;

 private:
  Graph* graph_;
};

// TF's tf.name_scope(name, default_name): pushes a name scope on the
// default graph. nullopt or "" resets to the root; a name ending in "/"
// re-enters that scope verbatim; otherwise the name is made unique.
// Throws ValueError "'%s' is not a valid scope name" for an invalid name.
class name_scope {
 public:
  explicit name_scope(std::optional<std::string> name,
                      std::optional<std::string> default_name = std::nullopt);
  explicit name_scope(const char* name)
      : name_scope(std::optional<std::string>(name)) {}
  ~name_scope();
  name_scope(const name_scope&) = delete;
  name_scope& operator=(const name_scope&) = delete;

  // The scope's name with a trailing "/" ("" at the root), as `as s` yields.
  const std::string& name() const { return name_; }

 private:
  Graph* graph_;
  std::string old_stack_;
  std::string name_;
};

// TF's tf.control_dependencies(inputs): ops created while alive run after
// every op in `inputs`. Passing nullptr clears the inherited dependencies.
class control_dependencies {
 public:
  explicit control_dependencies(absl::Span<const CollectionItem> inputs);
  control_dependencies(std::initializer_list<CollectionItem> inputs)
      : control_dependencies(
            absl::MakeConstSpan(inputs.begin(), inputs.size())) {}
  explicit control_dependencies(std::nullptr_t);
  ~control_dependencies();
  control_dependencies(const control_dependencies&) = delete;
  control_dependencies& operator=(const control_dependencies&) = delete;

 private:
  Graph* graph_;
  std::vector<Graph::ControlDependencyBlock> saved_;  // set when clearing
  bool cleared_ = false;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_CONTEXT_H_
