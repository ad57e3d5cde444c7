// Graph collections: named lists of graph elements, with TF's GraphKeys.
//
//   tf::add_to_collection("my_losses", loss);              // an Output
//   auto ops = tf::get_collection(tf::GraphKeys::UPDATE_OPS);
//   auto vars = tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES, "foo/");
//
// `scope` filters by an anchored regex on the item's name (Python's
// re.match), so "foo" also matches "foo_1/v:0"; items without a name are
// dropped when a scope is given. Collections are lists: duplicates stay.
#ifndef MINITF_GRAPH_COLLECTIONS_H_
#define MINITF_GRAPH_COLLECTIONS_H_

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/types/span.h"
#include "minitf/graph/node.h"

namespace minitf {

// TF's GraphKeys, with TF's string values.
struct GraphKeys {
  static constexpr const char* GLOBAL_VARIABLES = "variables";
  static constexpr const char* LOCAL_VARIABLES = "local_variables";
  static constexpr const char* MODEL_VARIABLES = "model_variables";
  static constexpr const char* TRAINABLE_VARIABLES = "trainable_variables";
  static constexpr const char* REGULARIZATION_LOSSES = "regularization_losses";
  static constexpr const char* UPDATE_OPS = "update_ops";
  static constexpr const char* LOSSES = "losses";
  static constexpr const char* TRAIN_OP = "train_op";
  static constexpr const char* GLOBAL_STEP = "global_step";
  static constexpr const char* ACTIVATIONS = "activations";
  static constexpr const char* WEIGHTS = "weights";
  static constexpr const char* BIASES = "biases";
  static constexpr const char* MOVING_AVERAGE_VARIABLES =
      "moving_average_variables";
  static constexpr const char* CONCATENATED_VARIABLES =
      "concatenated_variables";
  static constexpr const char* SUMMARIES = "summaries";
  static constexpr const char* INIT_OP = "init_op";
};

// An object other than a tensor or an op kept in a collection (a Variable,
// a user object). name() is nullopt for an object without a name.
class CollectionObject {
 public:
  virtual ~CollectionObject() = default;
  virtual std::optional<std::string> name() const = 0;
  // The op standing for the object in control dependencies (may be null).
  virtual Operation op() const { return Operation(); }
  // The tensor standing for the object when used as a value (may be null).
  virtual Output value() const { return Output(); }
};

// One collection entry: an Output, an Operation or a CollectionObject.
class CollectionItem {
 public:
  CollectionItem(Output output) : item_(output) {}  // NOLINT: implicit
  CollectionItem(Operation op) : item_(op) {}       // NOLINT: implicit
  CollectionItem(std::shared_ptr<const CollectionObject> object)  // NOLINT
      : item_(std::move(object)) {}

  std::optional<std::string> name() const;
  // The op of an Output, the Operation itself, or the object's op().
  Operation op() const;
  // The Output itself or the object's value(); null for an Operation.
  Output output() const;
  // The object cast to T, or nullptr if the item is not a T.
  template <typename T>
  std::shared_ptr<const T> object_as() const {
    auto* object = std::get_if<std::shared_ptr<const CollectionObject>>(&item_);
    return object ? std::dynamic_pointer_cast<const T>(*object) : nullptr;
  }
  friend bool operator==(const CollectionItem& a, const CollectionItem& b) {
    return a.item_ == b.item_;
  }

 private:
  std::variant<Output, Operation, std::shared_ptr<const CollectionObject>>
      item_;
};

// These act on the default graph (see context.h).
void add_to_collection(const std::string& name, CollectionItem value);
// Adds to each of `names` once, even if a name repeats.
void add_to_collections(absl::Span<const std::string> names,
                        CollectionItem value);
// A copy of the collection, filtered by `scope` if not empty; [] if unknown.
std::vector<CollectionItem> get_collection(const std::string& key,
                                           const std::string& scope = "");
// The live list; creates an empty one for an unknown key.
std::vector<CollectionItem>& get_collection_ref(const std::string& key);

}  // namespace minitf

#endif  // MINITF_GRAPH_COLLECTIONS_H_
