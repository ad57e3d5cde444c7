#include "minitf/graph/graphviz.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

// A name-scope tree: nodes directly in a scope, and its child scopes.
struct ScopeTree {
  std::vector<const Node*> nodes;
  std::map<std::string, ScopeTree> children;
};

std::string Quote(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

std::string NodeStyle(const Node& node) {
  if (node.op_def().is_variable) {
    return "shape=box, style=\"rounded,filled\", fillcolor=\"#ffe0a0\"";
  }
  if (node.type() == "Placeholder") {
    return "shape=invhouse, style=filled, fillcolor=\"#a0d8ff\"";
  }
  if (node.type() == "Const") return "shape=plaintext";
  return "shape=ellipse";
}

void Emit(const ScopeTree& tree, const std::string& prefix, int depth,
          std::string& out) {
  const std::string indent(2 * depth, ' ');
  for (const Node* node : tree.nodes) {
    absl::StrAppend(&out, indent, Quote(node->name()), " [label=",
                    Quote(absl::StrCat(node->name().substr(prefix.size()),
                                       "\\n", node->type())),
                    ", ", NodeStyle(*node), "];\n");
  }
  for (const auto& [name, child] : tree.children) {
    const std::string path = absl::StrCat(prefix, name, "/");
    absl::StrAppend(&out, indent, "subgraph ", Quote("cluster_" + path), " {\n",
                    indent, "  label=", Quote(name), ";\n");
    Emit(child, path, depth + 1, out);
    absl::StrAppend(&out, indent, "}\n");
  }
}

}  // namespace

std::string ToGraphviz(const Graph& graph) {
  ScopeTree root;
  for (const auto& node : graph.nodes()) {
    ScopeTree* tree = &root;
    absl::string_view rest = node->name();
    for (size_t slash = rest.find('/'); slash != absl::string_view::npos;
         slash = rest.find('/')) {
      tree = &tree->children[std::string(rest.substr(0, slash))];
      rest.remove_prefix(slash + 1);
    }
    tree->nodes.push_back(node.get());
  }
  std::string out = "digraph minitf {\n  compound=true;\n  rankdir=TB;\n";
  Emit(root, "", 1, out);
  for (const auto& node : graph.nodes()) {
    for (const Output& in : node->inputs()) {
      absl::StrAppend(&out, "  ", Quote(in.node()->name()), " -> ",
                      Quote(node->name()),
                      " [label=", Quote(in.shape().ToString()), "];\n");
    }
    for (const Node* control : node->control_inputs()) {
      absl::StrAppend(&out, "  ", Quote(control->name()), " -> ",
                      Quote(node->name()), " [style=dashed];\n");
    }
  }
  return out + "}\n";
}

}  // namespace minitf
