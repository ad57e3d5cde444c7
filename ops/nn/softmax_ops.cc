// Softmax and LogSoftmax (oneDNN forward and backward primitives), the two
// fused softmax cross-entropy losses (hand-written loops) and BroadcastMul,
// the internal op their gradients scale by the loss gradient with.
//
// The softmax gradients run on oneDNN's softmax_backward /
// logsoftmax_backward (ops SoftmaxGrad, LogSoftmaxGrad) rather than being
// built from forward ops as TF does ((g - reduce_sum(g * y)) * y): one fused
// pass over y and g instead of four elementwise and reduction passes with
// three temporaries, and the forward primitive descriptor serves as the
// hint, as oneDNN intends.
//
// Every op here sees its tensor as [outer, classes, inner] around the class
// axis, so no axis needs transposing to the end and no rank needs
// flattening to 2-D.
#include "minitf/ops/nn/softmax_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {
namespace {

using dnnl::memory;

// TF's message for a softmax axis out of range.
absl::StatusOr<int> SoftmaxAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Dimension (", axis, ") must be in the range [", -rank, ", ", rank,
        ") where ", rank, " is the number of dimensions in the input."));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

absl::Status CheckRankAtLeastOne(const Shape& s) {
  if (s.has_rank() && s.rank() < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be at least rank 1 but is rank ", s.rank()));
  }
  return absl::OkStatus();
}

// `s` without dimension `axis`. REQUIRES: s.has_rank().
Shape RemoveDim(const Shape& s, int axis) {
  std::vector<int64_t> dims(s.dims().begin(), s.dims().end());
  dims.erase(dims.begin() + axis);
  return Shape(absl::MakeConstSpan(dims));
}

// A tensor viewed as [outer, classes, inner] around `axis`.
struct AxisView {
  int64_t outer = 1, classes = 1, inner = 1;
  static AxisView Of(const Shape& s, int axis) {
    AxisView v;
    for (int i = 0; i < s.rank(); ++i) {
      if (i < axis) v.outer *= s.dim(i);
      if (i > axis) v.inner *= s.dim(i);
    }
    v.classes = s.dim(axis);
    return v;
  }
  int64_t rows() const { return outer * inner; }
  // The offset of row r's first class; classes are `inner` apart.
  int64_t RowStart(int64_t r) const {
    return (r / inner) * classes * inner + r % inner;
  }
};

// ---------------------------------------------------------------------------
// Softmax, LogSoftmax and their gradients on oneDNN.

// Softmax/LogSoftmax: (logits) -> same shape. SoftmaxGrad/LogSoftmaxGrad:
// (forward output, grad) -> same shape.
absl::Status SoftmaxShape(ShapeContext& ctx) {
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
        ctx.input_dtype(i), i == 0 ? "logits" : "grad", {DataType::kFloat}));
  }
  const Shape& x = ctx.input_shape(0);
  MINITF_RETURN_IF_ERROR(CheckRankAtLeastOne(x));
  if (x.has_rank())
    MINITF_RETURN_IF_ERROR(
        SoftmaxAxis(ctx.attr<int64_t>("axis"), x.rank()).status());
  Shape out = x;
  if (ctx.num_inputs() == 2) {
    MINITF_ASSIGN_OR_RETURN(out, MergeShapes(x, ctx.input_shape(1)));
  }
  ctx.add_output(DataType::kFloat, out);
  return absl::OkStatus();
}

class SoftmaxKernel : public NonEmptyKernel {
 public:
  SoftmaxKernel(bool log, bool backward) : log_(log), backward_(backward) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Shape& shape = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        const int axis,
        SoftmaxAxis(ctx.node.attr<int64_t>("axis"), shape.rank()));
    const memory::dims dims = ToDnnlDims(shape);
    const memory::desc md(dims, memory::data_type::f32, RowMajorStrides(dims));
    const auto prop = backward_ ? dnnl::prop_kind::forward_training
                                : dnnl::prop_kind::forward_inference;
    for (memory* m : {&a_, &b_, &out_}) *m = memory(md, CpuEngine(), nullptr);
    if (log_) {
      dnnl::logsoftmax_forward::primitive_desc forward({prop, md, axis},
                                                       CpuEngine());
      if (backward_) {
        primitive_ =
            dnnl::logsoftmax_backward(dnnl::logsoftmax_backward::primitive_desc(
                {md, md, axis}, CpuEngine(), forward));
      } else {
        primitive_ = dnnl::logsoftmax_forward(forward);
      }
    } else {
      dnnl::softmax_forward::primitive_desc forward({prop, md, axis},
                                                    CpuEngine());
      if (backward_) {
        primitive_ =
            dnnl::softmax_backward(dnnl::softmax_backward::primitive_desc(
                {md, md, axis}, CpuEngine(), forward));
      } else {
        primitive_ = dnnl::softmax_forward(forward);
      }
    }
    if (backward_) {
      args_.Add(DNNL_ARG_DST, a_);
      args_.Add(DNNL_ARG_DIFF_DST, b_);
      args_.Add(DNNL_ARG_DIFF_SRC, out_);
    } else {
      args_.Add(DNNL_ARG_SRC, a_);
      args_.Add(DNNL_ARG_DST, out_);
    }
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    a_.set_data_handle(ctx.input(0).raw_data());
    if (backward_) b_.set_data_handle(ctx.input(1).raw_data());
    out_.set_data_handle(ctx.output(0).raw_data());
    args_.Execute(primitive_);
    return absl::OkStatus();
  }

 private:
  bool log_, backward_;
  dnnl::primitive primitive_;
  // Forward: a_ = src. Backward: a_ = the forward's dst, b_ = diff_dst.
  memory a_, b_, out_;
  PrimitiveArgs args_;
};

Output BuildSoftmax(const char* type, absl::string_view name,
                    std::vector<Output> inputs, int64_t axis) {
  return OpBuilder(type, name).Inputs(inputs).Attr("axis", axis).Build();
}

// (g - reduce_sum(g * y, axis)) * y, or for LogSoftmax
// g - exp(y) * reduce_sum(g, axis), on oneDNN.
Output SoftmaxGradOp(bool log, Output y, Output g, int64_t axis) {
  const char* type = log ? "LogSoftmaxGrad" : "SoftmaxGrad";
  return BuildSoftmax(type, type, {y, g}, axis);
}

GradFn SoftmaxGradFn(bool log) {
  return [log](const GradContext& ctx) -> std::vector<Output> {
    return {SoftmaxGradOp(log, ctx.op.output(0), ctx.grad(),
                          ctx.op.node()->attr<int64_t>("axis"))};
  };
}

// ---------------------------------------------------------------------------
// BroadcastMul: mat * expand_dims(vec, axis), TF's nn_grad._BroadcastMul as
// one op. Internal: scales each class vector by its row's loss gradient.

absl::Status BroadcastMulShape(ShapeContext& ctx) {
  const Shape& mat = ctx.input_shape(0);
  Shape out = mat;
  if (mat.has_rank()) {
    MINITF_ASSIGN_OR_RETURN(const int axis,
                            SoftmaxAxis(ctx.attr<int64_t>("axis"), mat.rank()));
    MINITF_ASSIGN_OR_RETURN(
        Shape rows, MergeShapes(RemoveDim(mat, axis), ctx.input_shape(1)));
    for (int i = 0, j = 0; i < mat.rank(); ++i) {
      if (i != axis) out.set_dim(i, rows.dim(j++));
    }
  }
  ctx.add_output(DataType::kFloat, out);
  return absl::OkStatus();
}

class BroadcastMulKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& mat = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        const int axis,
        SoftmaxAxis(ctx.node.attr<int64_t>("axis"), mat.rank()));
    view_ = AxisView::Of(mat, axis);
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    const float* mat = ctx.input(0).flat<float>().data();
    const float* vec = ctx.input(1).flat<float>().data();
    float* out = ctx.output(0).flat<float>().data();
    for (int64_t o = 0; o < view_.outer; ++o) {
      for (int64_t c = 0; c < view_.classes; ++c) {
        const int64_t base = (o * view_.classes + c) * view_.inner;
        const float* v = vec + o * view_.inner;
        for (int64_t i = 0; i < view_.inner; ++i)
          out[base + i] = mat[base + i] * v[i];
      }
    }
    return absl::OkStatus();
  }

 private:
  AxisView view_;
};

Output BroadcastMul(Output mat, Output vec, int64_t axis) {
  return OpBuilder("BroadcastMul", "BroadcastMul")
      .Input(mat)
      .Input(vec)
      .Attr("axis", axis)
      .Build();
}

std::vector<Output> BroadcastMulGrad(const GradContext& ctx) {
  const int64_t axis = ctx.op.node()->attr<int64_t>("axis");
  const Output &mat = ctx.input(0), &vec = ctx.input(1), &g = ctx.grad();
  return {ctx.wants_grad[0] ? BroadcastMul(g, vec, axis) : Output(),
          ctx.wants_grad[1] ? reduce_sum(multiply(g, mat),
                                         {.axis = std::vector<int64_t>{axis}})
                            : Output()};
}

// ---------------------------------------------------------------------------
// SoftmaxCrossEntropyWithLogits: (features, labels) -> (loss, backprop), the
// classes on attr `axis`. SparseSoftmaxCrossEntropyWithLogits:
// (features [..., classes], labels [...]) -> (loss [...], backprop).

absl::Status XentShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "features", {DataType::kFloat}));
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(1), "labels", {DataType::kFloat}));
  MINITF_RETURN_IF_ERROR(CheckRankAtLeastOne(ctx.input_shape(0)));
  MINITF_RETURN_IF_ERROR(CheckRankAtLeastOne(ctx.input_shape(1)));
  absl::StatusOr<Shape> merged =
      MergeShapes(ctx.input_shape(0), ctx.input_shape(1));
  if (!merged.ok()) {
    return merged.status();
  }
  if (!merged->has_rank()) {
    ctx.add_output(DataType::kFloat, Shape::Unknown());
  } else {
    MINITF_ASSIGN_OR_RETURN(
        const int axis, SoftmaxAxis(ctx.attr<int64_t>("axis"), merged->rank()));
    ctx.add_output(DataType::kFloat, RemoveDim(*merged, axis));
  }
  ctx.add_output(DataType::kFloat, *merged);
  return absl::OkStatus();
}

absl::Status SparseXentShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "features", {DataType::kFloat}));
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(1), "labels", {DataType::kInt32, DataType::kInt64}));
  const Shape& features = ctx.input_shape(0);
  const Shape& labels = ctx.input_shape(1);
  MINITF_RETURN_IF_ERROR(CheckRankAtLeastOne(features));
  if (!features.has_rank()) {
    ctx.add_output(DataType::kFloat, labels);
    ctx.add_output(DataType::kFloat, Shape::Unknown());
    return absl::OkStatus();
  }
  const int rank = features.rank();
  if (labels.has_rank() && labels.rank() != rank - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape must be rank ", rank - 1, " but is rank ", labels.rank()));
  }
  Shape rows = RemoveDim(features, rank - 1);
  if (labels.has_rank()) {
    for (int i = 0; i < rank - 1; ++i) {
      const int64_t a = rows.dim(i), b = labels.dim(i);
      if (a >= 0 && b >= 0 && a != b) {
        return absl::InvalidArgumentError(
            absl::StrCat("Dimensions must be equal, but are ", a, " and ", b));
      }
      if (a < 0) rows.set_dim(i, b);
    }
  }
  Shape backprop = features;
  for (int i = 0; i < rank - 1; ++i) backprop.set_dim(i, rows.dim(i));
  ctx.add_output(DataType::kFloat, rows);
  ctx.add_output(DataType::kFloat, backprop);
  return absl::OkStatus();
}

// One row of logits (classes `stride` apart): its maximum and
// log(sum(exp(x - max))), with backprop holding exp(x - max) on return.
struct RowStats {
  float max;
  float log_sum;
};
RowStats Exponentiate(const float* x, float* backprop, int64_t classes,
                      int64_t stride) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t c = 0; c < classes; ++c) max = std::max(max, x[c * stride]);
  double sum = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const float e = std::exp(x[c * stride] - max);
    backprop[c * stride] = e;
    sum += e;
  }
  return {max, static_cast<float>(std::log(sum))};
}

// loss = sum(labels * (log_sum - (x - max))); backprop = softmax - labels.
class XentKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& x = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        const int axis, SoftmaxAxis(ctx.node.attr<int64_t>("axis"), x.rank()));
    view_ = AxisView::Of(x, axis);
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    const float* x = ctx.input(0).flat<float>().data();
    const float* labels = ctx.input(1).flat<float>().data();
    float* loss = ctx.output(0).flat<float>().data();
    float* backprop = ctx.output(1).flat<float>().data();
    const int64_t stride = view_.inner;
    for (int64_t r = 0; r < view_.rows(); ++r) {
      const int64_t start = view_.RowStart(r);
      const RowStats s =
          Exponentiate(x + start, backprop + start, view_.classes, stride);
      const float sum = std::exp(s.log_sum);
      double row_loss = 0;
      for (int64_t c = 0; c < view_.classes; ++c) {
        const int64_t k = start + c * stride;
        row_loss += labels[k] * (s.log_sum - (x[k] - s.max));
        backprop[k] = backprop[k] / sum - labels[k];
      }
      loss[r] = static_cast<float>(row_loss);
    }
    return absl::OkStatus();
  }

 private:
  AxisView view_;
};

// loss = log_sum - (x[label] - max); backprop = softmax - one_hot(label).
class SparseXentKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& x = ctx.input_shapes[0];
    view_ = AxisView::Of(x, x.rank() - 1);
    if (view_.rows() > 0 && view_.classes == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Must have at least one class, but got logits shape ",
                       x.DebugString()));
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    return DispatchDataType(
        ctx.input(1).dtype(), [&]<typename T>() -> absl::Status {
          if constexpr (std::is_same_v<T, int32_t> ||
                        std::is_same_v<T, int64_t>) {
            return Run<T>(ctx, ctx.input(1).flat<T>());
          } else {
            return absl::InvalidArgumentError("labels must be int32 or int64");
          }
        });
  }

 private:
  template <typename T>
  absl::Status Run(KernelContext& ctx, absl::Span<const T> labels) {
    MINITF_RETURN_IF_ERROR(CheckLabels(labels));
    const float* x = ctx.input(0).flat<float>().data();
    float* loss = ctx.output(0).flat<float>().data();
    float* backprop = ctx.output(1).flat<float>().data();
    const int64_t classes = view_.classes;
    for (int64_t r = 0; r < view_.rows(); ++r) {
      const float* row = x + r * classes;
      float* grad = backprop + r * classes;
      const RowStats s = Exponentiate(row, grad, classes, 1);
      const float sum = std::exp(s.log_sum);
      for (int64_t c = 0; c < classes; ++c) grad[c] /= sum;
      const int64_t label = labels[r];
      grad[label] -= 1.0f;
      loss[r] = s.log_sum - (row[label] - s.max);
    }
    return absl::OkStatus();
  }

  // TF's CheckInvalidLabelIndex: names the smallest label when it is
  // negative, else the largest, and lists every label.
  template <typename T>
  absl::Status CheckLabels(absl::Span<const T> labels) const {
    if (labels.empty()) return absl::OkStatus();
    const auto [min, max] = std::minmax_element(labels.begin(), labels.end());
    if (*min >= 0 && *max < view_.classes) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("Received a label value of ", *min < 0 ? *min : *max,
                     " which is outside the valid range of [0, ", view_.classes,
                     ").  Label values: ", absl::StrJoin(labels, " ")));
  }

  AxisView view_;
};

// True for a gradient known to be zero: what gradients() feeds an unused
// output (TF's IsZero).
bool IsZero(const Output& g) {
  return g.is_null() || g.op().type() == "ZerosLike";
}

// d(loss)/d(logits) = backprop * g_loss; backprop = softmax - labels adds
// SoftmaxGrad(softmax, g_backprop) when its own gradient is nonzero.
Output LogitsGrad(const GradContext& ctx, int64_t axis) {
  const Output& g_loss = ctx.grads[0];
  const Output& g_backprop = ctx.grads[1];
  Output grad;
  if (!IsZero(g_loss)) grad = BroadcastMul(ctx.op.output(1), g_loss, axis);
  if (!IsZero(g_backprop)) {
    const Output s = softmax(ctx.input(0), {.axis = axis});
    const Output extra = SoftmaxGradOp(/*log=*/false, s, g_backprop, axis);
    grad = grad.is_null() ? extra : add(grad, extra);
  }
  return grad.is_null() ? zeros_like(ctx.input(0)) : grad;
}

std::vector<Output> XentGrad(const GradContext& ctx) {
  const int64_t axis = ctx.op.node()->attr<int64_t>("axis");
  Output labels_grad;
  if (ctx.wants_grad[1]) {
    // d(loss)/d(labels) = -log_softmax(logits) * g_loss; backprop's own
    // gradient contributes -g_backprop.
    if (!IsZero(ctx.grads[0])) {
      labels_grad =
          BroadcastMul(negative(log_softmax(ctx.input(0), {.axis = axis})),
                       ctx.grads[0], axis);
    }
    if (!IsZero(ctx.grads[1])) {
      labels_grad = labels_grad.is_null() ? negative(ctx.grads[1])
                                          : subtract(labels_grad, ctx.grads[1]);
    }
    if (labels_grad.is_null()) labels_grad = zeros_like(ctx.input(1));
  }
  return {ctx.wants_grad[0] ? LogitsGrad(ctx, axis) : Output(), labels_grad};
}

std::vector<Output> SparseXentGrad(const GradContext& ctx) {
  return {ctx.wants_grad[0] ? LogitsGrad(ctx, -1) : Output(), Output()};
}

Output SoftmaxXent(Output labels, Output logits,
                   const SoftmaxCrossEntropyOptions& o,
                   bool stop_labels_gradient) {
  name_scope scope(
      o.name.empty() ? std::nullopt : std::optional<std::string>(o.name),
      "softmax_cross_entropy_with_logits");
  if (stop_labels_gradient)
    labels = stop_gradient(labels, "labels_stop_gradient");
  labels = cast(labels, logits.dtype());
  return OpBuilder("SoftmaxCrossEntropyWithLogits", scope.name())
      .Input(logits)
      .Input(labels)
      .Attr("axis", o.axis)
      .Build();
}

}  // namespace

Output softmax(Output logits, const SoftmaxOptions& o) {
  return BuildSoftmax("Softmax", o.name, {logits}, o.axis);
}

Output log_softmax(Output logits, const SoftmaxOptions& o) {
  return BuildSoftmax("LogSoftmax", o.name, {logits}, o.axis);
}

Output softmax_cross_entropy_with_logits(Output labels, Output logits,
                                         const SoftmaxCrossEntropyOptions& o) {
  return SoftmaxXent(labels, logits, o, /*stop_labels_gradient=*/true);
}

Output softmax_cross_entropy_with_logits_v2(
    Output labels, Output logits, const SoftmaxCrossEntropyOptions& o) {
  return SoftmaxXent(labels, logits, o, /*stop_labels_gradient=*/false);
}

Output sparse_softmax_cross_entropy_with_logits(Output labels, Output logits,
                                                absl::string_view name) {
  name_scope scope(
      name.empty() ? std::nullopt : std::optional<std::string>(name),
      "SparseSoftmaxCrossEntropyWithLogits");
  const Shape& labels_shape = labels.shape();
  const Shape& logits_shape = logits.shape();
  if (logits_shape.has_rank() && logits_shape.rank() == 0) {
    ThrowValueError(absl::StrCat("Logits cannot be scalars - received shape ",
                                 logits_shape.ToString(), "."));
  }
  if (logits_shape.has_rank() && labels_shape.has_rank() &&
      labels_shape.rank() != logits_shape.rank() - 1) {
    ThrowValueError(absl::StrCat(
        "Rank mismatch: Rank of labels (received ", labels_shape.rank(),
        ") should equal rank of logits minus 1 (received ", logits_shape.rank(),
        ")."));
  }
  if (labels_shape.IsFullyDefined() && logits_shape.has_rank()) {
    const Shape rows = RemoveDim(logits_shape, logits_shape.rank() - 1);
    if (rows.IsFullyDefined() && rows != labels_shape) {
      ThrowValueError(
          absl::StrCat("Shape mismatch: The shape of labels (received ",
                       labels_shape.ToString(),
                       ") should equal the shape of logits except for the last "
                       "dimension (received ",
                       logits_shape.ToString(), ")."));
    }
  }
  return OpBuilder("SparseSoftmaxCrossEntropyWithLogits",
                   "SparseSoftmaxCrossEntropyWithLogits")
      .Input(logits)
      .Input(labels)
      .Build();
}

void RegisterSoftmaxOps() {
  const auto axis_attr = [] { return AttrDef::Optional("axis", int64_t{-1}); };
  for (bool log : {false, true}) {
    RegisterOp({.type = log ? "LogSoftmax" : "Softmax",
                .num_inputs = 1,
                .attrs = {axis_attr()},
                .shape_fn = SoftmaxShape,
                .kernel = [log](const Node&) -> std::unique_ptr<OpKernel> {
                  return std::make_unique<SoftmaxKernel>(log,
                                                         /*backward=*/false);
                },
                .grad = SoftmaxGradFn(log)});
    RegisterOp({.type = log ? "LogSoftmaxGrad" : "SoftmaxGrad",
                .num_inputs = 2,
                .attrs = {axis_attr()},
                .shape_fn = SoftmaxShape,
                .kernel = [log](const Node&) -> std::unique_ptr<OpKernel> {
                  return std::make_unique<SoftmaxKernel>(log,
                                                         /*backward=*/true);
                }});
  }
  RegisterOp({.type = "BroadcastMul",
              .num_inputs = 2,
              .attrs = {axis_attr()},
              .shape_fn = BroadcastMulShape,
              .kernel = MakeKernel<BroadcastMulKernel>,
              .grad = BroadcastMulGrad,
              .inplace_inputs = {0}});
  RegisterOp({.type = "SoftmaxCrossEntropyWithLogits",
              .num_inputs = 2,
              .attrs = {axis_attr()},
              .shape_fn = XentShape,
              .kernel = MakeKernel<XentKernel>,
              .grad = XentGrad});
  RegisterOp({.type = "SparseSoftmaxCrossEntropyWithLogits",
              .num_inputs = 2,
              .shape_fn = SparseXentShape,
              .kernel = MakeKernel<SparseXentKernel>,
              .grad = SparseXentGrad});
}

}  // namespace minitf::nn
