#include "minitf/graph/op_registry.h"

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace minitf {
namespace {

using Registry = absl::flat_hash_map<std::string, std::unique_ptr<OpDef>>;

Registry& GlobalRegistry() {
  static auto* registry = new Registry();
  return *registry;
}

// One of the enum's element types (not kInvalid, not a cast integer).
bool IsValidDataType(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
    case DataType::kInt32:
    case DataType::kInt64:
    case DataType::kBool:
    case DataType::kBFloat16:
      return true;
    case DataType::kInvalid:
      break;
  }
  return false;
}

}  // namespace

void RegisterOp(OpDef def) {
  std::string type = def.type;
  GlobalRegistry()[type] = std::make_unique<OpDef>(std::move(def));
}

const OpDef* LookupOp(absl::string_view type) {
  // The library registers itself on the first lookup, whatever comes first
  // (an op built before any Graph, a gradient, a plan).
  EnsureOpsRegistered();
  auto it = GlobalRegistry().find(type);
  return it == GlobalRegistry().end() ? nullptr : it->second.get();
}

absl::Status ValidateAttrs(const OpDef& def, absl::string_view node_name,
                           AttrMap& attrs) {
  for (const auto& [name, value] : attrs) {
    auto it = std::find_if(def.attrs.begin(), def.attrs.end(),
                           [&](const AttrDef& a) { return a.name == name; });
    if (it == def.attrs.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("NodeDef '", node_name, "' mentions attr '", name,
                       "' not in Op<name=", def.type, ">"));
    }
    if (value.index() != it->example.index()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Attr '", name, "' of op '", node_name, "' (", def.type,
                       ") has the wrong type: got ", AttrValueToString(value)));
    }
    // Every dtype attribute of every op is checked here: a value outside
    // the enum (static_cast<DataType>(99)) or kInvalid is TF's as_dtype
    // TypeError.
    if (const DataType* dtype = std::get_if<DataType>(&value);
        dtype != nullptr && !IsValidDataType(*dtype)) {
      return TypeErrorStatus(absl::StrCat("Cannot convert value ",
                                          static_cast<int>(*dtype),
                                          " to a TensorFlow DType."));
    }
  }
  for (const AttrDef& a : def.attrs) {
    if (attrs.count(a.name)) continue;
    if (a.required) {
      return absl::InvalidArgumentError(
          absl::StrCat("NodeDef '", node_name, "' missing attr '", a.name,
                       "' from Op<name=", def.type, ">"));
    }
    attrs.emplace(a.name, a.example);
  }
  return absl::OkStatus();
}

}  // namespace minitf
