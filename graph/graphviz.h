// Graph export to Graphviz DOT: name scopes become nested clusters, edges
// carry static shapes, variables and placeholders are drawn distinctly and
// control dependencies are dashed.
//
//   std::ofstream("model.dot") << tf::ToGraphviz(graph);
//   // dot -Tsvg model.dot > model.svg
#ifndef MINITF_GRAPH_GRAPHVIZ_H_
#define MINITF_GRAPH_GRAPHVIZ_H_

#include <string>

#include "minitf/graph/graph.h"

namespace minitf {

std::string ToGraphviz(const Graph& graph);

}  // namespace minitf

#endif  // MINITF_GRAPH_GRAPHVIZ_H_
