#include "minitf/layers/contrib/utils.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/graph.h"

namespace minitf::contrib::layers {
namespace {

// Per graph: the aliases each tensor was given.
struct TensorAliases {
  absl::flat_hash_map<Output, std::vector<std::string>> aliases;
};

}  // namespace

std::vector<std::string> VariablesCollections::get(
    const std::string& name) const {
  if (const auto* list = std::get_if<std::vector<std::string>>(&value_)) {
    return *list;
  }
  if (const auto* dict = std::get_if<CollectionsDict>(&value_)) {
    auto it = dict->find(name);
    if (it != dict->end()) return it->second;
  }
  return {};
}

namespace utils {

Output append_tensor_alias(Output tensor, std::string alias) {
  if (!alias.empty() && alias.back() == '/') alias.pop_back();
  tensor.graph()->GetExtension<TensorAliases>().aliases[tensor].push_back(
      std::move(alias));
  return tensor;
}

std::vector<std::string> get_tensor_aliases(Output tensor) {
  const auto& table = tensor.graph()->GetExtension<TensorAliases>().aliases;
  if (auto it = table.find(tensor); it != table.end()) return it->second;
  std::string name = tensor.name();
  if (absl::EndsWith(name, ":0")) name.resize(name.size() - 2);
  return {name};
}

Output collect_named_outputs(const CollectionNames& collections,
                             std::string alias, Output outputs) {
  if (collections.empty()) return outputs;
  append_tensor_alias(outputs, std::move(alias));
  add_to_collections(collections.names(), outputs);
  return outputs;
}

std::vector<std::pair<std::string, Output>> convert_collection_to_dict(
    const std::string& collection) {
  std::vector<std::pair<std::string, Output>> dict;
  for (const CollectionItem& item : get_collection(collection)) {
    const Output tensor = item.output();
    if (tensor.is_null()) continue;
    for (std::string& alias : get_tensor_aliases(tensor)) {
      // An OrderedDict: a repeated alias keeps its place, takes the value.
      auto it = std::find_if(dict.begin(), dict.end(),
                             [&](const auto& kv) { return kv.first == alias; });
      if (it == dict.end()) {
        dict.emplace_back(std::move(alias), tensor);
      } else {
        it->second = tensor;
      }
    }
  }
  return dict;
}

}  // namespace utils
}  // namespace minitf::contrib::layers
