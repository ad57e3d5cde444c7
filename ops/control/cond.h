// cond and smart_cond: TF1's graph conditionals (tf.cond v1, smart_cond).
// cond() calls each branch function once, at build time, inside a cond
// context: every value the branch takes from outside goes through a Switch
// on the predicate, and ops without inputs depend on the branch's pivot, so
// at run time only the taken branch runs (an assign in the other one does
// not happen) and gradients flow through the taken branch only.
//
//   auto training = tf::placeholder_with_default(tf::constant(false), {});
//   tf::Output y = tf::cond(training, [&] { return tf::nn::dropout(x, 0.5); },
//                           [&] { return tf::identity(x); });
//   std::vector<tf::Output> ys = tf::cond(
//       pred, [&] { return std::vector<tf::Output>{a, b}; },
//       [&] { return std::vector<tf::Output>{b, a}; });
//   auto z = tf::smart_cond(false, [&] { ... }, [&] { ... });  // builds one
//
// Names follow TF: "cond/Switch", "cond/switch_t", "cond/switch_f",
// "cond/pred_id", the branches' ops under "cond/" (an external input of
// "cond/mul" enters through "cond/mul/Switch"), "cond/Merge".
#ifndef MINITF_OPS_CONTROL_COND_H_
#define MINITF_OPS_CONTROL_COND_H_

#include <functional>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

using BranchFn = std::function<Output()>;
using BranchListFn = std::function<std::vector<Output>()>;

// TF's tf.cond (v1): `pred` is a scalar bool tensor. Both functions must
// return the same number of tensors of the same dtypes; errors as TF's:
// TypeError "true_fn must be callable." for an empty function, ValueError
// "true_fn must have a return value." for a null Output, "true_fn and
// false_fn must return at least one result.", "Incompatible return values
// of true_fn and false_fn: ...", "Outputs of true_fn and false_fn must have
// the same type: float32, int32". Returns the Merge outputs.
std::vector<Output> cond(Output pred, const BranchListFn& true_fn,
                         const BranchListFn& false_fn,
                         absl::string_view name = "cond");
Output cond(Output pred, const BranchFn& true_fn, const BranchFn& false_fn,
            absl::string_view name = "cond");

// TF's smart_cond: when `pred` is known at build time (a C++ bool, or a
// tensor constant_value() can evaluate) only the selected function is
// called, outside any cond; otherwise cond(pred, true_fn, false_fn, name).
std::vector<Output> smart_cond(Output pred, const BranchListFn& true_fn,
                               const BranchListFn& false_fn,
                               absl::string_view name = "cond");
Output smart_cond(Output pred, const BranchFn& true_fn,
                  const BranchFn& false_fn, absl::string_view name = "cond");
Output smart_cond(bool pred, const BranchFn& true_fn, const BranchFn& false_fn,
                  absl::string_view name = "cond");
std::vector<Output> smart_cond(bool pred, const BranchListFn& true_fn,
                               const BranchListFn& false_fn,
                               absl::string_view name = "cond");

// The value of a bool scalar tensor when it is known at build time: a
// Const, or a small subgraph of stateless ops over constants (evaluated
// once, as TF's TryEvaluateConstant). nullopt for anything that can be fed
// (placeholders, placeholder_with_default), read (variables) or is random.
std::optional<bool> constant_value(Output pred);

}  // namespace minitf

#endif  // MINITF_OPS_CONTROL_COND_H_
