// The Horovod ops: HorovodAllreduce (one tensor), HorovodGroupedAllreduce
// (many, fused) and HorovodBroadcast, with builders, shape functions,
// kernels and gradients. Registered on hvd::init() and by the builders.
#include "minitf/distributed/collective_ops.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/distributed/basics.h"
#include "minitf/distributed/communicator.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf::hvd {
namespace {

using internal::Communicator;
using internal::ReduceBuffer;

// Parts of a fusion buffer start on 64-byte boundaries, as a Tensor's own
// buffer does, so oneDNN sees the same alignment in a view.
constexpr int64_t kAlignBytes = 64;

// Horovod's _normalize_name: every character but [A-Za-z0-9_] becomes '_'.
std::string NormalizeName(absl::string_view name) {
  std::string out(name);
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '_';
    if (!keep) c = '_';
  }
  return out;
}

// "float32 [2,3]" for each input: what the processes compare.
std::string DescribeInputs(const PrepareContext& ctx) {
  std::vector<std::string> parts;
  for (int i = 0; i < ctx.node.num_inputs(); ++i) {
    parts.push_back(absl::StrCat(DataTypeName(ctx.node.input(i).dtype()), " ",
                                 ctx.input_shapes[i].DebugString()));
  }
  return absl::StrJoin(parts, ", ");
}

absl::Status MirrorInputs(ShapeContext& ctx) {
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ctx.add_output(ctx.input_dtype(i), ctx.input_shape(i));
  }
  return absl::OkStatus();
}

// Both allreduce ops. On one process each output is its input. Otherwise
// Prepare() lays the inputs out in one buffer per dtype and Compute() copies
// them in (scaled by 1 / size when averaging, so the sum is the mean), sums
// each buffer across processes in place and binds the outputs to their
// parts of it.
class AllreduceKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    Communicator& comm = Communicator::Get();
    MINITF_RETURN_IF_ERROR(comm.Usable());
    alone_ = comm.size() == 1;
    if (alone_) return absl::OkStatus();
    const bool average = ctx.node.attr<bool>("average");
    scale_ = average ? 1.0f / static_cast<float>(comm.size()) : 1.0f;
    what_ =
        absl::StrCat(ctx.node.type(), " '", ctx.node.name(), "' (",
                     average ? "average" : "sum", ") of ", DescribeInputs(ctx));
    const int n = ctx.node.num_inputs();
    std::vector<int64_t> offsets(n);  // elements into the dtype's buffer
    views_.resize(n);
    for (DataType dtype :
         {DataType::kFloat, DataType::kInt32, DataType::kInt64}) {
      const int64_t align =
          kAlignBytes / static_cast<int64_t>(DataTypeSize(dtype));
      int64_t total = 0;
      for (int i = 0; i < n; ++i) {
        if (ctx.node.input(i).dtype() != dtype) continue;
        offsets[i] = total;
        total +=
            (ctx.input_shapes[i].num_elements() + align - 1) / align * align;
      }
      if (total == 0) continue;
      Tensor buffer;
      try {
        buffer = Tensor(dtype, Shape({total}));
      } catch (const Error& e) {
        return e.status();
      }
      for (int i = 0; i < n; ++i) {
        if (ctx.node.input(i).dtype() != dtype) continue;
        views_[i] = buffer.View(offsets[i], ctx.input_shapes[i]);
      }
      buffers_.push_back({buffer.raw_data(), total, dtype});
      fusion_.push_back(std::move(buffer));
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    if (alone_) {
      for (int i = 0; i < ctx.num_inputs(); ++i) ctx.output(i) = ctx.input(i);
      return absl::OkStatus();
    }
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& in = ctx.input(i);
      if (scale_ != 1.0f && in.dtype() == DataType::kFloat) {
        const float* src = static_cast<const float*>(in.raw_data());
        float* dst = static_cast<float*>(views_[i].raw_data());
        for (int64_t k = 0; k < in.NumElements(); ++k) dst[k] = src[k] * scale_;
      } else {
        views_[i].CopyDataFrom(in);
      }
    }
    MINITF_RETURN_IF_ERROR(Communicator::Get().Allreduce(what_, buffers_));
    for (int i = 0; i < ctx.num_inputs(); ++i) ctx.output(i) = views_[i];
    return absl::OkStatus();
  }

  std::string DebugString() const override {
    if (alone_) return "one process: the inputs";
    return absl::StrCat(buffers_.size(), " fused MPI_Allreduce of ",
                        views_.size(), " tensors");
  }

 private:
  bool alone_ = true;
  float scale_ = 1.0f;
  std::string what_;
  std::vector<Tensor> fusion_;  // one buffer per dtype present
  std::vector<ReduceBuffer> buffers_;
  std::vector<Tensor> views_;  // the outputs, parts of fusion_
};

// The output is root's input: copied on the root, then broadcast in place.
class BroadcastKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    Communicator& comm = Communicator::Get();
    MINITF_RETURN_IF_ERROR(comm.Usable());
    root_ = static_cast<int>(ctx.node.attr<int64_t>("root_rank"));
    is_root_ = comm.rank() == root_;
    what_ = absl::StrCat(ctx.node.type(), " '", ctx.node.name(),
                         "' (root_rank ", root_, ") of ", DescribeInputs(ctx));
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    const Tensor& out = ctx.output(0);
    if (is_root_) out.CopyDataFrom(ctx.input(0));
    return Communicator::Get().Broadcast(
        what_, out.raw_data(), static_cast<int64_t>(out.TotalBytes()), root_);
  }

 private:
  int root_ = 0;
  bool is_root_ = true;
  std::string what_;
};

void RequireInit() {
  if (!is_initialized()) ThrowValueError(internal::kNotInitialized);
}

void CheckAllreduceDtype(const Output& t, bool average) {
  const DataType dtype = t.dtype();
  if (dtype != DataType::kFloat && dtype != DataType::kInt32 &&
      dtype != DataType::kInt64) {
    ThrowTypeError(absl::StrCat("allreduce of '", t.name(), "': dtype ",
                                DataTypeName(dtype),
                                " is not supported (float32, int32, int64)"));
  }
  if (average && dtype != DataType::kFloat) {
    ThrowTypeError(absl::StrCat(
        "allreduce of '", t.name(), "': averaging needs float32, not ",
        DataTypeName(dtype), "; use {.average = false} for the sum"));
  }
}

// allreduce's gradient: the same reduction of the incoming gradients.
std::vector<Output> AllreduceGrad(const GradContext& ctx) {
  const bool average = ctx.op.node()->attr<bool>("average");
  std::vector<Output> grads;
  std::vector<int> which;
  for (size_t i = 0; i < ctx.grads.size(); ++i) {
    if (ctx.wants_grad[i] && !ctx.grads[i].is_null()) {
      grads.push_back(ctx.grads[i]);
      which.push_back(static_cast<int>(i));
    }
  }
  std::vector<Output> result(ctx.grads.size());
  if (grads.empty()) return result;
  std::vector<Output> reduced =
      grads.size() == 1 && ctx.op.node()->type() == "HorovodAllreduce"
          ? std::vector<Output>{allreduce(grads[0], {.average = average})}
          : grouped_allreduce(grads, {.average = average});
  for (size_t k = 0; k < which.size(); ++k) result[which[k]] = reduced[k];
  return result;
}

// Horovod's _broadcast_grad: the summed gradient on the root, zero
// elsewhere; every process runs the allreduce.
std::vector<Output> BroadcastGrad(const GradContext& ctx) {
  if (!ctx.wants_grad[0] || ctx.grad().is_null()) return {Output()};
  Output summed = allreduce(ctx.grad(), {.average = false});
  const int root = static_cast<int>(ctx.op.node()->attr<int64_t>("root_rank"));
  if (rank() != root) return {summed * 0.0};
  return {summed};
}

}  // namespace

void internal::RegisterHorovodOps() {
  static std::once_flag once;
  std::call_once(once, [] {
    EnsureOpsRegistered();
    const std::vector<AttrDef> allreduce_attrs = {
        AttrDef::Optional("average", true)};
    RegisterOp({.type = "HorovodAllreduce",
                .num_inputs = 1,
                .attrs = allreduce_attrs,
                .shape_fn = MirrorInputs,
                .kernel = MakeKernel<AllreduceKernel>,
                .grad = AllreduceGrad,
                .forwards_outputs = true,
                .is_stateful = true});
    RegisterOp({.type = "HorovodGroupedAllreduce",
                .num_inputs = -1,
                .attrs = allreduce_attrs,
                .shape_fn = MirrorInputs,
                .kernel = MakeKernel<AllreduceKernel>,
                .grad = AllreduceGrad,
                .forwards_outputs = true,
                .is_stateful = true});
    RegisterOp({.type = "HorovodBroadcast",
                .num_inputs = 1,
                .attrs = {AttrDef::Required<int64_t>("root_rank")},
                .shape_fn = MirrorInputs,
                .kernel = MakeKernel<BroadcastKernel>,
                .grad = BroadcastGrad,
                .is_stateful = true});
  });
}

Output allreduce(Output tensor, const AllreduceOptions& options) {
  RequireInit();
  internal::RegisterHorovodOps();
  if (tensor.is_null()) ThrowValueError("allreduce of a null tensor");
  CheckAllreduceDtype(tensor, options.average);
  const std::string name =
      options.name.empty()
          ? absl::StrCat("HorovodAllreduce_", NormalizeName(tensor.name()))
          : options.name;
  return OpBuilder("HorovodAllreduce", name)
      .Input(tensor)
      .Attr("average", options.average)
      .Build();
}

std::vector<Output> grouped_allreduce(const std::vector<Output>& tensors,
                                      const AllreduceOptions& options) {
  RequireInit();
  internal::RegisterHorovodOps();
  if (tensors.empty()) ThrowValueError("grouped_allreduce of no tensors");
  for (const Output& t : tensors) {
    if (t.is_null()) ThrowValueError("grouped_allreduce of a null tensor");
    CheckAllreduceDtype(t, options.average);
  }
  const std::string name = options.name.empty()
                               ? absl::StrCat("HorovodGroupedAllreduce_",
                                              NormalizeName(tensors[0].name()))
                               : options.name;
  Operation op = OpBuilder("HorovodGroupedAllreduce", name)
                     .Inputs(tensors)
                     .Attr("average", options.average)
                     .BuildOp();
  std::vector<Output> outputs;
  for (int i = 0; i < op.num_outputs(); ++i) outputs.push_back(op.output(i));
  return outputs;
}

Output broadcast(Output tensor, int root_rank, const std::string& name) {
  RequireInit();
  internal::RegisterHorovodOps();
  if (tensor.is_null()) ThrowValueError("broadcast of a null tensor");
  if (root_rank < 0 || root_rank >= size()) {
    ThrowValueError(absl::StrCat(
        "broadcast of '", tensor.name(), "': root_rank ", root_rank,
        " is not a rank of this job of ", size(), " processes"));
  }
  return OpBuilder("HorovodBroadcast",
                   name.empty() ? absl::StrCat("HorovodBroadcast_",
                                               NormalizeName(tensor.name()))
                                : name)
      .Input(tensor)
      .Attr("root_rank", static_cast<int64_t>(root_rank))
      .Build();
}

Operation broadcast_variables(const std::vector<Variable>& variables,
                              int root_rank) {
  std::vector<CollectionItem> assigns;
  for (const Variable& v : variables) {
    assigns.push_back(v.assign(broadcast(v.value(), root_rank)));
  }
  return group(assigns);
}

Operation broadcast_global_variables(int root_rank) {
  return broadcast_variables(global_variables(), root_rank);
}

}  // namespace minitf::hvd
