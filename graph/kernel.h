// The kernel interface ops implement. A kernel is created and Prepare()d once
// when a Session compiles an execution plan, with every shape concrete; it
// creates its oneDNN primitives there. Compute() runs every step and must
// not allocate or create primitives.
//
//   class ReluKernel : public OpKernel {
//     absl::Status Compute(KernelContext& ctx) override { ... ctx.input(0),
//                                                          ctx.output(0) ... }
//   };
//
// A kernel that cannot run on tensors without elements (every oneDNN
// primitive) derives from NonEmptyKernel instead, which writes TF's
// empty-operand result itself:
//
//   class MatMulKernel : public NonEmptyKernel {
//     absl::Status PrepareNonEmpty(const PrepareContext& ctx) override;
//     absl::Status ComputeNonEmpty(KernelContext& ctx) override;
//   };  // a [2, 0] x [0, 3] product is zeros; a [0, 2] x [2, 3] is empty
//
// Kernels are used by one thread at a time: thread-compatible.
#ifndef MINITF_GRAPH_KERNEL_H_
#define MINITF_GRAPH_KERNEL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "minitf/core/rw_mutex.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/node.h"

namespace minitf {

struct BlockedLayout;  // core/onednn.h

// A variable's value in a Session. Uninitialized until first assigned.
// Kernels read and write it without locking: a run holds `mutex` from its
// first step to its last fetch (see ExecutionPlan::Run), exclusively when
// the run may replace `value` or updates it with use_locking, else shared.
struct VariableSlot {
  std::string name;  // the variable op's name, for messages
  Tensor value;
  // How `value`'s bytes are laid out: null, row-major, as every kernel
  // reads it, or the blocked layout of the plan that last ran with it (a
  // training plan whose only readers of it are primitives that want it
  // blocked). A run converts it to what its plan expects before its first
  // step, so a kernel always sees its plan's layout. Null while
  // uninitialized.
  std::shared_ptr<const BlockedLayout> layout;
  RwMutex mutex;
  bool initialized() const { return value.IsInitialized(); }
};

// What Prepare() sees: the node and the concrete shapes of this plan.
struct PrepareContext {
  const Node& node;
  absl::Span<const Shape> input_shapes;
  absl::Span<const Shape> output_shapes;
  // For stateful ops (OpDef::is_stateful): this node's state in the
  // Session, shared by every plan of that Session, as TF keeps an op
  // kernel's state per session (a random op's generator continues across
  // plans). Empty until a kernel fills it; null for stateless ops.
  std::shared_ptr<void>* node_state = nullptr;
  // Layout propagation (RewriterConfig::layout_optimizer), for ops whose
  // OpDef says layout_aware: per input, the blocked layout its producer
  // wrote it in (null: row-major); per output, whether the kernel may
  // write it in a blocked layout of its choosing (every reader is layout
  // aware), which it then reports through OpKernel::output_layout.
  absl::Span<const BlockedLayout* const> input_layouts = {};
  absl::Span<const char> output_may_block = {};
  // Mixed precision (RewriterConfig::auto_mixed_precision), for ops whose
  // OpDef says bfloat16_compute: the kernel computes in bfloat16 from
  // bfloat16 copies of its float32 inputs (made in its input reorders),
  // accumulates in float32 and writes float32 outputs.
  bool compute_bfloat16 = false;

  const BlockedLayout* input_layout(int i) const {
    return i < static_cast<int>(input_layouts.size()) ? input_layouts[i]
                                                      : nullptr;
  }
  bool may_block(int o) const {
    return o < static_cast<int>(output_may_block.size()) &&
           output_may_block[o] != 0;
  }
};

// The plan's liveness flags as one step sees them: a value is dead in a
// step when the op that produces it did not run (the untaken side of a
// Switch and everything downstream of it), as in TF's executor.
struct StepLiveness {
  char* dead = nullptr;             // one flag per plan value
  const int* input_ids = nullptr;   // per input: its value; -1 for a ref
  const int* output_ids = nullptr;  // per output: its value
};

// What Compute() sees. Outputs are preallocated with their final shapes,
// except for ops whose OpDef says forwards_outputs: those bind each output
// to a tensor of their choice (an input's buffer, a variable's value).
class KernelContext {
 public:
  KernelContext(const Node& node, absl::Span<Tensor* const> inputs,
                absl::Span<Tensor* const> outputs,
                absl::Span<VariableSlot* const> refs,
                const StepLiveness* liveness = nullptr)
      : node_(node),
        inputs_(inputs),
        outputs_(outputs),
        refs_(refs),
        liveness_(liveness) {}

  const Node& node() const { return node_; }
  const Tensor& input(int i) const { return *inputs_[i]; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  Tensor& output(int i) const { return *outputs_[i]; }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  // The variable behind ref input `i` (OpDef::ref_inputs), or, for a
  // variable op, refs(0) is its own value.
  VariableSlot& ref(int i) const { return *refs_[i]; }

  // Control flow only. A kernel runs only when its inputs are live, except
  // Merge, which runs when any is: input_is_dead tells it which. A Switch
  // marks its untaken output dead, so that output's consumers do not run.
  bool input_is_dead(int i) const {
    const int id = liveness_ != nullptr ? liveness_->input_ids[i] : -1;
    return id >= 0 && liveness_->dead[id] != 0;
  }
  // REQUIRES: the plan bound liveness (it does for Switch and Merge).
  void set_output_dead(int i) const {
    liveness_->dead[liveness_->output_ids[i]] = 1;
  }

 private:
  const Node& node_;
  absl::Span<Tensor* const> inputs_;
  absl::Span<Tensor* const> outputs_;
  absl::Span<VariableSlot* const> refs_;
  const StepLiveness* liveness_;  // null: no control flow in this plan
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Called once per plan with concrete shapes; create primitives here.
  virtual absl::Status Prepare(const PrepareContext& ctx) {
    (void)ctx;
    return absl::OkStatus();
  }
  // Runs one step. Never allocates nor creates primitives.
  virtual absl::Status Compute(KernelContext& ctx) = 0;
  // After Prepare(): the blocked layout output `i` is written in, when
  // PrepareContext::may_block(i) allowed one; null: row-major. Owned by
  // the kernel.
  virtual const BlockedLayout* output_layout(int i) const {
    (void)i;
    return nullptr;
  }
  // For plan dumps, after Prepare(): what runs, e.g. "convolution
  // jit:avx512_core src acdb->aBcd16b ..."; empty when nothing to add.
  virtual std::string DebugString() const { return {}; }
};

// What an output holds when the operands of its op have no elements: TF's
// identity of the op's reduction. Integers have no NaN nor infinity: kNaN
// is 0 for them (TF's mean of no integers), kLowest and kHighest their
// extreme values (TF's max and min of none).
enum class EmptyFill {
  kZero,     // sums, products of matrices with an empty inner dimension,
             // gradients w.r.t. weights of an empty batch
  kNaN,      // means
  kLowest,   // max: -inf
  kHighest,  // min: +inf
};

// Writes `fill` into every element of `t` (a no-op when it has none).
void FillWith(const Tensor& t, EmptyFill fill);

// The zero-size contract, implemented once: a kernel whose computation
// needs tensors with elements. When IsEmpty() (by default: any input or
// output of the step has no elements), neither PrepareNonEmpty() nor
// ComputeNonEmpty() is ever called, so no primitive is created (oneDNN
// divides by zero on a matmul of no rows and has no convolution without
// channels), and each step runs ComputeEmpty() instead. REQUIRES: the op's
// outputs are preallocated (OpDef::forwards_outputs is false).
class NonEmptyKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) final;
  absl::Status Compute(KernelContext& ctx) final {
    return empty_ ? ComputeEmpty(ctx) : ComputeNonEmpty(ctx);
  }
  std::string DebugString() const final {
    return empty_ ? "no elements: TF's empty result" : DebugStringNonEmpty();
  }

 protected:
  // As OpKernel's Prepare() and Compute(), on operands with elements.
  virtual absl::Status PrepareNonEmpty(const PrepareContext& ctx) = 0;
  virtual absl::Status ComputeNonEmpty(KernelContext& ctx) = 0;
  // As OpKernel's DebugString(), on operands with elements.
  virtual std::string DebugStringNonEmpty() const { return {}; }
  // True when the step's operands have no elements. Override for an op
  // with an input that may be empty and is not an operand (batch
  // normalization's unused statistics while training).
  virtual bool IsEmpty(const PrepareContext& ctx) const;
  // Called once per plan instead of PrepareNonEmpty() when IsEmpty(): reads
  // the attributes ComputeEmpty() needs.
  virtual absl::Status PrepareEmpty(const PrepareContext& ctx) {
    (void)ctx;
    return absl::OkStatus();
  }
  // The fill of output `i` when an operand is empty; kZero by default.
  virtual EmptyFill empty_fill(int i) const {
    (void)i;
    return EmptyFill::kZero;
  }
  // The result on empty operands: by default every output is filled with
  // its empty_fill() (only outputs with elements have anything to write).
  // Override for an op whose empty result is more than a fill (batch
  // normalization passes given statistics through). Never allocates.
  virtual absl::Status ComputeEmpty(KernelContext& ctx);

 private:
  bool empty_ = false;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_KERNEL_H_
