// Variable scopes and get_variable, with TF 1.15's semantics: sharing by
// name, reuse (True / inherit / AUTO_REUSE), scope-level defaults, custom
// getters, and the name scopes a variable scope opens.
//
//   {
//     tf::variable_scope vs("tower", {.reuse = tf::AUTO_REUSE});
//     auto w = tf::get_variable("w", {.shape = {3, 3}});   // "tower/w:0"
//     vs.scope().name() == "tower";
//     vs.scope().original_name_scope() == "tower/";
//   }
//   {
//     tf::variable_scope again(saved_scope, {.reuse = true});   // by object
//     tf::variable_scope unnamed(nullptr, {.default_name = "default"});
//   }
//
// Variables are kept per graph (shared by threads); the current scope and
// the default-name counters are per graph and per thread, as in TF.
#ifndef MINITF_VARIABLES_VARIABLE_SCOPE_H_
#define MINITF_VARIABLES_VARIABLE_SCOPE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/context.h"
#include "minitf/variables/initializers.h"
#include "minitf/variables/regularizers.h"
#include "minitf/variables/variable.h"

namespace minitf {

// TF's reuse argument. Default: None (inherit). `true` reuses; `false` is
// None for variable_scope (TF converts it) but a strict False for a direct
// VariableStore call; AUTO_REUSE creates or reuses.
class Reuse {
 public:
  enum class Mode { kNone, kFalse, kTrue, kAuto };
  constexpr Reuse() = default;
  constexpr Reuse(bool reuse)
      : mode_(reuse ? Mode::kTrue : Mode::kFalse) {}  // NOLINT
  constexpr explicit Reuse(Mode mode) : mode_(mode) {}
  constexpr Mode mode() const { return mode_; }
  // Python truthiness: True and AUTO_REUSE.
  constexpr explicit operator bool() const {
    return mode_ == Mode::kTrue || mode_ == Mode::kAuto;
  }
  friend constexpr bool operator==(Reuse a, Reuse b) {
    return a.mode_ == b.mode_;
  }

 private:
  Mode mode_ = Mode::kNone;
};
inline constexpr Reuse AUTO_REUSE{Reuse::Mode::kAuto};

enum class VariableSynchronization { AUTO, NONE, ON_WRITE, ON_READ };
enum class VariableAggregation { NONE, SUM, MEAN, ONLY_FIRST_REPLICA };

// What get_variable's `initializer` may be, as in TF: an Initializer, a
// tensor or value to initialize from (then no shape may be given), or a
// callable taking no argument. Empty means None.
class VariableInitializer {
 public:
  VariableInitializer() = default;
  VariableInitializer(Initializer init) : value_(std::move(init)) {}  // NOLINT
  VariableInitializer(Output value) : value_(value) {}                // NOLINT
  VariableInitializer(Tensor value) : value_(std::move(value)) {}     // NOLINT
  template <typename T>
  requires std::is_arithmetic_v<T> VariableInitializer(T value)
      : value_(Tensor::Scalar(value)) {}  // NOLINT
  template <typename F>
  requires(std::is_invocable_r_v<Output, F, const Shape&, DataType> &&
           !std::is_same_v<std::decay_t<F>, Initializer>)
      VariableInitializer(F f)
      : value_(Initializer(std::move(f))) {}  // NOLINT
  template <typename F>
  requires(std::is_invocable_r_v<Output, F> &&
           !std::is_same_v<std::decay_t<F>, Output>) VariableInitializer(F f)
      : value_(std::function<Output()>(std::move(f))) {}  // NOLINT

  bool is_none() const {
    return std::holds_alternative<std::monostate>(value_);
  }
  // A tensor or value rather than a callable.
  bool is_value() const {
    return std::holds_alternative<Output>(value_) ||
           std::holds_alternative<Tensor>(value_);
  }
  // The dtype of a value (REQUIRES: is_value()).
  DataType value_dtype() const;
  // The value as a tensor in the current graph (REQUIRES: is_value()).
  Output value() const;
  const Initializer* initializer() const {
    return std::get_if<Initializer>(&value_);
  }
  const std::function<Output()>* no_arg_callable() const {
    return std::get_if<std::function<Output()>>(&value_);
  }

 private:
  std::variant<std::monostate, Initializer, Output, Tensor,
               std::function<Output()>>
      value_;
};

struct GetVariableArgs;
// The getter a custom getter receives: it creates or reuses the variable.
using Getter = std::function<Variable(const GetVariableArgs& args)>;
// TF's custom_getter(getter, name, *args, **kwargs): may change the
// arguments, call `getter` any number of times, and return any tensor
// (wrapped with Variable::FromTensor).
using CustomGetter =
    std::function<Variable(const Getter& getter, const GetVariableArgs& args)>;

// get_variable's arguments after the name, in TF's order.
struct GetVariableOptions {
  // Shape::Unknown() is TF's None; {} is a scalar.
  Shape shape = Shape::Unknown();
  std::optional<DataType> dtype;
  VariableInitializer initializer;
  Regularizer regularizer;
  std::optional<bool> trainable;
  std::optional<std::vector<std::string>> collections;
  std::string caching_device;  // kept for the API; devices are ignored
  bool validate_shape = true;
  CustomGetter custom_getter;
  Constraint constraint;
  VariableSynchronization synchronization = VariableSynchronization::AUTO;
  VariableAggregation aggregation = VariableAggregation::NONE;
};

// Everything a (custom) getter is called with, the scope defaults filled.
struct GetVariableArgs {
  std::string name;  // the full name, "scope/name"
  Shape shape = Shape::Unknown();
  DataType dtype = DataType::kFloat;
  VariableInitializer initializer;
  Regularizer regularizer;
  Reuse reuse;
  bool trainable = true;
  std::optional<std::vector<std::string>> collections;
  std::string caching_device;
  bool validate_shape = true;
  Constraint constraint;
  VariableSynchronization synchronization = VariableSynchronization::AUTO;
  VariableAggregation aggregation = VariableAggregation::NONE;
};

// A variable scope: TF's VariableScope object. A handle; copies are the
// same object, so setters are seen by everyone holding it.
class VariableScope {
 public:
  // TF's VariableScope(reuse, name="", ...): a free-standing scope.
  explicit VariableScope(Reuse reuse, std::string name = "",
                         std::string original_name_scope = "");

  const std::string& name() const;
  const std::string& original_name_scope() const;
  Reuse reuse() const;
  const VariableInitializer& initializer() const;
  const Regularizer& regularizer() const;
  DataType dtype() const;
  const CustomGetter& custom_getter() const;
  const Constraint& constraint() const;
  const std::string& caching_device() const;

  void reuse_variables();
  void set_initializer(VariableInitializer initializer);
  void set_regularizer(Regularizer regularizer);
  void set_dtype(DataType dtype);
  void set_custom_getter(CustomGetter custom_getter);
  void set_caching_device(std::string device);

  // get_collection(key, name + "/"), or unfiltered for the root scope.
  std::vector<CollectionItem> get_collection(const std::string& key) const;
  std::vector<Variable> trainable_variables() const;
  std::vector<Variable> global_variables() const;
  std::vector<Variable> local_variables() const;

  // get_variable with this scope's defaults and reuse.
  Variable get_variable(absl::string_view name,
                        const GetVariableOptions& options = {}) const;

  friend bool operator==(const VariableScope& a, const VariableScope& b) {
    return a.data_ == b.data_;
  }

  struct Data;

 private:
  friend class variable_scope;
  explicit VariableScope(std::shared_ptr<Data> data) : data_(std::move(data)) {}
  std::shared_ptr<Data> data_;
};

// variable_scope's arguments after name_or_scope, in TF's order.
struct VariableScopeOptions {
  std::optional<std::string> default_name;
  VariableInitializer initializer;
  Regularizer regularizer;
  std::optional<std::string> caching_device;
  CustomGetter custom_getter;
  Reuse reuse;
  std::optional<DataType> dtype;
  Constraint constraint;
  bool auxiliary_name_scope = true;
};

// TF's `with tf.variable_scope(name_or_scope, ...) as vs:`: enters a
// variable scope (and, unless auxiliary_name_scope is false, a name
// scope) for the guard's lifetime. Pass nullptr as the name to use
// options.default_name, made unique.
class variable_scope {
 public:
  variable_scope(const char* name, const VariableScopeOptions& options = {});
  variable_scope(const std::string& name,
                 const VariableScopeOptions& options = {});
  variable_scope(const VariableScope& scope,
                 const VariableScopeOptions& options = {});
  variable_scope(std::nullptr_t, const VariableScopeOptions& options);
  // Leaves the scope if close() was not called (never throws).
  ~variable_scope();
  variable_scope(const variable_scope&) = delete;
  variable_scope& operator=(const variable_scope&) = delete;

  // The scope entered: `as vs`.
  const VariableScope& scope() const { return scope_; }
  VariableScope& scope() { return scope_; }
  // Leaves the scope now; throws RuntimeError "Improper nesting of
  // variable_scope." if it is not the innermost one (and stays open).
  void close();

 private:
  void Enter(std::optional<std::string> name, const VariableScope* object,
             const VariableScopeOptions& options);
  bool Exit();

  Graph* graph_;
  VariableScope scope_;
  VariableScope previous_;
  std::unique_ptr<name_scope> name_scope_;
  // Object re-entry restores the default-name counters on exit.
  std::optional<std::map<std::string, int>> saved_counts_;
  bool closed_ = false;
};

// The current variable scope of this thread in the default graph.
VariableScope get_variable_scope();

// TF's tf.get_variable: create or reuse "<scope>/<name>" per the current
// variable scope. Build-time misuse throws TF's ValueError texts.
Variable get_variable(absl::string_view name,
                      const GetVariableOptions& options = {});
// TF's tf.get_local_variable: trainable=false, in LOCAL_VARIABLES.
Variable get_local_variable(absl::string_view name,
                            GetVariableOptions options = {});

// The per-graph store of variables made by get_variable (TF's
// _VariableStore). Direct calls take reuse explicitly (None: get or create).
class VariableStore {
 public:
  // The default graph's store.
  static VariableStore& Default();
  // Creates or returns `args.name` per args.reuse (TF's
  // _VariableStore.get_variable, custom getter included).
  Variable get_variable(const GetVariableArgs& args,
                        const CustomGetter& custom_getter = {});
  // The variables created so far, by full name.
  const std::map<std::string, Variable>& variables() const { return vars_; }

 private:
  Variable GetSingleVariable(const GetVariableArgs& args);
  std::map<std::string, Variable> vars_;
};

}  // namespace minitf

#endif  // MINITF_VARIABLES_VARIABLE_SCOPE_H_
