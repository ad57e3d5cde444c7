#include "minitf/ops/math/broadcast.h"

namespace minitf {

void BroadcastLoop::Init(const Shape& out,
                         std::initializer_list<const Shape*> inputs) {
  num_inputs_ = static_cast<int>(inputs.size());
  total_ = out.num_elements();
  dims_.assign(out.dims().begin(), out.dims().end());
  same_shapes_ = true;
  const int rank = out.rank();
  int k = 0;
  for (const Shape* in : inputs) {
    if (!(*in == out)) same_shapes_ = false;
    strides_[k].assign(rank, 0);
    int64_t stride = 1;
    for (int d = in->rank() - 1; d >= 0; --d) {
      const int od = rank - in->rank() + d;
      strides_[k][od] = in->dim(d) == 1 ? 0 : stride;
      stride *= in->dim(d);
    }
    ++k;
  }
}

}  // namespace minitf
