#include "minitf/layers/conv_utils.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"

namespace minitf::layers {

std::string IntTuple::ToString() const {
  if (!values_.has_value()) return "None";
  if (is_int_) return absl::StrCat((*values_)[0]);
  if (values_->size() == 1) return absl::StrCat("(", (*values_)[0], ",)");
  return absl::StrCat("(", absl::StrJoin(*values_, ", "), ")");
}

std::vector<int64_t> NormalizeTuple(const IntTuple& value, int n,
                                    absl::string_view name) {
  if (!value.is_none() && value.is_int()) {
    return std::vector<int64_t>(n, value.values()[0]);
  }
  if (value.is_none() || static_cast<int>(value.values().size()) != n) {
    ThrowValueError(absl::StrCat("The `", name,
                                 "` argument must be a tuple of ", n,
                                 " integers. Received: ", value.ToString()));
  }
  return value.values();
}

std::string NormalizePadding(absl::string_view padding) {
  std::string p = absl::AsciiStrToLower(padding);
  if (p != "valid" && p != "same" && p != "causal") {
    ThrowValueError(absl::StrCat(
        "The `padding` argument must be a list/tuple or one of \"valid\", "
        "\"same\" (or \"causal\", only for `Conv1D). Received: ",
        p));
  }
  return p;
}

std::string NormalizeDataFormat(absl::string_view data_format) {
  std::string f = absl::AsciiStrToLower(data_format);
  if (f != "channels_first" && f != "channels_last") {
    ThrowValueError(absl::StrCat(
        "The `data_format` argument must be one of \"channels_first\", "
        "\"channels_last\". Received: ",
        data_format));
  }
  return f;
}

std::string ConvertDataFormat(absl::string_view data_format, int ndim) {
  static constexpr const char* kLast[] = {"NWC", "NHWC", "NDHWC"};
  static constexpr const char* kFirst[] = {"NCW", "NCHW", "NCDHW"};
  if (ndim < 3 || ndim > 5) {
    ThrowValueError(absl::StrCat("Input rank not supported: ", ndim));
  }
  return data_format == "channels_first" ? kFirst[ndim - 3] : kLast[ndim - 3];
}

}  // namespace minitf::layers
