// RewriterConfig::memory_optimization: each optimizer update
// (OpDef::elementwise_update_grad) runs as soon as its gradient is
// computed, instead of after the whole backward pass, so the gradient's
// buffer is free for the rest of the step (the value arena gives its bytes
// to later values: a dense layer's kernel gradient is the largest buffer of
// a CNN's step). An update moves ahead of no step that reads or writes the
// variables it updates, nor of any input's producer (a constant it reads
// moves with it); updates with control inputs stay where they are. Internal
// to graph/.
//
//   if (config.memory_optimization) passes.push_back(ScheduleUpdatesEarly);
#ifndef MINITF_GRAPH_UPDATE_SCHEDULE_H_
#define MINITF_GRAPH_UPDATE_SCHEDULE_H_

#include "absl/status/status.h"
#include "minitf/graph/plan_ir.h"

namespace minitf {

absl::Status ScheduleUpdatesEarly(PlanIR& ir);

}  // namespace minitf

#endif  // MINITF_GRAPH_UPDATE_SCHEDULE_H_
