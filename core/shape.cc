#include "minitf/core/shape.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"

namespace minitf {
namespace {

std::string DimString(int64_t d) { return d < 0 ? "?" : absl::StrCat(d); }

}  // namespace

Shape::Shape(absl::Span<const int64_t> dims)
    : rank_(static_cast<int>(dims.size())) {
  if (rank_ > kMaxRank) {
    ThrowValueError(
        absl::StrCat("Rank ", rank_, " exceeds the maximum of ", kMaxRank));
  }
  std::copy(dims.begin(), dims.end(), dims_);
  CheckDims();
}

void Shape::CheckDims() const {
  int64_t known = 1;
  for (int64_t d : dims()) {
    if (d < kUnknownDim) {
      ThrowValueError(absl::StrCat("Dimension ", d, " must be >= 0"));
    }
    if (d < 0) continue;
    if (d != 0 && known > std::numeric_limits<int64_t>::max() / d) {
      ThrowValueError(absl::StrCat("Shape ", DebugString(),
                                   " would have more than 2**63 - 1 elements"));
    }
    known *= d;
  }
}

void Shape::set_dim(int i, int64_t value) {
  // Checked on a copy, so a rejected value leaves this shape as it was.
  Shape changed = *this;
  changed.dims_[i] = value;
  changed.CheckDims();
  dims_[i] = value;
}

Shape Shape::Unknown() {
  Shape s;
  s.unknown_rank_ = true;
  return s;
}

Shape Shape::UnknownDims(int rank) {
  if (rank < 0 || rank > kMaxRank) {
    ThrowValueError(
        absl::StrCat("Rank ", rank, " exceeds the maximum of ", kMaxRank));
  }
  Shape s;
  s.rank_ = rank;
  std::fill(s.dims_, s.dims_ + rank, kUnknownDim);
  return s;
}

bool Shape::IsFullyDefined() const {
  if (unknown_rank_) return false;
  for (int64_t d : dims()) {
    if (d < 0) return false;
  }
  return true;
}

int64_t Shape::num_elements() const {
  if (!IsFullyDefined()) return -1;
  int64_t n = 1;
  for (int64_t d : dims()) n *= d;
  return n;
}

bool Shape::IsCompatibleWith(const Shape& other) const {
  if (unknown_rank_ || other.unknown_rank_) return true;
  if (rank_ != other.rank_) return false;
  for (int i = 0; i < rank_; ++i) {
    if (dims_[i] >= 0 && other.dims_[i] >= 0 && dims_[i] != other.dims_[i]) {
      return false;
    }
  }
  return true;
}

std::optional<Shape> Shape::MergeWith(const Shape& other) const {
  if (!IsCompatibleWith(other)) return std::nullopt;
  if (unknown_rank_) return other;
  if (other.unknown_rank_) return *this;
  Shape merged = *this;
  for (int i = 0; i < rank_; ++i) {
    if (merged.dims_[i] < 0) merged.dims_[i] = other.dims_[i];
  }
  return merged;
}

std::string Shape::ToString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < rank_; ++i) {
    if (i > 0) out += ", ";
    out += DimString(dims_[i]);
  }
  if (rank_ == 1) out += ",";
  return out + ")";
}

std::string Shape::DebugString() const {
  if (unknown_rank_) return "<unknown>";
  std::string out = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i > 0) out += ",";
    out += DimString(dims_[i]);
  }
  return out + "]";
}

}  // namespace minitf
