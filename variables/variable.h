// Variable: TF1's tf.Variable (a RefVariable). Its value lives in each
// Session; the graph holds the ops that read and initialize it:
//   "<name>" (VariableV2), "<name>/Initializer/..." (from a callable),
//   "<name>/Assign" (the initializer), "<name>/read" (the value).
// A directly created variable follows the name scope, not the variable scope.
//
//   tf::Variable w(tf::constant<float>({1, 2}, {2}), {.name = "w"});
//   w.name() == "w:0";  w.value().name() == "w/read:0";
//   auto y = w * x;                                  // reads w/read:0
//   sess.run(tf::global_variables_initializer());
//
// Variable is a cheap handle; copies refer to the same variable. Used after
// its Graph is destroyed, it throws RuntimeError naming the variable.
#ifndef MINITF_VARIABLES_VARIABLE_H_
#define MINITF_VARIABLES_VARIABLE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/node.h"

namespace minitf {

// A projection applied after each optimizer update (e.g. max_norm).
using Constraint = std::function<Output(Output)>;

// Arguments of tf.Variable after initial_value, in TF's order.
struct VariableOptions {
  bool trainable = true;
  // nullopt: {GLOBAL_VARIABLES}. TRAINABLE_VARIABLES is appended when
  // trainable.
  std::optional<std::vector<std::string>> collections;
  bool validate_shape = true;
  std::string name = "Variable";
  Constraint constraint;
};

class Variable {
 public:
  using Options = VariableOptions;

  // A null handle.
  Variable() = default;
  // tf.Variable(initial_value): the value's ops stay where they were built.
  explicit Variable(Output initial_value, const Options& options = {});
  // tf.Variable(lambda: ...): the callable's ops go under <name>/Initializer.
  explicit Variable(const std::function<Output()>& initial_value,
                    const Options& options = {});

  // A handle to a tensor that stands in for a variable: what a custom
  // getter returns when it returns something other than a variable.
  // name(), op() and value() work; variable-only methods throw TypeError.
  static Variable FromTensor(Output tensor);

  bool is_null() const { return data_ == nullptr; }
  // False for a FromTensor handle.
  bool is_variable() const;
  // "<op name>:0".
  std::string name() const;
  // The VariableV2 op.
  Operation op() const;
  // The variable op's output: the reference assign ops take.
  Output ref() const;
  // "<name>/read:0", the value other ops read.
  Output value() const;
  operator Output() const { return value(); }  // NOLINT: reads like TF
  Operation initializer() const;
  Output initial_value() const;
  DataType dtype() const;
  const Shape& shape() const;
  bool trainable() const;
  const Constraint& constraint() const;
  Graph* graph() const;

  Output assign(Output value, absl::string_view name = "Assign") const;
  Output assign_add(Output delta, absl::string_view name = "AssignAdd") const;
  Output assign_sub(Output delta, absl::string_view name = "AssignSub") const;

  // The handle as a collection entry; Variable::From reads it back.
  operator CollectionItem() const;  // NOLINT
  static std::optional<Variable> From(const CollectionItem& item);

  friend bool operator==(const Variable& a, const Variable& b) {
    return a.data_ == b.data_;
  }

  struct Data;

 private:
  friend class VariableStore;
  explicit Variable(std::shared_ptr<const Data> data)
      : data_(std::move(data)) {}
  // `initializer_scope`: build the initial value under <name>/Initializer.
  void Create(const std::function<Output()>& initial_value,
              bool initializer_scope, const Options& options);
  // The data, once the graph is known to live. Throws RuntimeError
  // otherwise. REQUIRES: !is_null().
  const Data& data() const;
  const Data& RequireVariable(const char* what) const;
  std::shared_ptr<const Data> data_;
};

// The variables of a collection whose names match `scope` (regex prefix).
std::vector<Variable> global_variables(const std::string& scope = "");
std::vector<Variable> trainable_variables(const std::string& scope = "");
std::vector<Variable> local_variables(const std::string& scope = "");
std::vector<Variable> model_variables(const std::string& scope = "");
std::vector<Variable> VariablesInCollection(const std::string& key,
                                            const std::string& scope = "");

// An op running the initializers of `var_list` (a no-op when empty).
Operation variables_initializer(const std::vector<Variable>& var_list,
                                absl::string_view name = "init");
Operation global_variables_initializer();
Operation local_variables_initializer();

}  // namespace minitf

#endif  // MINITF_VARIABLES_VARIABLE_H_
