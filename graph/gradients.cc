#include "minitf/graph/gradients.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {
namespace {

// Collects the gradient contributions to each tensor and sums them once.
class GradientTable {
 public:
  void Add(const Output& output, const Output& grad) {
    if (!grad.is_null()) contributions_[output].push_back(grad);
  }
  // The sum of the contributions (null if none); AddN is built once.
  Output Sum(const Output& output) {
    auto it = contributions_.find(output);
    if (it == contributions_.end()) return Output();
    std::vector<Output>& grads = it->second;
    if (grads.size() > 1) grads = {add_n(grads)};
    return grads[0];
  }

 private:
  absl::flat_hash_map<Output, std::vector<Output>> contributions_;
};

}  // namespace

std::vector<Output> gradients(const std::vector<Output>& ys,
                              const std::vector<Output>& xs,
                              const std::vector<Output>& grad_ys,
                              const GradientsOptions& options) {
  if (!grad_ys.empty() && grad_ys.size() != ys.size()) {
    ThrowValueError(absl::StrCat("Passed ", grad_ys.size(), " grad_ys for ",
                                 ys.size(), " ys"));
  }
  // TF's convert_n_to_tensor of ys and xs rejects None first.
  for (const auto* list : {&ys, &xs}) {
    for (const Output& t : *list) {
      if (t.is_null()) ThrowValueError("None values not supported.");
    }
  }
  if (ys.empty()) return std::vector<Output>(xs.size());
  Graph& graph = *ys[0].graph();
  for (const auto* list : {&ys, &xs}) {
    for (const Output& t : *list) {
      if (t.graph() != &graph) {
        ThrowValueError(
            "gradients: every y and x must be a tensor of one graph");
      }
    }
  }
  GraphGuard as_default(graph);
  const int n = graph.num_nodes();

  absl::flat_hash_set<Output> stops(options.stop_gradients.begin(),
                                    options.stop_gradients.end());
  // Forward from xs along data edges...
  std::vector<char> from_xs(n, 0);
  for (const Output& x : xs) from_xs[x.node()->id()] = 1;
  for (const auto& node : graph.nodes()) {
    for (const Output& in : node->inputs()) {
      if (from_xs[in.node()->id()] && !stops.contains(in))
        from_xs[node->id()] = 1;
    }
  }
  // ...then back from ys within that set: the ops gradients flow through.
  // A non-differentiable op (other than one producing an x) carries none,
  // so no gradient is built toward it (e.g. toward a dropout mask).
  std::vector<char> is_x(n, 0);
  for (const Output& x : xs) is_x[x.node()->id()] = 1;
  auto carries = [&](const Node* node) {
    return node->op_def().differentiable || is_x[node->id()];
  };
  std::vector<char> between(n, 0);
  for (const Output& y : ys) {
    if (from_xs[y.node()->id()] && carries(y.node()))
      between[y.node()->id()] = 1;
  }
  for (int id = n - 1; id >= 0; --id) {
    const Node* node = graph.nodes()[id].get();
    if (!between[id] || !node->op_def().differentiable) continue;
    for (const Output& in : node->inputs()) {
      if (from_xs[in.node()->id()] && !stops.contains(in) &&
          carries(in.node())) {
        between[in.node()->id()] = 1;
      }
    }
  }

  name_scope scope(options.name);
  GradientTable table;
  for (size_t i = 0; i < ys.size(); ++i) {
    Output seed = grad_ys.empty() ? Output() : grad_ys[i];
    if (seed.is_null()) seed = ones_like(ys[i], absl::StrCat("grad_ys_", i));
    table.Add(ys[i], seed);
  }

  // Node ids are a topological order, so descending ids see every
  // consumer's contribution before the producer is differentiated.
  for (int id = n - 1; id >= 0; --id) {
    if (!between[id]) continue;
    Node* node = graph.nodes()[id].get();
    const OpDef& def = node->op_def();
    GradContext ctx{Operation(node), {}, {}};
    bool any_grad = false;
    for (int o = 0; o < node->num_outputs(); ++o) {
      const Output out(node, o);
      // The gradient of an x that is also an intermediate is summed only
      // when read at the end; continuing through it needs the sum now.
      ctx.grads.push_back(stops.contains(out) ? Output() : table.Sum(out));
      any_grad = any_grad || !ctx.grads.back().is_null();
    }
    if (!any_grad || def.is_variable || !def.differentiable) continue;
    for (int i = 0; i < node->num_inputs(); ++i) {
      const Output& in = node->input(i);
      ctx.wants_grad.push_back(between[in.node()->id()] && !stops.contains(in));
    }
    if (std::none_of(ctx.wants_grad.begin(), ctx.wants_grad.end(),
                     [](bool b) { return b; })) {
      continue;
    }
    if (!def.grad) {
      ThrowLookupError(absl::StrCat("No gradient defined for operation '",
                                    node->name(), "' (op type: ", node->type(),
                                    ")"));
    }
    // Outputs without a gradient get zeros, as TF does for multi-output ops.
    for (int o = 0; o < node->num_outputs(); ++o) {
      if (ctx.grads[o].is_null()) ctx.grads[o] = zeros_like(Output(node, o));
    }
    std::vector<Output> in_grads;
    {
      name_scope op_scope(absl::StrCat(node->name(), "_grad"));
      in_grads = def.grad(ctx);
    }
    if (in_grads.size() != static_cast<size_t>(node->num_inputs())) {
      ThrowValueError(absl::StrCat("Gradient of ", node->type(), " returned ",
                                   in_grads.size(), " gradients for ",
                                   node->num_inputs(), " inputs"));
    }
    for (int i = 0; i < node->num_inputs(); ++i) {
      if (ctx.wants_grad[i]) table.Add(node->input(i), in_grads[i]);
    }
  }

  std::vector<Output> result;
  result.reserve(xs.size());
  for (const Output& x : xs) result.push_back(table.Sum(x));
  return result;
}

}  // namespace minitf
