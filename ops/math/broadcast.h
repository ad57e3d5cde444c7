// Broadcast indexing for elementwise kernels: for each element of an output
// shape, the offset of the element each input contributes (NumPy rules).
// Set up once in Prepare; Run() allocates nothing.
//
//   BroadcastLoop loop;
//   loop.Init(out_shape, {&a_shape, &b_shape});
//   loop.Run([&](int64_t i, const int64_t* in) { o[i] = a[in[0]] + b[in[1]];
//   });
#ifndef MINITF_OPS_MATH_BROADCAST_H_
#define MINITF_OPS_MATH_BROADCAST_H_

#include <cstdint>
#include <vector>

#include "minitf/core/shape.h"

namespace minitf {

class BroadcastLoop {
 public:
  static constexpr int kMaxInputs = 3;

  // REQUIRES: every input broadcasts to `out`; at most kMaxInputs inputs.
  void Init(const Shape& out, std::initializer_list<const Shape*> inputs);

  // Calls fn(output_index, input_offsets) for every output element in
  // row-major order.
  template <typename Fn>
  void Run(Fn&& fn) const {
    int64_t offsets[kMaxInputs] = {0, 0, 0};
    if (same_shapes_) {
      for (int64_t i = 0; i < total_; ++i) {
        for (int k = 0; k < num_inputs_; ++k) offsets[k] = i;
        fn(i, offsets);
      }
      return;
    }
    const int rank = static_cast<int>(dims_.size());
    int64_t coord[Shape::kMaxRank] = {};
    for (int64_t i = 0; i < total_; ++i) {
      fn(i, offsets);
      // Advance the innermost coordinate; carry outwards.
      for (int d = rank - 1; d >= 0; --d) {
        for (int k = 0; k < num_inputs_; ++k) offsets[k] += strides_[k][d];
        if (++coord[d] < dims_[d]) break;
        for (int k = 0; k < num_inputs_; ++k) {
          offsets[k] -= strides_[k][d] * dims_[d];
        }
        coord[d] = 0;
      }
    }
  }

  int64_t size() const { return total_; }

 private:
  int num_inputs_ = 0;
  int64_t total_ = 0;
  bool same_shapes_ = false;
  std::vector<int64_t> dims_;                 // output dims
  std::vector<int64_t> strides_[kMaxInputs];  // 0 on broadcast dims
};

}  // namespace minitf

#endif  // MINITF_OPS_MATH_BROADCAST_H_
