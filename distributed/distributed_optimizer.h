// hvd::DistributedOptimizer: Horovod's wrapper of any minitf optimizer for
// data-parallel training. compute_gradients is the wrapped optimizer's,
// with every gradient then averaged over the processes by one fused
// allreduce (grouped_allreduce, in the name scope "<name>_Allreduce");
// apply_gradients and the slots are the wrapped optimizer's, so the graph
// is the single-process one plus that allreduce.
//
//   tf::train::AdamOptimizer adam(1e-3);
//   tf::hvd::DistributedOptimizer optimizer(adam);   // opt = hvd.Distrib...
//   tf::Operation train_op = optimizer.minimize(loss, {.global_step = step});
//
// On one process no allreduce is built. Requires hvd::init() first (the
// constructor throws Horovod's ValueError otherwise). The wrapped optimizer
// must outlive this one.
#ifndef MINITF_DISTRIBUTED_DISTRIBUTED_OPTIMIZER_H_
#define MINITF_DISTRIBUTED_DISTRIBUTED_OPTIMIZER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/train/optimizer.h"

namespace minitf::hvd {

struct DistributedOptimizerOptions {
  // "" is "Distributed<wrapped optimizer's name>" ("DistributedAdam").
  std::string name = "";
};

class DistributedOptimizer : public train::Optimizer {
 public:
  explicit DistributedOptimizer(
      train::Optimizer& optimizer,
      const DistributedOptimizerOptions& options = {});

  std::vector<train::GradAndVar> compute_gradients(
      Output loss, const train::ComputeGradientsOptions& options = {}) override;
  Operation apply_gradients(
      const std::vector<train::GradAndVar>& grads_and_vars,
      const Variable& global_step = Variable(),
      absl::string_view name = "") override;
  Variable get_slot(const Variable& var,
                    const std::string& name) const override;
  std::vector<std::string> get_slot_names() const override;
  std::vector<Variable> variables() const override;

 private:
  train::Optimizer& optimizer_;
};

}  // namespace minitf::hvd

#endif  // MINITF_DISTRIBUTED_DISTRIBUTED_OPTIMIZER_H_
