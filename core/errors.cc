#include "minitf/core/errors.h"

#include "absl/strings/cord.h"

namespace minitf {

Error::Error(absl::Status status, std::string python_type)
    : std::runtime_error(std::string(status.message())),
      status_(std::move(status)),
      python_type_(std::move(python_type)) {}

void ThrowValueError(absl::string_view message) {
  throw Error(absl::InvalidArgumentError(message), "ValueError");
}
void ThrowTypeError(absl::string_view message) {
  throw Error(absl::InvalidArgumentError(message), "TypeError");
}
void ThrowRuntimeError(absl::string_view message) {
  throw Error(absl::FailedPreconditionError(message), "RuntimeError");
}
void ThrowLookupError(absl::string_view message) {
  throw Error(absl::NotFoundError(message), "LookupError");
}
namespace {
constexpr absl::string_view kPythonTypeUrl = "minitf/python_type";
}  // namespace

absl::Status TypeErrorStatus(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kPythonTypeUrl, absl::Cord("TypeError"));
  return status;
}

bool IsTypeErrorStatus(const absl::Status& status) {
  return status.GetPayload(kPythonTypeUrl).has_value();
}

void ThrowStatus(const absl::Status& status) {
  throw Error(status, IsTypeErrorStatus(status) ? "TypeError" : "ValueError");
}

}  // namespace minitf
