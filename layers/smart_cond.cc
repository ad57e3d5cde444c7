#include "minitf/layers/smart_cond.h"

#include "minitf/core/errors.h"

namespace minitf::layers {

std::vector<Output> SmartCond(
    const std::variant<bool, Output>& pred,
    const std::function<std::vector<Output>()>& true_fn,
    const std::function<std::vector<Output>()>& false_fn) {
  if (const bool* b = std::get_if<bool>(&pred))
    return *b ? true_fn() : false_fn();
  ThrowValueError("TODO-MERGE cond");
}

Output SmartCond(const std::variant<bool, Output>& pred,
                 const std::function<Output()>& true_fn,
                 const std::function<Output()>& false_fn) {
  return SmartCond(
      pred, [&] { return std::vector<Output>{true_fn()}; },
      [&] { return std::vector<Output>{false_fn()}; })[0];
}

}  // namespace minitf::layers
