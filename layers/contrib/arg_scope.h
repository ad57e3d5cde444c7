// tf.contrib.framework's arg_scope: default keyword arguments for the
// contrib layer functions, pushed and popped like a `with` block.
//
//   namespace cl = tf::contrib::layers;
//   {
//     tf::contrib::framework::arg_scope scope(
//         {cl::conv2d, cl::fully_connected},
//         cl::ConvolutionOptions{.normalizer_fn = cl::batch_norm,
//                                .weights_regularizer = l2});
//     auto h = cl::conv2d(x, {.num_outputs = 32, .kernel_size = 3});
//     auto y = cl::conv2d(h, {.num_outputs = 10, .kernel_size = 1,
//                             .normalizer_fn = nullptr});   // None wins
//   }
//
// Keyword arguments are option structs whose fields are Arg<T>: a field
// left unset is an argument not passed. A call merges, field by field, the
// explicit argument, else the innermost arg_scope's value for that function,
// else TF's default. Nested scopes merge (inner values win); a scope's
// keyword argument that the called function does not take is TF's
// TypeError "f() got an unexpected keyword argument 'x'", raised at the
// call, as in TF. Scopes are keyed by function: conv2d is convolution2d
// (the same function, as in TF), but convolution3d is a different one.
//
// The scope stack is per thread; guards must nest.
#ifndef MINITF_LAYERS_CONTRIB_ARG_SCOPE_H_
#define MINITF_LAYERS_CONTRIB_ARG_SCOPE_H_

#include <any>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/layers/conv_utils.h"

namespace minitf::contrib::framework {

namespace internal {
// What a braced list initializes in an Arg<T>: IntTuple takes ints, name
// lists take strings, maps take their pairs. NotAList for everything else.
struct NotAList {};
template <typename T>
struct ListElement {
  using type = NotAList;
};
template <>
struct ListElement<minitf::layers::IntTuple> {
  using type = int64_t;
};
template <typename K, typename V>
struct ListElement<std::map<K, V>> {
  using type = std::pair<const K, V>;
};
}  // namespace internal

// One keyword argument of a contrib function: unset (not passed), or a
// value. `nullptr` passes None for types whose default value is None
// (activations, initializers, regularizers, collection lists, strings).
//
//   Arg<IntTuple> k = {3, 3};    Arg<Activation> a = tf::nn::relu;
//   Arg<Activation> none = nullptr;   Arg<bool> unset;
template <typename T>
class Arg {
 public:
  using value_type = T;

  Arg() = default;
  Arg(std::nullptr_t) requires(!std::is_arithmetic_v<T>)  // NOLINT
      : value_(T()) {}
  template <typename U>
  requires(!std::same_as<std::remove_cvref_t<U>, Arg> &&
           !std::same_as<std::remove_cvref_t<U>, std::nullptr_t> &&
           std::constructible_from<T, U&&>) Arg(U&& value)  // NOLINT
      : value_(T(std::forward<U>(value))) {}
  Arg(std::initializer_list<typename internal::ListElement<T>::type>
          list)  // NOLINT
      requires(!std::same_as<typename internal::ListElement<T>::type,
                             internal::NotAList>)
      : value_(T(list)) {}

  bool is_set() const { return value_.has_value(); }
  // REQUIRES: is_set().
  const T& value() const { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  T value_or(T fallback) const { return value_ ? *value_ : fallback; }

 private:
  std::optional<T> value_;
};

// The keyword arguments an arg_scope holds for one function, in the order
// they were declared: name -> the set Arg<T>.
using KwArgs = std::vector<std::pair<std::string, std::any>>;

// Option structs usable with arg_scope list their fields by name:
//   template <typename Self, typename F>
//   static void ForEachField(Self& self, F&& f) { f("num_outputs",
//   self.num_outputs); ... }
template <typename Options>
concept ArgScopedOptions = requires(Options& o) {
  Options::ForEachField(o, [](const char*, auto&) {});
};

// A function arg_scope applies to: a contrib function taking (inputs,
// options) whose options list their fields. Plain functions of another
// shape do not convert (TF's "is not decorated with @add_arg_scope").
class ArgScopeFunction {
 public:
  using Key = void (*)();

  template <ArgScopedOptions Options>
  ArgScopeFunction(Output (*function)(Output, const Options&))  // NOLINT
      : key_(reinterpret_cast<Key>(function)) {}

  Key key() const { return key_; }

 private:
  Key key_;
};

// The arguments of every scoped function: TF's arg-scope dict, as
// current_arg_scope() returns it and arg_scope(saved) re-enters it.
using ArgScope = std::map<ArgScopeFunction::Key, KwArgs>;

// The innermost scope of this thread ({} outside any arg_scope).
ArgScope current_arg_scope();

// TF's `with arg_scope([f, ...], **kwargs) as sc:`.
class arg_scope {
 public:
  // The set fields of `kwargs` become defaults of each function in
  // `functions`, on top of the enclosing scope's.
  template <ArgScopedOptions Options>
  arg_scope(std::initializer_list<ArgScopeFunction> functions,
            const Options& kwargs)
      : arg_scope(functions, Collect(kwargs)) {}
  // Re-enters a scope saved from current_arg_scope() or scope().
  explicit arg_scope(ArgScope scope);
  ~arg_scope();
  arg_scope(const arg_scope&) = delete;
  arg_scope& operator=(const arg_scope&) = delete;

  // The scope entered: `as sc`.
  const ArgScope& scope() const { return scope_; }

 private:
  arg_scope(std::initializer_list<ArgScopeFunction> functions, KwArgs kwargs);

  template <typename Options>
  static KwArgs Collect(const Options& options) {
    KwArgs kwargs;
    Options::ForEachField(options, [&](const char* name, const auto& field) {
      if (field.is_set()) kwargs.emplace_back(name, std::any(field));
    });
    return kwargs;
  }

  ArgScope scope_;
};

namespace internal {
// The scope's arguments for `key` (null when there are none).
const KwArgs* ScopedArgs(ArgScopeFunction::Key key);
[[noreturn]] void ThrowUnexpectedArgument(absl::string_view function,
                                          absl::string_view name);
[[noreturn]] void ThrowMismatchedArgument(absl::string_view function,
                                          absl::string_view name);
}  // namespace internal

// What `function` (called `name` in messages) sees under the current
// arg_scope: `explicit_args`, with each unset field taken from the scope.
// Throws TypeError for a scope argument `function` does not take.
template <ArgScopedOptions Options>
Options WithArgScope(Output (*function)(Output, const Options&),
                     absl::string_view name, const Options& explicit_args) {
  Options merged = explicit_args;
  const KwArgs* scoped = internal::ScopedArgs(ArgScopeFunction(function).key());
  if (scoped == nullptr) return merged;
  for (const auto& [arg_name, value] : *scoped) {
    bool found = false;
    Options::ForEachField(merged, [&](const char* field_name, auto& field) {
      if (found || arg_name != field_name) return;
      found = true;
      using Field = std::remove_cvref_t<decltype(field)>;
      const Field* scoped_field = std::any_cast<Field>(&value);
      if (scoped_field == nullptr) {
        internal::ThrowMismatchedArgument(name, arg_name);
      }
      if (!field.is_set()) field = *scoped_field;
    });
    if (!found) internal::ThrowUnexpectedArgument(name, arg_name);
  }
  return merged;
}

}  // namespace minitf::contrib::framework

#endif  // MINITF_LAYERS_CONTRIB_ARG_SCOPE_H_
