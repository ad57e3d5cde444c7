#include "minitf/ops/math/flattened_dense.h"

#include <algorithm>
#include <string>

#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

using dnnl::memory;

// A float32 layout over `dims`: outer `strides` (elements, per block of
// the inner blocks), then `inner` blocks {size, dim}, outermost first.
memory::desc Blocked(const memory::dims& dims, const memory::dims& strides,
                     const std::vector<std::pair<int64_t, int>>& inner) {
  dnnl_memory_desc_t md;
  dnnl_memory_desc_init_by_tag(&md, static_cast<int>(dims.size()), dims.data(),
                               dnnl_f32,
                               dims.size() == 2 ? dnnl_ab : dnnl_abcd);
  dnnl_blocking_desc_t& b = md.format_desc.blocking;
  for (size_t d = 0; d < dims.size(); ++d) b.strides[d] = strides[d];
  b.inner_nblks = static_cast<int>(inner.size());
  for (size_t i = 0; i < inner.size(); ++i) {
    b.inner_blks[i] = inner[i].first;
    b.inner_idxs[i] = inner[i].second;
  }
  return memory::desc(md);
}

// aBcd{B}b over {n, C, H, W}.
memory::desc ChannelBlocked(const memory::dims& nchw, int64_t block) {
  const int64_t c = nchw[1], h = nchw[2], w = nchw[3];
  return Blocked(nchw, {c * h * w, h * w * block, w * block, block},
                 {{block, 1}});
}

// The channel block B of the layout oneDNN's convolutions write an
// activation of `nchw` in (a 3x3 "same" convolution asked for format any),
// when that layout is aBcd{B}b; nullopt otherwise. A prediction: the
// producer chooses when the plan is prepared, and a product whose input
// arrives otherwise reorders it (FlattenedSource).
std::optional<int64_t> ChannelBlock(const memory::dims& nchw) {
  try {
    auto any = [](const memory::dims& dims) {
      return memory::desc(dims, memory::data_type::f32,
                          memory::format_tag::any);
    };
    const memory::dims weights = {nchw[1], nchw[1], 3, 3};
    const dnnl::convolution_forward::primitive_desc pd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                        dnnl::algorithm::convolution_direct,
                                        any(nchw), any(weights), any(nchw),
                                        {1, 1}, {1, 1}, {1, 1}),
        CpuEngine());
    const dnnl_blocking_desc_t& b = pd.dst_desc().data.format_desc.blocking;
    if (pd.dst_desc().data.format_kind != dnnl_blocked || b.inner_nblks != 1 ||
        b.inner_idxs[0] != 1 || nchw[1] % b.inner_blks[0] != 0 ||
        pd.dst_desc() != ChannelBlocked(nchw, b.inner_blks[0])) {
      return std::nullopt;
    }
    return b.inner_blks[0];
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
}

bool Contains(const std::vector<int>& steps, int s) {
  return std::find(steps.begin(), steps.end(), s) != steps.end();
}

bool LayoutAware(const PlanStep& step) {
  const OpDef* def = LookupOp(step.node->type());
  return def != nullptr && def->layout_aware;
}

}  // namespace

std::optional<Flatten> FindFlatten(const PlanIR& ir, const PlanUses& uses,
                                   const std::vector<int>& readers,
                                   const std::vector<int>& backward_data) {
  if (readers.empty()) return std::nullopt;
  const int f = ir.steps[readers[0]].inputs[0];
  if (f < 0 || uses.fetched[f] || uses.producer[f] < 0) return std::nullopt;
  for (int r : readers) {
    if (ir.steps[r].inputs[0] != f) return std::nullopt;
  }
  for (int c : uses.consumers[f]) {
    if (!Contains(readers, c)) return std::nullopt;
  }
  Flatten flat{.reshape = uses.producer[f]};
  const PlanStep& reshape = ir.steps[flat.reshape];
  if (reshape.node->type() != "Reshape" || !reshape.fused_ops.empty()) {
    return std::nullopt;
  }
  const int x = reshape.inputs[0];
  if (x < 0 || uses.fetched[x] || uses.producer[x] < 0) return std::nullopt;
  const Shape& xs = ir.values[x].shape;
  const Shape& fs = ir.values[f].shape;
  if (ir.values[x].dtype != DataType::kFloat || xs.rank() != 4 ||
      fs.rank() != 2 || fs.dim(0) != xs.dim(0) ||
      fs.dim(1) != xs.dim(1) * xs.dim(2) * xs.dim(3)) {
    return std::nullopt;
  }
  const PlanStep& producer = ir.steps[uses.producer[x]];
  if (!LayoutAware(producer) ||
      producer.node->attr_or<std::string>("data_format", "") != "NHWC") {
    return std::nullopt;
  }
  flat.source_shape = xs;
  // X's other readers: layout aware, or the input gradient's ReshapeLike,
  // which reads X for its shape alone.
  for (int c : uses.consumers[x]) {
    if (c == flat.reshape || LayoutAware(ir.steps[c])) continue;
    const PlanStep& step = ir.steps[c];
    const bool gradient_reshape =
        step.node->type() == "ReshapeLike" && step.inputs.size() == 2 &&
        step.inputs[1] == x && step.inputs[0] >= 0 &&
        Contains(backward_data, uses.producer[step.inputs[0]]);
    if (!gradient_reshape) return std::nullopt;
    flat.reshapes.push_back(c);
  }
  for (int b : backward_data) {
    const int g = ir.steps[b].outputs[0];
    bool reshaped = !uses.fetched[g];
    for (int c : uses.consumers[g]) reshaped &= Contains(flat.reshapes, c);
    if (reshaped) flat.blocked_gradients.push_back(b);
  }
  return flat;
}

std::optional<BlockedLayout> FlattenedWeights(const memory::desc& weights2d,
                                              const Shape& source_shape) {
  const int64_t h = source_shape.dim(1), w = source_shape.dim(2),
                c = source_shape.dim(3);
  const auto block = ChannelBlock({source_shape.dim(0), c, h, w});
  const dnnl_memory_desc_t& md = weights2d.data;
  if (!block || md.ndims != 2 || md.format_kind != dnnl_blocked ||
      md.offset0 != 0 || md.padded_dims[0] != md.dims[0] ||
      md.padded_dims[1] != md.dims[1] || md.dims[1] != h * w * c) {
    return std::nullopt;
  }
  // The rows' (in's) inner block must be X's channel block: then a row
  // block of the permuted kernel is one (c/B, h, w) of X.
  const dnnl_blocking_desc_t& b = md.format_desc.blocking;
  int row_blocks = 0;
  std::vector<std::pair<int64_t, int>> inner;
  for (int i = 0; i < b.inner_nblks; ++i) {
    if (b.inner_idxs[i] == 1) {
      if (b.inner_blks[i] != *block) return std::nullopt;
      ++row_blocks;
    }
    inner.emplace_back(b.inner_blks[i], b.inner_idxs[i] == 0 ? 3 : 2);
  }
  if (row_blocks != 1) return std::nullopt;
  const int64_t out = md.dims[0], t_out = b.strides[0], t_in = b.strides[1];
  BlockedLayout layout{
      .plain = memory::desc({h, w, c, out}, memory::data_type::f32,
                            memory::format_tag::abcd),
      .blocked = Blocked({h, w, c, out}, {w * t_in, t_in, h * w * t_in, t_out},
                         inner)};
  if (layout.blocked.get_size() != weights2d.get_size()) return std::nullopt;
  return layout;
}

bool IsFlattened(const BlockedLayout& weights) {
  return weights.blocked.data.ndims == 4;
}

memory::desc WeightsAs2D(const BlockedLayout& weights) {
  if (!IsFlattened(weights)) return weights.blocked;
  const dnnl_memory_desc_t& md = weights.blocked.data;
  const dnnl_blocking_desc_t& b = md.format_desc.blocking;
  std::vector<std::pair<int64_t, int>> inner;
  for (int i = 0; i < b.inner_nblks; ++i) {
    inner.emplace_back(b.inner_blks[i], b.inner_idxs[i] == 3 ? 0 : 1);
  }
  return Blocked({md.dims[3], md.dims[0] * md.dims[1] * md.dims[2]},
                 {b.strides[3], b.strides[1]}, inner);
}

BlockedLayout FlattenedSource(const BlockedLayout& weights, int64_t m) {
  const dnnl_memory_desc_t& md = weights.blocked.data;
  const dnnl_blocking_desc_t& b = md.format_desc.blocking;
  int64_t block = 1;
  for (int i = 0; i < b.inner_nblks; ++i) {
    if (b.inner_idxs[i] == 2) block = b.inner_blks[i];
  }
  const memory::dims nchw = {m, md.dims[2], md.dims[0], md.dims[1]};
  return {.plain = memory::desc(nchw, memory::data_type::f32,
                                memory::format_tag::nhwc),
          .blocked = ChannelBlocked(nchw, block)};
}

}  // namespace minitf
