// Shape: a tensor shape whose rank or dimensions may be unknown, like TF's
// TensorShape. An unknown dimension is -1 (printed `?`); an unknown rank is
// Shape::Unknown() (printed `<unknown>`).
//
//   Shape s = {-1, 28, 28, 1};
//   s.ToString() == "(?, 28, 28, 1)";      // TensorShape.__str__
//   s.DebugString() == "[?,28,28,1]";      // the C++ runtime's form
//   s.IsCompatibleWith({64, 28, 28, 1});   // true
//
// Dims are stored inline (rank <= kMaxRank, oneDNN's limit): copies never
// allocate. Thread-compatible.
#ifndef MINITF_CORE_SHAPE_H_
#define MINITF_CORE_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace minitf {

class Shape {
 public:
  static constexpr int64_t kUnknownDim = -1;
  static constexpr int kMaxRank = 12;

  // A scalar: known rank 0.
  Shape() = default;
  // Known rank; each dim is >= 0 or -1 (unknown). Throws ValueError past
  // kMaxRank, for a dim below -1, and when the known dims' product
  // overflows int64 (so num_elements() never overflows).
  Shape(std::initializer_list<int64_t> dims)
      : Shape(absl::MakeConstSpan(dims.begin(), dims.size())) {}
  explicit Shape(absl::Span<const int64_t> dims);
  // Unknown rank.
  static Shape Unknown();
  // Known rank `rank`, every dimension unknown.
  static Shape UnknownDims(int rank);

  bool has_rank() const { return !unknown_rank_; }
  // Returns the rank, or -1 when it is unknown.
  int rank() const { return unknown_rank_ ? -1 : rank_; }
  // REQUIRES: has_rank() and 0 <= i < rank().
  int64_t dim(int i) const { return dims_[i]; }
  absl::Span<const int64_t> dims() const {
    return {dims_, static_cast<size_t>(rank_)};
  }
  // Same checks as the constructor; on a throw the shape is unchanged.
  void set_dim(int i, int64_t value);
  bool IsFullyDefined() const;
  // Returns the product of the dims; -1 unless fully defined.
  int64_t num_elements() const;

  // True when some value could have both shapes (unknowns match anything).
  bool IsCompatibleWith(const Shape& other) const;
  // The most specific shape compatible with both; nullopt if incompatible.
  std::optional<Shape> MergeWith(const Shape& other) const;

  // "(?, 28, 28, 1)", "(2,)", "()", "<unknown>": Python's TensorShape.
  std::string ToString() const;
  // "[?,28,28,1]", "[]", "<unknown>": the runtime's (C++) form.
  std::string DebugString() const;

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.unknown_rank_ == b.unknown_rank_ && a.dims() == b.dims();
  }
  template <typename H>
  friend H AbslHashValue(H h, const Shape& s) {
    return H::combine(std::move(h), s.unknown_rank_, s.dims());
  }

 private:
  void CheckDims() const;

  int64_t dims_[kMaxRank] = {};
  int rank_ = 0;
  bool unknown_rank_ = false;
};

}  // namespace minitf

#endif  // MINITF_CORE_SHAPE_H_
