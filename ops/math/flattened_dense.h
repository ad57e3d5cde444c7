// A dense layer on a flattened activation that stays blocked: the layout
// optimizer's route around the two reorders a flatten would otherwise cost
// (the pooled activations to row-major, their gradient back). Internal to
// ops/; the dense layers' pass (inner_product.cc) uses it.
//
// An activation X [m, H, W, C] (NHWC) written blocked aBcd{B}b (per image:
// channel blocks, rows, columns, B channels) is, viewed as [m, H*W*C]
// row-major, the flatten of X with its columns permuted. An inner product
// reads those bytes as they are when the kernel's rows are permuted the
// same way. The kernel variable [H*W*C, out] is then kept, between steps,
// in a layout over its 4-D view (H, W, C, out) whose bytes are the inner
// product's own 2-D weights layout over the permuted rows; a fetch or a
// checkpoint reorders it to row-major like any blocked variable.
//
//   if (auto flat = FindFlatten(ir, uses, inputs, backward_data)) {
//     if (auto w = FlattenedWeights(weights2d, flat->source_shape)) ...
//   }
//   // in a kernel, for weights in `layout`:
//   const memory::desc w = WeightsAs2D(*layout);
//   if (IsFlattened(*layout)) { auto x = FlattenedSource(*layout, m); ... }
#ifndef MINITF_OPS_MATH_FLATTENED_DENSE_H_
#define MINITF_OPS_MATH_FLATTENED_DENSE_H_

#include <optional>
#include <vector>

#include "minitf/core/onednn.h"
#include "minitf/graph/plan_ir.h"

namespace minitf {

// The steps around a dense layer's flattened input (see the file comment).
struct Flatten {
  int reshape = -1;           // the Reshape [m, H, W, C] -> [m, H*W*C]
  std::vector<int> reshapes;  // ReshapeLike steps of the input gradient back
  // The backward-data steps whose output only those reshapes read: they
  // may write the input gradient blocked.
  std::vector<int> blocked_gradients;
  Shape source_shape;  // X's [m, H, W, C]
};

// The flatten every step in `readers` reads as its input 0, when X may
// arrive blocked and nothing else sees the flattened value: a Reshape of a
// 4-D float value written by a layout-aware NHWC step, neither fetched,
// the flattened value read by `readers` alone. `reshapes` takes the
// ReshapeLike steps that give a `backward_data` step's output X's shape,
// `blocked_gradients` the steps whose output nothing else reads.
std::optional<Flatten> FindFlatten(const PlanIR& ir, const PlanUses& uses,
                                   const std::vector<int>& readers,
                                   const std::vector<int>& backward_data);

// The layout of a dense kernel [H*W*C, out] whose inner products read
// `weights2d` ({out, in}, blocked) over the flatten of an X of
// `source_shape` in the blocked layout oneDNN's convolutions write X in
// (aBcd{B}b); nullopt when the two blockings do not compose (X not channel
// blocked, or the weights' inner block over `in` not B).
std::optional<BlockedLayout> FlattenedWeights(
    const dnnl::memory::desc& weights2d, const Shape& source_shape);

// True for a layout FlattenedWeights made.
bool IsFlattened(const BlockedLayout& weights);
// What the inner products read: `weights.blocked` itself, or for a
// flattened layout the same bytes as {out, in} over the permuted rows.
dnnl::memory::desc WeightsAs2D(const BlockedLayout& weights);
// For a flattened layout: X, for a batch of `m`, as the products read it
// (blocked aBcd{B}b over {m, C, H, W}) and as its row-major NHWC.
BlockedLayout FlattenedSource(const BlockedLayout& weights, int64_t m);

}  // namespace minitf

#endif  // MINITF_OPS_MATH_FLATTENED_DENSE_H_
