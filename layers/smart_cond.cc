#include "minitf/layers/smart_cond.h"

#include "minitf/ops/control/cond.h"

namespace minitf::layers {

std::vector<Output> SmartCond(
    const std::variant<bool, Output>& pred,
    const std::function<std::vector<Output>()>& true_fn,
    const std::function<std::vector<Output>()>& false_fn) {
  return std::visit(
      [&](const auto& p) { return smart_cond(p, true_fn, false_fn); }, pred);
}

Output SmartCond(const std::variant<bool, Output>& pred,
                 const std::function<Output()>& true_fn,
                 const std::function<Output()>& false_fn) {
  return std::visit(
      [&](const auto& p) { return smart_cond(p, true_fn, false_fn); }, pred);
}

}  // namespace minitf::layers
