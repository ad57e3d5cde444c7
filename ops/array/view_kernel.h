// ViewKernel: output 0 is input 0's buffer seen with the output's planned
// shape (identity, reshape, squeeze, expand_dims...). It never copies;
// ops using it declare OpDef::forwards_outputs. Internal to ops/.
#ifndef MINITF_OPS_ARRAY_VIEW_KERNEL_H_
#define MINITF_OPS_ARRAY_VIEW_KERNEL_H_

#include "minitf/graph/kernel.h"

namespace minitf {

class ViewKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    shape_ = ctx.output_shapes[0];
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    ctx.output(0) = ctx.input(0).WithShape(shape_);
    return absl::OkStatus();
  }

 private:
  Shape shape_;
};

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_VIEW_KERNEL_H_
