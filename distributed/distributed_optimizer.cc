#include "minitf/distributed/distributed_optimizer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "minitf/distributed/basics.h"
#include "minitf/distributed/collective_ops.h"
#include "minitf/graph/context.h"

namespace minitf::hvd {
namespace {

std::string DistributedName(const train::Optimizer& optimizer,
                            const DistributedOptimizerOptions& options) {
  // size() first: it throws Horovod's ValueError before init().
  (void)size();
  return options.name.empty()
             ? absl::StrCat("Distributed", optimizer.get_name())
             : options.name;
}

}  // namespace

DistributedOptimizer::DistributedOptimizer(
    train::Optimizer& optimizer, const DistributedOptimizerOptions& options)
    : train::Optimizer(/*use_locking=*/false,
                       DistributedName(optimizer, options)),
      optimizer_(optimizer) {}

std::vector<train::GradAndVar> DistributedOptimizer::compute_gradients(
    Output loss, const train::ComputeGradientsOptions& options) {
  std::vector<train::GradAndVar> grads_and_vars =
      optimizer_.compute_gradients(loss, options);
  if (size() == 1) return grads_and_vars;
  std::vector<Output> grads;
  for (const auto& [grad, var] : grads_and_vars) {
    if (!grad.is_null()) grads.push_back(grad);
  }
  if (grads.empty()) return grads_and_vars;
  name_scope scope(absl::StrCat(get_name(), "_Allreduce"));
  std::vector<Output> averaged = grouped_allreduce(grads);
  size_t next = 0;
  for (auto& [grad, var] : grads_and_vars) {
    if (!grad.is_null()) grad = averaged[next++];
  }
  return grads_and_vars;
}

Operation DistributedOptimizer::apply_gradients(
    const std::vector<train::GradAndVar>& grads_and_vars,
    const Variable& global_step, absl::string_view name) {
  return optimizer_.apply_gradients(grads_and_vars, global_step, name);
}

Variable DistributedOptimizer::get_slot(const Variable& var,
                                        const std::string& name) const {
  return optimizer_.get_slot(var, name);
}

std::vector<std::string> DistributedOptimizer::get_slot_names() const {
  return optimizer_.get_slot_names();
}

std::vector<Variable> DistributedOptimizer::variables() const {
  return optimizer_.variables();
}

}  // namespace minitf::hvd
