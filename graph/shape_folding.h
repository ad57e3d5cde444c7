// ShapeFolder: compile-time evaluation of shape subgraphs. While a plan is
// built, every feed has a concrete shape, so tf.shape(x) of a fed batch,
// and small stateless ops computed from it and from constants
// (strided_slice, stack, arithmetic...), have values known before the first
// step. The plan hands them to shape functions through
// ShapeContext::input_value, so `reshape(x, stack({shape(x)[0], -1}))`
// gets a concrete shape for a batch of any size. The folded ops still run
// at every step; folding only informs shapes. Internal to graph/.
//
//   ShapeFolder folder;
//   const Tensor* v = folder.value(input);          // null when unknown
//   folder.Evaluate(node, in_shapes, out_shapes);   // after shape inference
#ifndef MINITF_GRAPH_SHAPE_FOLDING_H_
#define MINITF_GRAPH_SHAPE_FOLDING_H_

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/node.h"

namespace minitf {

class ShapeFolder {
 public:
  // Outputs larger than this are never folded: shapes are small.
  static constexpr int64_t kMaxElements = 64;

  // The value of `output` known at compile time, or null. A fed output is
  // never known (the caller checks feeds first).
  const Tensor* value(const Output& output) const;

  // Evaluates `node` when it is foldable: a Const; a Shape, Size or Rank
  // (their kernels read only their input's shape); or a stateless op
  // without ref inputs whose inputs are all known. `input_values` are the
  // caller's view of the inputs (null for fed or unknown ones). A kernel
  // that fails leaves the node unknown: the step reports it at run time.
  void Evaluate(const Node& node, absl::Span<const Shape> input_shapes,
                absl::Span<const Shape> output_shapes,
                absl::Span<const Tensor* const> input_values);

 private:
  absl::flat_hash_map<Output, Tensor> values_;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_SHAPE_FOLDING_H_
