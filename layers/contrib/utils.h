// tf.contrib.layers utils: the names contrib layers give their outputs
// (tensor aliases) and the collection arguments they take.
//
//   auto y = tf::contrib::layers::conv2d(x, {.num_outputs = 8,
//       .kernel_size = 3, .outputs_collections = "outputs", .scope = "c1"});
//   namespace u = tf::contrib::layers::utils;
//   u::get_tensor_aliases(y) == std::vector<std::string>{"c1"};
//   u::convert_collection_to_dict("outputs")[0] == std::pair{"c1", y};
//
// Python hangs an `aliases` list on the tensor object; here each graph
// keeps a table from tensor to aliases. Aliases are added, never removed.
#ifndef MINITF_LAYERS_CONTRIB_UTILS_H_
#define MINITF_LAYERS_CONTRIB_UTILS_H_

#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/layers/contrib/arg_scope.h"
#include "minitf/variables/variable.h"

namespace minitf::contrib::layers {

// A collections argument: one name or a list of names; empty is None.
class CollectionNames {
 public:
  CollectionNames() = default;
  CollectionNames(const char* name) : names_{name} {}             // NOLINT
  CollectionNames(std::string name) : names_{std::move(name)} {}  // NOLINT
  CollectionNames(std::vector<std::string> names)                 // NOLINT
      : names_(std::move(names)) {}
  CollectionNames(std::initializer_list<std::string> names)  // NOLINT
      : names_(names) {}

  bool empty() const { return names_.empty(); }
  const std::vector<std::string>& names() const { return names_; }
  friend bool operator==(const CollectionNames&,
                         const CollectionNames&) = default;

 private:
  std::vector<std::string> names_;
};

using CollectionsDict = std::map<std::string, std::vector<std::string>>;

// `variables_collections`: None, a list of collections every variable of
// the layer joins, or a dict from the variable's short name ("weights",
// "biases", "beta", "gamma", "moving_mean", "moving_variance") to its
// collections (a missing key adds nothing).
class VariablesCollections {
 public:
  VariablesCollections() = default;
  VariablesCollections(std::vector<std::string> list)  // NOLINT
      : value_(std::move(list)) {}
  VariablesCollections(std::initializer_list<std::string> list)  // NOLINT
      : value_(std::vector<std::string>(list)) {}
  VariablesCollections(CollectionsDict dict)  // NOLINT
      : value_(std::move(dict)) {}

  // TF's utils.get_variable_collections: the collections for variable
  // `name` (empty for None or a dict without the key).
  std::vector<std::string> get(const std::string& name) const;

 private:
  std::variant<std::monostate, std::vector<std::string>, CollectionsDict>
      value_;
};

namespace utils {

// Adds `alias` to the tensor's aliases; a trailing "/" is dropped.
Output append_tensor_alias(Output tensor, std::string alias);
// The aliases given so far; without any, the tensor's name minus a ":0"
// suffix (TF's get_tensor_aliases).
std::vector<std::string> get_tensor_aliases(Output tensor);
// When `collections` is not None: aliases `outputs` as `alias` and adds it
// to each collection. Returns `outputs`.
Output collect_named_outputs(const CollectionNames& collections,
                             std::string alias, Output outputs);
// (alias, tensor) for every tensor of the collection and each of its
// aliases, in collection order (TF's OrderedDict).
std::vector<std::pair<std::string, Output>> convert_collection_to_dict(
    const std::string& collection);

}  // namespace utils
}  // namespace minitf::contrib::layers

namespace minitf::contrib::framework::internal {
template <>
struct ListElement<contrib::layers::CollectionNames> {
  using type = std::string;
};
template <>
struct ListElement<contrib::layers::VariablesCollections> {
  using type = std::string;
};
}  // namespace minitf::contrib::framework::internal

#endif  // MINITF_LAYERS_CONTRIB_UTILS_H_
