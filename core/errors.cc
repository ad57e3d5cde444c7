#include "minitf/core/errors.h"

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
void ThrowStatus(const absl::Status& status) {
  throw Error(status, "ValueError");
}

}  // namespace minitf
