#include "minitf/graph/value_arena.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"

namespace minitf {
namespace {

// A value's bytes, rounded up to the alignment; false when they overflow.
bool AlignedBytes(const PlanValue& value, size_t& bytes) {
  const size_t element = DataTypeSize(value.dtype);
  const auto n = static_cast<uint64_t>(value.shape.num_elements());
  constexpr size_t kMax = std::numeric_limits<size_t>::max() / 2;
  if (element != 0 && n > kMax / element) return false;
  bytes = (n * element + ValueArena::kAlignment - 1) / ValueArena::kAlignment *
          ValueArena::kAlignment;
  return true;
}

// The values whose bytes `step` reads (not refs, not shape-only inputs).
std::vector<int> DataInputs(const PlanStep& step) {
  std::vector<int> values;
  for (int i = 0; i < static_cast<int>(step.inputs.size()); ++i) {
    if (step.inputs[i] >= 0 &&
        !absl::c_linear_search(step.shape_only_inputs, i)) {
      values.push_back(step.inputs[i]);
    }
  }
  return values;
}

// The steps [first, last] during which each value is live (see the file
// comment). A value no step touches is live throughout.
struct Lifetimes {
  std::vector<int> first, last;
  bool Overlap(int a, int b) const {
    return first[a] <= last[b] && first[b] <= last[a];
  }
};

Lifetimes LifetimesOf(const PlanIR& ir) {
  const int n = static_cast<int>(ir.steps.size());
  Lifetimes t{std::vector<int>(ir.values.size(), n),
              std::vector<int>(ir.values.size(), -1)};
  for (int s = 0; s < n; ++s) {
    for (int v : ir.steps[s].outputs) {
      t.first[v] = std::min(t.first[v], s);
      t.last[v] = std::max(t.last[v], s);
    }
    for (int v : DataInputs(ir.steps[s])) t.last[v] = std::max(t.last[v], s);
  }
  for (int v : ir.fetch_values) t.last[v] = n;
  // Backwards, so each output's lifetime is complete when its step's
  // inputs inherit it (a chain of Identity steps passes it all the way).
  for (int s = n - 1; s >= 0; --s) {
    const PlanStep& step = ir.steps[s];
    for (int out : step.outputs) {
      if (ir.values[out].preallocate) continue;  // not a forwarded buffer
      for (int v : DataInputs(step))
        t.last[v] = std::max(t.last[v], t.last[out]);
    }
  }
  for (size_t v = 0; v < ir.values.size(); ++v) {
    if (t.first[v] > t.last[v]) {
      t.first[v] = 0;
      t.last[v] = n;
    }
  }
  return t;
}

// Per value, the arena value whose buffer it may be: itself when the plan
// reserves it; for an output a step forwards (an Identity's, a Reshape's),
// that of the step's one data input that has one, followed back; -1 for
// none (fed, a variable's, a constant's) or several.
std::vector<int> BuffersOf(const PlanIR& ir) {
  std::vector<int> buffer(ir.values.size(), -1);
  for (size_t v = 0; v < ir.values.size(); ++v) {
    if (ir.values[v].preallocate) buffer[v] = static_cast<int>(v);
  }
  for (const PlanStep& step : ir.steps) {  // (producers first)
    int forwarded = -1;
    bool several = false;
    for (int v : DataInputs(step)) {
      if (buffer[v] < 0 || buffer[v] == forwarded) continue;
      several |= forwarded >= 0;
      forwarded = buffer[v];
    }
    for (int out : step.outputs) {
      if (!ir.values[out].preallocate) buffer[out] = several ? -1 : forwarded;
    }
  }
  return buffer;
}

// Per value, the value whose bytes it takes (itself, or under
// PlanIR::in_place the buffer of an input of its producer it overwrites:
// see OpDef::inplace_inputs), with `t` made the lifetimes of these groups
// (the first member's start to the last one's end; they touch only at the
// overwriting step). A forwarded input's buffer may hold it or not: either
// way the output may take the buffer once nothing later reads it.
// `written_over` counts the values that take another's.
std::vector<int> InPlaceGroups(const PlanIR& ir, Lifetimes& t,
                               int& written_over) {
  std::vector<int> owner(ir.values.size());
  for (size_t v = 0; v < owner.size(); ++v) owner[v] = static_cast<int>(v);
  if (!ir.in_place) return owner;
  const std::vector<int> buffer = BuffersOf(ir);
  for (int s = 0; s < static_cast<int>(ir.steps.size()); ++s) {
    const PlanStep& step = ir.steps[s];
    if (step.outputs.empty()) continue;
    const int out = step.outputs[0];
    const PlanValue& o = ir.values[out];
    const auto reads = [&](int b) {
      return absl::c_count_if(step.inputs,
                              [&](int v) { return v >= 0 && buffer[v] == b; });
    };
    for (int k : step.inplace_inputs) {
      if (k >= static_cast<int>(step.inputs.size()) || step.inputs[k] < 0)
        continue;
      const int in = buffer[step.inputs[k]];
      if (in < 0 || !o.preallocate || ir.values[in].dtype != o.dtype ||
          ir.values[in].shape.num_elements() != o.shape.num_elements() ||
          t.last[in] != s || reads(in) != 1) {
        continue;
      }
      owner[out] = owner[in];
      t.last[owner[in]] = std::max(t.last[owner[in]], t.last[out]);
      ++written_over;
      break;
    }
  }
  return owner;
}

}  // namespace

ValueArena ValueArena::Plan(const PlanIR& ir) {
  Lifetimes t = LifetimesOf(ir);
  ValueArena arena;
  const std::vector<int> owner = InPlaceGroups(ir, t, arena.written_over);
  arena.offsets.assign(ir.values.size(), -1);
  std::vector<size_t> size(ir.values.size(), 0);
  std::vector<int> reserved;
  size_t largest_bytes = 0;
  for (int v = 0; v < static_cast<int>(ir.values.size()); ++v) {
    const PlanValue& value = ir.values[v];
    if (!value.preallocate) continue;
    // (Offsets never pass the sum of all sizes, kept within half a size_t.)
    if (!AlignedBytes(value, size[v]) ||
        size[v] >
            std::numeric_limits<size_t>::max() / 2 - arena.unshared_bytes) {
      arena.largest = value;
      arena.oversized = true;
      return arena;  // never allocated
    }
    if (size[v] > largest_bytes) {
      largest_bytes = size[v];
      arena.largest = value;
    }
    arena.unshared_bytes += size[v];
    if (owner[v] == v) reserved.push_back(v);
  }
  // Greedy by size: the largest values first, each at the lowest offset
  // where it overlaps no placed value live at the same time.
  std::stable_sort(reserved.begin(), reserved.end(),
                   [&](int a, int b) { return size[a] > size[b]; });
  std::vector<int> placed;  // by offset
  for (int v : reserved) {
    size_t offset = 0;
    for (int p : placed) {
      if (!t.Overlap(v, p)) continue;
      const size_t begin = arena.offsets[p];
      if (begin >= offset + size[v]) break;  // fits in the gap before p
      offset = std::max(offset, begin + size[p]);
    }
    arena.offsets[v] = static_cast<int64_t>(offset);
    arena.bytes = std::max(arena.bytes, offset + size[v]);
    placed.insert(
        std::upper_bound(placed.begin(), placed.end(), offset,
                         [&](size_t o, int p) {
                           return o < static_cast<size_t>(arena.offsets[p]);
                         }),
        v);
  }
  for (size_t v = 0; v < owner.size(); ++v)
    arena.offsets[v] = arena.offsets[owner[v]];
  return arena;
}

absl::StatusOr<Tensor> ValueArena::Allocate() const {
  if (!oversized) {
    try {
      Tensor buffer(DataType::kFloat,
                    Shape{static_cast<int64_t>(bytes / sizeof(float))});
      std::memset(buffer.raw_data(), 0xFF, bytes);
      return buffer;
    } catch (const Error&) {
      // (Named below after the largest value, not the arena.)
    }
  }
  size_t value_bytes = 0;
  const bool fits = AlignedBytes(largest, value_bytes);
  return absl::ResourceExhaustedError(absl::StrCat(
      "OOM when allocating tensor with shape", largest.shape.DebugString(),
      " and type ", DataTypeName(largest.dtype), " (",
      fits ? absl::StrCat(largest.shape.num_elements() *
                          DataTypeSize(largest.dtype))
           : "> 2**63",
      " bytes) in the plan's buffers of ",
      oversized ? "> 2**63" : absl::StrCat(bytes), " bytes"));
}

}  // namespace minitf
