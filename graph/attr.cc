#include "minitf/graph/attr.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace minitf {

std::string AttrValueToString(const AttrValue& value) {
  struct Printer {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(float v) const { return absl::StrCat(v); }
    std::string operator()(const std::string& v) const {
      return absl::StrCat("\"", v, "\"");
    }
    std::string operator()(DataType v) const {
      return std::string(DataTypeName(v));
    }
    std::string operator()(const Shape& v) const { return v.ToString(); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
    std::string operator()(const std::vector<float>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
    std::string operator()(const Tensor& v) const { return v.DebugString(4); }
  };
  return std::visit(Printer{}, value);
}

}  // namespace minitf
