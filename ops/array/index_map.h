// IndexMaps: a tensor read through one index map per dimension,
//   out[o_0, ..., o_r-1] = in[map_0[o_0], ..., map_r-1[o_r-1]],
// an entry of -1 selecting a fill value instead. Slice, StridedSlice, Tile,
// Pad, MirrorPad and Gather are all such reads; their gradients scatter-add
// through the same maps. Internal to ops/array/.
//
//   IndexMaps maps;
//   maps.Reset(in_dims, out_dims);                  // in Prepare
//   for (int64_t i = 0; i < out_dims[d]; ++i) maps.map(d)[i] = begin + i;
//   maps.Gather<float>(in, out, 0.0f);              // in Compute
#ifndef MINITF_OPS_ARRAY_INDEX_MAP_H_
#define MINITF_OPS_ARRAY_INDEX_MAP_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "minitf/core/shape.h"
#include "minitf/core/tensor.h"

namespace minitf {

class IndexMaps {
 public:
  // Sizes the maps: `out` has one entry per output index of each dim.
  // Rank 0 is treated as one dim of size 1. Allocates; call in Prepare.
  void Reset(absl::Span<const int64_t> in, absl::Span<const int64_t> out);

  int rank() const { return static_cast<int>(out_.size()); }
  int64_t in_dim(int d) const { return in_[d]; }
  int64_t out_dim(int d) const { return out_[d]; }
  // REQUIRES: 0 <= d < rank(); out_dim(d) writable entries.
  int64_t* map(int d) { return storage_.data() + offsets_[d]; }
  const int64_t* map(int d) const { return storage_.data() + offsets_[d]; }

  // out (out dims) = in read through the maps; `fill` where an entry is -1.
  template <typename T>
  void Gather(const T* in, T* out, T fill) const {
    const Run run = ContiguousRun();
    const int64_t* last = map(rank() - 1);
    const int64_t n = out_.back();
    ForEachRow([&](int64_t base, int64_t o) {
      T* row = out + o;
      if (base < 0) {
        std::fill(row, row + n, fill);
        return;
      }
      for (int64_t i = 0; i < run.begin; ++i)
        row[i] = last[i] < 0 ? fill : in[base + last[i]];
      std::copy(in + base + run.source, in + base + run.source + run.size(),
                row + run.begin);
      for (int64_t i = run.end; i < n; ++i)
        row[i] = last[i] < 0 ? fill : in[base + last[i]];
    });
  }
  // out (in dims) = the sum of grad (out dims) over the maps.
  template <typename T>
  void ScatterAdd(const T* grad, T* out, int64_t out_size) const {
    std::fill(out, out + out_size, T(0));
    const Run run = ContiguousRun();
    const int64_t* last = map(rank() - 1);
    const int64_t n = out_.back();
    ForEachRow([&](int64_t base, int64_t o) {
      if (base < 0) return;
      const T* row = grad + o;
      for (int64_t i = 0; i < run.begin; ++i) {
        if (last[i] >= 0) out[base + last[i]] += row[i];
      }
      T* dst = out + base + run.source;
      for (int64_t i = run.begin; i < run.end; ++i)
        dst[i - run.begin] += row[i];
      for (int64_t i = run.end; i < n; ++i) {
        if (last[i] >= 0) out[base + last[i]] += row[i];
      }
    });
  }

 private:
  // The first run of the last map that reads consecutive inputs: output
  // [begin, end) reads input [source, source + end - begin). Rows copy it
  // in one go (a slice, a pad's middle, a gathered row).
  struct Run {
    int64_t begin = 0, end = 0, source = 0;
    int64_t size() const { return end - begin; }
  };
  Run ContiguousRun() const {
    const int64_t* last = map(rank() - 1);
    const int64_t n = out_.back();
    Run run;
    while (run.begin < n && last[run.begin] < 0) ++run.begin;
    run.end = run.begin;
    if (run.begin == n) return run;
    run.source = last[run.begin];
    while (run.end < n && last[run.end] == run.source + run.end - run.begin)
      ++run.end;
    return run;
  }

  // fn(input offset of the row or -1, output offset of the row) for each
  // row of the output (all dims but the last), in row-major order.
  template <typename Fn>
  void ForEachRow(Fn&& fn) const {
    const int r = rank();
    for (int64_t d : out_) {
      if (d == 0) return;
    }
    int64_t index[Shape::kMaxRank] = {};
    const int64_t rows = num_out_ / out_.back();
    for (int64_t row = 0; row < rows; ++row) {
      int64_t base = 0;
      for (int d = 0; d < r - 1 && base >= 0; ++d) {
        const int64_t m = map(d)[index[d]];
        base = m < 0 ? -1 : base + m * in_strides_[d];
      }
      fn(base, row * out_.back());
      for (int d = r - 2; d >= 0; --d) {
        if (++index[d] < out_[d]) break;
        index[d] = 0;
      }
    }
  }

  std::vector<int64_t> in_, out_, in_strides_, offsets_, storage_;
  int64_t num_out_ = 0;
};

// Gather / ScatterAdd on tensors of any dtype (ScatterAdd: not bool).
// `fill` is a scalar of src's dtype or null for zero.
void GatherTensor(const IndexMaps& maps, const Tensor& src, const Tensor& dst,
                  const Tensor* fill);
void ScatterAddTensor(const IndexMaps& maps, const Tensor& grad,
                      const Tensor& dst);

// Reads element i of an int32/int64 tensor.
int64_t IndexValue(const Tensor& t, int64_t i);

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_INDEX_MAP_H_
