// The oneDNN CPU engine and this thread's stream. Internal: oneDNN types
// never appear in public headers.
#ifndef MINITF_CORE_ONEDNN_H_
#define MINITF_CORE_ONEDNN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "dnnl.hpp"
#include "minitf/core/dtype.h"
#include "minitf/core/shape.h"
#include "minitf/core/tensor.h"

namespace minitf {

dnnl::engine& CpuEngine();
// One in-order stream per thread (oneDNN streams are not thread-safe).
dnnl::stream& CpuStream();

dnnl::memory::data_type ToDnnl(DataType dtype);
dnnl::memory::dims ToDnnlDims(const Shape& shape);
// Dense row-major strides for `dims`.
dnnl::memory::dims RowMajorStrides(const dnnl::memory::dims& dims);
// `per_axis` (one value per axis of a tensor, e.g. its dims or strides)
// in oneDNN's logical order {N, C, spatial...}; the channel is axis 1 when
// `channels_first`, else the last axis.
dnnl::memory::dims ToNcxOrder(const dnnl::memory::dims& per_axis,
                              bool channels_first);

// Scratch memory: a buffer a kernel needs only while its Compute() runs (a
// DnnlPort's reordered copy, a primitive's scratchpad, a recomputed
// forward), never between steps. While a ScratchArena is active on this
// thread (an execution plan prepares an instance's kernels with one),
// ScratchMemory() takes its bytes from the arena, which lays each kernel's
// requests side by side and every kernel over the same bytes: the kernels
// of an instance run one at a time, so it needs the largest kernel's
// scratch, not the sum. Without an arena, the memory owns its buffer.
dnnl::memory ScratchMemory(const dnnl::memory::desc& desc);

// Attributes with the scratchpad in user mode, bound to ScratchMemory():
// every primitive a kernel creates takes them. oneDNN's library-managed
// scratchpad is, for its GEMM convolutions, a buffer per creating thread:
// a primitive run or destroyed on another thread (a plan instance moves
// between the threads of a Session) would use or free another thread's.
dnnl::primitive_attr UserScratchpad();

//   ScratchArena arena;
//   for (kernel : kernels) { ScratchArena::Scope scope(arena); Prepare(); }
//   arena.Allocate();  // binds every ScratchMemory() made in a scope
class ScratchArena {
 public:
  // Makes `arena` this thread's current one, for one kernel's requests.
  class Scope {
   public:
    explicit Scope(ScratchArena& arena);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ScratchArena* previous_;
  };

  ScratchArena() = default;
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;
  // The memory for `desc` in the current kernel's part; bound by Allocate.
  dnnl::memory Request(const dnnl::memory::desc& desc);
  // Allocates the arena (the largest kernel's scratch) and binds every
  // requested memory into it; ResourceExhausted when the memory cannot be
  // had.
  absl::Status Allocate();
  size_t size() const { return size_; }

 private:
  struct Piece {
    dnnl::memory memory;
    size_t offset;
  };
  std::vector<Piece> pieces_;
  size_t kernel_bytes_ = 0;  // the current kernel's requests so far
  size_t size_ = 0;          // the largest kernel's
  std::shared_ptr<void> buffer_;
};

// A tensor stored in the blocked layout a primitive chose rather than
// row-major: a value a producer wrote so for its readers in a plan
// (PrepareContext::input_layout), or a variable a plan keeps so between
// steps (VariableSlot::layout). `blocked` takes the row-major tensor's
// bytes, no padding; `plain` describes the row-major tensor in the same
// logical dims (an NHWC activation is {N, C, H, W} with NHWC strides; a
// dense kernel [in, out] is {out, in} with strides {1, out}, or, read over
// a flattened blocked activation, its 4-D view {H, W, C, out} row-major:
// ops/math/flattened_dense.h), so a reader can reorder one into the other.
// A view (Reshape) of a blocked value carries the value's layout, in the
// value's dims.
struct BlockedLayout {
  dnnl::memory::desc plain, blocked;
};

// True when a value in layout `a` is in layout `b` too (null: row-major).
bool SameLayout(const BlockedLayout* a, const BlockedLayout* b);
// Rewrites `value`'s bytes, now in layout `from`, into layout `to`, in its
// own buffer (null: row-major). Allocates a copy for the reorder: this runs
// when a plan with other layouts than the last one's starts, not per step.
absl::Status ConvertLayout(const Tensor& value, const BlockedLayout* from,
                           const BlockedLayout* to);

// An input of a primitive under mixed precision (PrepareContext::
// compute_bfloat16): `given` itself in float32; with `bf16`, a bfloat16
// copy in a layout the primitive chooses (format_tag::any), which the
// input's port reorders into.
dnnl::memory::desc ComputeOperand(const dnnl::memory::desc& given, bool bf16);

// True when oneDNN runs bfloat16 natively here: the CPU has AVX-512 BF16
// or AMX (oneDNN emulates it, slowly, on other AVX-512 CPUs).
bool HasBFloat16Instructions();

// For plan dumps: the implementation oneDNN chose for `primitive`
// ("jit:avx512_core", "brg:avx512_core", "ref:any").
std::string ImplementationOf(const dnnl::primitive& primitive);
// For plan dumps: a layout as oneDNN's verbose mode names it, dims ordered
// outermost first, blocked dims uppercase, then the inner blocks ("acdb",
// "aBcd16b", "ABcd16b16a"), with ":bf16" for bfloat16 data; "any" or
// "undef" when not blocked.
std::string LayoutName(const dnnl::memory::desc& desc);

// True while this thread is inside a oneDNN primitive's execution. oneDNN
// 2.6's dnnl_primitive_execute builds an std::unordered_map of its
// arguments on every call; allocation tests use this to tell the library's
// own allocations from the framework's.
bool InsideOneDnnExecute();

// A primitive's arguments, bound once when a plan is prepared. Execute()
// calls the C API directly: dnnl::primitive::execute builds a std::vector
// on every call, which would allocate in Session::run's steady state.
class PrimitiveArgs {
 public:
  // Binds `mem` as argument `arg` (DNNL_ARG_SRC, ...); keeps it alive.
  void Add(int arg, const dnnl::memory& mem);
  void Execute(const dnnl::primitive& primitive) const;

 private:
  std::vector<dnnl::memory> memories_;
  std::vector<dnnl_exec_arg_t> args_;
};

// One tensor argument of a primitive. The tensor is always in its plain
// layout; when the primitive chose another (format_tag::any), the port
// owns a buffer in the chosen layout, allocated once, and a reorder
// between the two. Compute-time calls never allocate.
class DnnlPort {
 public:
  // `plain`: the tensor's layout; `chosen`: the primitive's.
  void Init(const dnnl::memory::desc& plain, const dnnl::memory::desc& chosen,
            bool is_input);
  // Layout propagation. An input its producer wrote in `arriving` (null:
  // in `plain`, row-major).
  void InitInput(const dnnl::memory::desc& plain, const BlockedLayout* arriving,
                 const dnnl::memory::desc& chosen);
  // An output: written straight into the tensor in `chosen` when
  // `may_block` and that layout takes the tensor's bytes (layout() then
  // names it), else reordered into `plain`.
  void InitOutput(const dnnl::memory::desc& plain,
                  const dnnl::memory::desc& chosen, bool may_block);
  // The blocked layout an output is written in; null: `plain`.
  const BlockedLayout* layout() const {
    return written_ ? &*written_ : nullptr;
  }
  // What the primitive reads or writes.
  const dnnl::memory& memory() const {
    return needs_reorder_ ? chosen_ : plain_;
  }
  // Points the plain side at the tensor's buffer; for an input, reorders it
  // into the chosen layout.
  void BindInput(const void* data);
  // The same, reordering into `copy` (a buffer of the chosen layout's size,
  // which other steps then read) instead of the port's own buffer. Only
  // for a port that reorders.
  void BindInputInto(const void* data, void* copy);
  bool reorders() const { return needs_reorder_; }
  void BindOutput(void* data) { plain_.set_data_handle(data); }
  // For an output: reorders the result into the tensor.
  void FinishOutput();
  // For plan dumps: "acdb", or "acdb->aBcd16b" when a reorder runs.
  std::string DebugString() const;

 private:
  dnnl::memory plain_, chosen_;
  dnnl::reorder reorder_;
  PrimitiveArgs reorder_args_;
  bool needs_reorder_ = false;
  bool is_input_ = true;
  std::optional<BlockedLayout> written_;
};

}  // namespace minitf

#endif  // MINITF_CORE_ONEDNN_H_
