// Errors. Misuse while building a graph throws minitf::Error at once, with
// TF1's own message (TF raises ValueError/TypeError/RuntimeError there); the
// error carries an absl::Status so code and text are uniform. What can fail
// at run time or on I/O returns absl::Status / absl::StatusOr instead.
//
//   try { tf::get_variable("v", {.shape = {1}}); }
//   catch (const tf::Error& e) { e.status(); e.python_type(); }  //
//   "ValueError"
//
//   absl::Status Load() {
//     MINITF_ASSIGN_OR_RETURN(auto data, ReadFile(path));
//     MINITF_RETURN_IF_ERROR(Check(data));
//   }
#ifndef MINITF_CORE_ERRORS_H_
#define MINITF_CORE_ERRORS_H_

#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace minitf {

// A build-time error. what() is the message alone, as Python prints it.
class Error : public std::runtime_error {
 public:
  // `python_type` is the exception class TF raises: "ValueError", ...
  Error(absl::Status status, std::string python_type);
  const absl::Status& status() const { return status_; }
  const std::string& python_type() const { return python_type_; }

 private:
  absl::Status status_;
  std::string python_type_;
};

// Throw TF's exception classes: InvalidArgument for ValueError and
// TypeError, FailedPrecondition for RuntimeError, NotFound for LookupError.
[[noreturn]] void ThrowValueError(absl::string_view message);
[[noreturn]] void ThrowTypeError(absl::string_view message);
[[noreturn]] void ThrowRuntimeError(absl::string_view message);
[[noreturn]] void ThrowLookupError(absl::string_view message);
// A Status that build-time code raises as TF's TypeError rather than
// ValueError (a shape function's dtype check): InvalidArgument, marked.
absl::Status TypeErrorStatus(absl::string_view message);
bool IsTypeErrorStatus(const absl::Status& status);

// Throws `status` (a ValueError unless IsTypeErrorStatus). REQUIRES:
// !status.ok().
[[noreturn]] void ThrowStatus(const absl::Status& status);
// Throws when !status.ok(); otherwise does nothing.
inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

}  // namespace minitf

#define MINITF_STATUS_CONCAT_INNER_(a, b) a##b
#define MINITF_STATUS_CONCAT_(a, b) MINITF_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` is not OK.
#define MINITF_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status minitf_status_ = (expr);          \
    if (!minitf_status_.ok()) return minitf_status_; \
  } while (0)

// `lhs = value` of a StatusOr, or returns its error.
#define MINITF_ASSIGN_OR_RETURN(lhs, expr) \
  MINITF_ASSIGN_OR_RETURN_IMPL_(           \
      MINITF_STATUS_CONCAT_(minitf_statusor_, __LINE__), lhs, expr)
#define MINITF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // MINITF_CORE_ERRORS_H_
