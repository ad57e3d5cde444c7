// The memory plan of an execution plan's values: every buffer the plan
// reserves (PlanValue::preallocate) gets an offset in one arena per
// instance, and two values share bytes only when no step runs while both
// are live. A value is live from its producer's step to its last reader's;
// a fetched one to the end of the run (Run copies it out then); and a
// value a step reads stays live while any output that step forwards
// (OpDef::forwards_outputs: an Identity, a Reshape, a Switch) does, since
// such an output may be the input's own buffer. Under PlanIR::in_place a
// step's output 0 takes the bytes of an input it may overwrite
// (PlanStep::inplace_inputs), or of the buffer such an input forwards, of
// its dtype and size, read by no later step and by no other input of its
// own. Internal to graph/.
//
//   const ValueArena arena = ValueArena::Plan(ir);
//   MINITF_ASSIGN_OR_RETURN(Tensor buffer, arena.Allocate());  // per instance
//   slots[v] = buffer.ViewBytes(ir.values[v].dtype, arena.offsets[v],
//                               ir.values[v].shape);
#ifndef MINITF_GRAPH_VALUE_ARENA_H_
#define MINITF_GRAPH_VALUE_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/plan_ir.h"

namespace minitf {

struct ValueArena {
  // Per value: its byte offset in the arena; -1 for a value the plan does
  // not reserve (fed, forwarded).
  std::vector<int64_t> offsets;
  size_t bytes = 0;           // the arena's size: the live values' peak
  size_t unshared_bytes = 0;  // what one buffer per value would take
  int written_over = 0;       // outputs written over an input in place
  // The largest value, which an out-of-memory error names; and whether some
  // value, or the arena, has more bytes than a size_t holds.
  PlanValue largest;
  bool oversized = false;

  // Offsets 64-byte aligned, as a Tensor's own buffer is.
  static constexpr size_t kAlignment = 64;

  static ValueArena Plan(const PlanIR& ir);
  // The arena of one instance, every byte 0xFF (NaN as a float, -1 as an
  // integer): a kernel that reads an output before writing all of it shows
  // at once, not only once the bytes are another value's. TF's
  // ResourceExhausted text, naming the largest value, when the memory
  // cannot be had.
  absl::StatusOr<Tensor> Allocate() const;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_VALUE_ARENA_H_
