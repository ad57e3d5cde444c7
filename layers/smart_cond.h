// SmartCond: TF's tf_utils.smart_cond for a layer's `training` argument: a
// bool picks a branch while building; a tensor selects at run time (only
// the taken branch runs): minitf::smart_cond over a layer's Training
// value. Internal to layers/.
#ifndef MINITF_LAYERS_SMART_COND_H_
#define MINITF_LAYERS_SMART_COND_H_

#include <functional>
#include <variant>
#include <vector>

#include "minitf/graph/node.h"

namespace minitf::layers {

std::vector<Output> SmartCond(
    const std::variant<bool, Output>& pred,
    const std::function<std::vector<Output>()>& true_fn,
    const std::function<std::vector<Output>()>& false_fn);
Output SmartCond(const std::variant<bool, Output>& pred,
                 const std::function<Output()>& true_fn,
                 const std::function<Output()>& false_fn);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_SMART_COND_H_
