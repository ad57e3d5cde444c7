#include "minitf/variables/variable_scope.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/ops/array/array_ops.h"

namespace minitf {

struct VariableScope::Data {
  std::string name;
  std::string original_name_scope;
  Reuse reuse;
  VariableInitializer initializer;
  Regularizer regularizer;
  std::string caching_device;
  DataType dtype = DataType::kFloat;
  CustomGetter custom_getter;
  Constraint constraint;
};

namespace {

// TF's _VariableScopeStore: this thread's current scope in one graph and
// the counts behind default-name uniquification.
struct ScopeState {
  VariableScope current{Reuse(false)};
  std::map<std::string, int> counts;
};

// All threads' ScopeStates of one graph (a graph extension), by ThreadSerial.
struct ScopeStates {
  std::mutex mutex;
  std::map<uint64_t, std::unique_ptr<ScopeState>> by_thread;
};

// A process-unique number for the calling thread. (A std::thread::id is
// reused once its thread has ended, and a new thread must start at the root
// scope with no default-name counts, as TF's threading.local does.)
uint64_t ThreadSerial() {
  static std::atomic<uint64_t> next_serial{0};
  thread_local const uint64_t serial = next_serial++;
  return serial;
}

ScopeState& StateFor(Graph& graph) {
  ScopeStates& states = graph.GetExtension<ScopeStates>();
  std::lock_guard<std::mutex> lock(states.mutex);
  std::unique_ptr<ScopeState>& state = states.by_thread[ThreadSerial()];
  if (state == nullptr) state = std::make_unique<ScopeState>();
  return *state;
}

std::string DtypeRepr(DataType dtype) {
  return absl::StrCat("<dtype: '", DataTypeName(dtype), "'>");
}

// TF's _maybe_wrap_custom_getter: `custom` runs first, with a getter that
// calls `old` around the true getter.
CustomGetter WrapCustomGetter(CustomGetter custom, CustomGetter old) {
  if (!custom) return old;
  if (!old) return custom;
  return [custom, old](const Getter& getter, const GetVariableArgs& args) {
    Getter partial = [old, getter](const GetVariableArgs& a) {
      return old(getter, a);
    };
    return custom(partial, args);
  };
}

// TF's _get_unique_variable_scope.
std::string UniqueVariableScope(const ScopeState& state,
                                const std::string& prefix) {
  const std::string& current = state.current.name();
  const std::string full =
      current.empty() ? prefix : absl::StrCat(current, "/", prefix);
  auto count = [&](const std::string& key) {
    auto it = state.counts.find(key);
    return it == state.counts.end() ? 0 : it->second;
  };
  if (count(full) == 0) return prefix;
  int idx = 1;
  while (count(absl::StrCat(full, "_", idx)) > 0) ++idx;
  return absl::StrCat(prefix, "_", idx);
}

}  // namespace

DataType VariableInitializer::value_dtype() const {
  if (const Output* o = std::get_if<Output>(&value_)) return o->dtype();
  return std::get<Tensor>(value_).dtype();
}

Output VariableInitializer::value() const {
  if (const Output* o = std::get_if<Output>(&value_)) return *o;
  return constant(std::get<Tensor>(value_), "initial_value");
}

// ---- VariableScope ----

VariableScope::VariableScope(Reuse reuse, std::string name,
                             std::string original_name_scope)
    : data_(std::make_shared<Data>()) {
  data_->reuse = reuse;
  data_->name = std::move(name);
  data_->original_name_scope = std::move(original_name_scope);
}

const std::string& VariableScope::name() const { return data_->name; }
const std::string& VariableScope::original_name_scope() const {
  return data_->original_name_scope;
}
Reuse VariableScope::reuse() const { return data_->reuse; }
const VariableInitializer& VariableScope::initializer() const {
  return data_->initializer;
}
const Regularizer& VariableScope::regularizer() const {
  return data_->regularizer;
}
DataType VariableScope::dtype() const { return data_->dtype; }
const CustomGetter& VariableScope::custom_getter() const {
  return data_->custom_getter;
}
const Constraint& VariableScope::constraint() const {
  return data_->constraint;
}
const std::string& VariableScope::caching_device() const {
  return data_->caching_device;
}

void VariableScope::reuse_variables() { data_->reuse = Reuse(true); }
void VariableScope::set_initializer(VariableInitializer initializer) {
  data_->initializer = std::move(initializer);
}
void VariableScope::set_regularizer(Regularizer regularizer) {
  data_->regularizer = std::move(regularizer);
}
void VariableScope::set_dtype(DataType dtype) { data_->dtype = dtype; }
void VariableScope::set_custom_getter(CustomGetter custom_getter) {
  data_->custom_getter = std::move(custom_getter);
}
void VariableScope::set_caching_device(std::string device) {
  data_->caching_device = std::move(device);
}

std::vector<CollectionItem> VariableScope::get_collection(
    const std::string& key) const {
  return minitf::get_collection(key,
                                data_->name.empty() ? "" : data_->name + "/");
}

namespace {
std::vector<Variable> ScopeVariables(const VariableScope& scope,
                                     const char* key) {
  return VariablesInCollection(key,
                               scope.name().empty() ? "" : scope.name() + "/");
}
}  // namespace

std::vector<Variable> VariableScope::trainable_variables() const {
  return ScopeVariables(*this, GraphKeys::TRAINABLE_VARIABLES);
}
std::vector<Variable> VariableScope::global_variables() const {
  return ScopeVariables(*this, GraphKeys::GLOBAL_VARIABLES);
}
std::vector<Variable> VariableScope::local_variables() const {
  return ScopeVariables(*this, GraphKeys::LOCAL_VARIABLES);
}

Variable VariableScope::get_variable(absl::string_view name,
                                     const GetVariableOptions& options) const {
  const Data& scope = *data_;
  GetVariableArgs args;
  args.name = scope.name.empty() ? std::string(name)
                                 : absl::StrCat(scope.name, "/", name);
  args.shape = options.shape;
  args.regularizer =
      options.regularizer ? options.regularizer : scope.regularizer;
  args.caching_device = options.caching_device.empty() ? scope.caching_device
                                                       : options.caching_device;
  args.reuse = scope.reuse;
  args.collections = options.collections;
  args.validate_shape = options.validate_shape;
  args.synchronization = options.synchronization;
  args.aggregation = options.aggregation;
  args.trainable = options.trainable.value_or(options.synchronization !=
                                              VariableSynchronization::ON_READ);
  const CustomGetter& custom_getter =
      options.custom_getter ? options.custom_getter : scope.custom_getter;
  // Variable names ignore name scopes: build at the root.
  name_scope root(std::nullopt);
  if (options.dtype && options.initializer.is_value() &&
      options.initializer.value_dtype() != *options.dtype) {
    ThrowValueError(absl::StrCat(
        "Initializer type '", DtypeRepr(options.initializer.value_dtype()),
        "' and explicit dtype '", DtypeRepr(*options.dtype), "' don't match."));
  }
  args.initializer =
      options.initializer.is_none() ? scope.initializer : options.initializer;
  args.constraint = options.constraint ? options.constraint : scope.constraint;
  args.dtype = options.dtype.value_or(scope.dtype);
  return VariableStore::Default().get_variable(args, custom_getter);
}

// ---- variable_scope ----

variable_scope::variable_scope(const char* name,
                               const VariableScopeOptions& options)
    : variable_scope(std::string(name), options) {}

variable_scope::variable_scope(const std::string& name,
                               const VariableScopeOptions& options)
    : graph_(&get_default_graph()), scope_(Reuse()), previous_(Reuse()) {
  Enter(name, nullptr, options);
}

variable_scope::variable_scope(const VariableScope& scope,
                               const VariableScopeOptions& options)
    : graph_(&get_default_graph()), scope_(Reuse()), previous_(Reuse()) {
  Enter(std::nullopt, &scope, options);
}

variable_scope::variable_scope(std::nullptr_t,
                               const VariableScopeOptions& options)
    : graph_(&get_default_graph()), scope_(Reuse()), previous_(Reuse()) {
  if (!options.default_name) {
    ThrowTypeError("If default_name is None then name_or_scope is required");
  }
  if (options.reuse)
    ThrowValueError("reuse=True cannot be used without a name_or_scope");
  Enter(std::nullopt, nullptr, options);
}

void variable_scope::Enter(std::optional<std::string> name,
                           const VariableScope* object,
                           const VariableScopeOptions& options) {
  ScopeState& state = StateFor(*graph_);
  previous_ = state.current;
  // TF turns reuse=False into None: "inherit".
  const Reuse reuse =
      options.reuse.mode() == Reuse::Mode::kFalse ? Reuse() : options.reuse;

  // The name scope: the current one re-entered when auxiliary_name_scope is
  // false; else the given name, the object's last component, or the
  // default name, each made unique; none for the root object.
  if (!options.auxiliary_name_scope) {
    const std::string& current = graph_->name_stack();
    name_scope_ =
        std::make_unique<name_scope>(current.empty() ? "" : current + "/");
  }
  std::optional<std::string> entered_name_scope;
  if (name || object) {
    // An object's last component: "a/b" enters name scope "b".
    std::string scope_name =
        name ? *name : object->name().substr(object->name().rfind('/') + 1);
    if (!scope_name.empty() || name_scope_) {
      if (!name_scope_) name_scope_ = std::make_unique<name_scope>(scope_name);
      entered_name_scope = name_scope_->name();
    }
  } else {
    if (!name_scope_)
      name_scope_ = std::make_unique<name_scope>(*options.default_name);
    entered_name_scope = name_scope_->name();
    name = UniqueVariableScope(state, *options.default_name);
  }

  auto data = std::make_shared<VariableScope::Data>();
  const VariableScope::Data& base = object ? *object->data_ : *previous_.data_;
  data->initializer =
      options.initializer.is_none() ? base.initializer : options.initializer;
  data->regularizer =
      options.regularizer ? options.regularizer : base.regularizer;
  data->caching_device = options.caching_device.value_or(base.caching_device);
  data->dtype = options.dtype.value_or(base.dtype);
  data->custom_getter =
      WrapCustomGetter(options.custom_getter, base.custom_getter);
  data->constraint = options.constraint;  // never inherited (TF's quirk)
  if (object) {
    data->name = base.name;
    data->reuse = reuse ? reuse : base.reuse;
    data->original_name_scope = base.original_name_scope;
    ++state.counts[data->name];
    saved_counts_ = state.counts;
  } else {
    data->name =
        base.name.empty() ? *name : absl::StrCat(base.name, "/", *name);
    data->reuse = reuse ? reuse : base.reuse;
    data->original_name_scope = entered_name_scope.value_or(*name);
    ++state.counts[data->name];
  }
  scope_ = VariableScope(std::move(data));
  state.current = scope_;
}

bool variable_scope::Exit() {
  ScopeState& state = StateFor(*graph_);
  if (!(state.current == scope_)) return false;
  if (saved_counts_) {
    state.counts = *saved_counts_;
  } else {
    // Re-entering this scope by name starts its sub-scope counters afresh.
    const std::string prefix = scope_.name() + "/";
    for (auto& [key, count] : state.counts) {
      if (key.starts_with(prefix)) count = 0;
    }
  }
  state.current = previous_;
  name_scope_.reset();
  closed_ = true;
  return true;
}

void variable_scope::close() {
  if (closed_) return;
  if (!Exit()) ThrowRuntimeError("Improper nesting of variable_scope.");
}

variable_scope::~variable_scope() {
  if (!closed_ && !Exit()) {
    Log().error("Improper nesting of variable_scope '{}': left open",
                scope_.name());
  }
}

VariableScope get_variable_scope() {
  return StateFor(get_default_graph()).current;
}

Variable get_variable(absl::string_view name,
                      const GetVariableOptions& options) {
  return get_variable_scope().get_variable(name, options);
}

Variable get_local_variable(absl::string_view name,
                            GetVariableOptions options) {
  std::vector<std::string> collections =
      options.collections.value_or(std::vector<std::string>{});
  collections.push_back(GraphKeys::LOCAL_VARIABLES);
  options.collections = std::move(collections);
  options.trainable = false;
  return get_variable(name, options);
}

// ---- VariableStore ----

namespace {
struct StoreHolder {
  VariableStore store;
};
}  // namespace

VariableStore& VariableStore::Default() {
  return get_default_graph().GetExtension<StoreHolder>().store;
}

Variable VariableStore::get_variable(const GetVariableArgs& args,
                                     const CustomGetter& custom_getter) {
  if (!custom_getter) return GetSingleVariable(args);
  Getter true_getter = [this](const GetVariableArgs& a) {
    return GetSingleVariable(a);
  };
  return custom_getter(true_getter, args);
}

Variable VariableStore::GetSingleVariable(const GetVariableArgs& args) {
  const std::string& name = args.name;
  const bool from_value = args.initializer.is_value();
  if (args.shape.has_rank() && from_value) {
    ThrowValueError("If initializer is a constant, do not specify shape.");
  }
  if (auto it = vars_.find(name); it != vars_.end()) {
    if (args.reuse.mode() == Reuse::Mode::kFalse) {
      ThrowValueError(absl::StrCat(
          "Variable ", name,
          " already exists, disallowed. Did you mean to set reuse=True or "
          "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n  ",
          it->second.op().name(), " (", it->second.op().type(), ")"));
    }
    const Variable& found = it->second;
    if (!args.shape.IsCompatibleWith(found.shape())) {
      ThrowValueError(absl::StrCat("Trying to share variable ", name,
                                   ", but specified shape ",
                                   args.shape.ToString(), " and found shape ",
                                   found.shape().ToString(), "."));
    }
    if (args.dtype != found.dtype()) {
      ThrowValueError(absl::StrCat(
          "Trying to share variable ", name, ", but specified dtype ",
          DataTypeName(args.dtype), " and found dtype ",
          DataTypeName(found.dtype()), "_ref."));
    }
    return found;
  }
  if (args.reuse.mode() == Reuse::Mode::kTrue) {
    ThrowValueError(absl::StrCat("Variable ", name,
                                 " does not exist, or was not created with "
                                 "tf.get_variable(). Did you mean to set "
                                 "reuse=tf.AUTO_REUSE in VarScope?"));
  }

  VariableInitializer init = args.initializer;
  if (init.is_none()) {
    init = IsFloating(args.dtype) ? glorot_uniform_initializer()
                                  : zeros_initializer();
  }
  std::function<Output()> initial_value;
  bool initializer_scope = true;
  if (from_value) {
    initial_value = [init] { return init.value(); };
    initializer_scope = false;
  } else if (const Initializer* f = init.initializer();
             f && args.shape.IsFullyDefined()) {
    initial_value = [f = *f, shape = args.shape, dtype = args.dtype] {
      return f(shape, dtype);
    };
  } else if (const auto* no_arg = init.no_arg_callable()) {
    initial_value = *no_arg;
  } else {
    ThrowValueError(
        "The initializer passed is not valid. It should be a callable with no "
        "arguments and the shape should not be provided or an instance of "
        "`tf.keras.initializers.*' and `shape` should be fully defined.");
  }
  Variable v;
  v.Create(initial_value, initializer_scope,
           {.trainable = args.trainable,
            .collections = args.collections,
            .validate_shape = args.validate_shape,
            .name = name,
            .constraint = args.constraint});
  vars_[name] = v;
  if (args.regularizer) {
    // An absolute name scope: "<name>/Regularizer/".
    name_scope scope(absl::StrCat(name, "/Regularizer/"));
    Output loss = args.regularizer(v.value());
    if (!loss.is_null())
      add_to_collection(GraphKeys::REGULARIZATION_LOSSES, loss);
  }
  return v;
}

}  // namespace minitf
