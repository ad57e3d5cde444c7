// ViewKernel: output 0 is input 0's buffer seen with the output's planned
// shape (identity, reshape, squeeze, expand_dims...). It never copies;
// ops using it declare OpDef::forwards_outputs. Internal to ops/.
//
// A step a pass made layout aware (PlanStep::layout_aware: the flatten in
// front of a dense layer that reads the pooled activations blocked) gives
// its output input 0's layout: the same bytes, so the readers of a view of
// another shape must know the layout's dims are not the view's.
#ifndef MINITF_OPS_ARRAY_VIEW_KERNEL_H_
#define MINITF_OPS_ARRAY_VIEW_KERNEL_H_

#include <string>

#include "minitf/core/onednn.h"
#include "minitf/graph/kernel.h"

namespace minitf {

class ViewKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    shape_ = ctx.output_shapes[0];
    layout_ = ctx.input_layout(0);
    // (Layout propagation lets input 0 block only when output 0 may.)
    if (layout_ != nullptr && !ctx.may_block(0)) {
      return absl::InternalError("a view of a blocked tensor must be blocked");
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    ctx.output(0) = ctx.input(0).WithShape(shape_);
    return absl::OkStatus();
  }
  const BlockedLayout* output_layout(int i) const override {
    return i == 0 ? layout_ : nullptr;
  }
  std::string DebugString() const override {
    return layout_ != nullptr ? "view in:" + LayoutName(layout_->blocked) : "";
  }

 private:
  Shape shape_;
  const BlockedLayout* layout_ = nullptr;
};

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_VIEW_KERNEL_H_
