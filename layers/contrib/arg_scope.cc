#include "minitf/layers/contrib/arg_scope.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"

namespace minitf::contrib::framework {
namespace {

// TF keeps one stack of scope dicts; here each thread has its own.
std::vector<ArgScope>& Stack() {
  thread_local std::vector<ArgScope> stack;
  return stack;
}

}  // namespace

ArgScope current_arg_scope() {
  const std::vector<ArgScope>& stack = Stack();
  return stack.empty() ? ArgScope() : stack.back();
}

arg_scope::arg_scope(std::initializer_list<ArgScopeFunction> functions,
                     KwArgs kwargs)
    : scope_(current_arg_scope()) {
  // TF: each function's arguments are the enclosing ones updated with
  // these (a dict update: a name keeps its first position).
  for (const ArgScopeFunction& function : functions) {
    KwArgs& args = scope_[function.key()];
    for (const auto& [name, value] : kwargs) {
      auto it = std::find_if(args.begin(), args.end(),
                             [&](const auto& kv) { return kv.first == name; });
      if (it == args.end()) {
        args.emplace_back(name, value);
      } else {
        it->second = value;
      }
    }
  }
  Stack().push_back(scope_);
}

arg_scope::arg_scope(ArgScope scope) : scope_(std::move(scope)) {
  Stack().push_back(scope_);
}

arg_scope::~arg_scope() { Stack().pop_back(); }

namespace internal {

const KwArgs* ScopedArgs(ArgScopeFunction::Key key) {
  const std::vector<ArgScope>& stack = Stack();
  if (stack.empty()) return nullptr;
  auto it = stack.back().find(key);
  return it == stack.back().end() ? nullptr : &it->second;
}

void ThrowUnexpectedArgument(absl::string_view function,
                             absl::string_view name) {
  ThrowTypeError(absl::StrCat(
      function, "() got an unexpected keyword argument '", name, "'"));
}

void ThrowMismatchedArgument(absl::string_view function,
                             absl::string_view name) {
  ThrowTypeError(absl::StrCat(function, "() got keyword argument '", name,
                              "' of a type it does not take"));
}

}  // namespace internal
}  // namespace minitf::contrib::framework
