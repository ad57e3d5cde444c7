#include "minitf/graph/collections.h"

#include "minitf/graph/context.h"

namespace minitf {

std::optional<std::string> CollectionItem::name() const {
  if (auto* output = std::get_if<Output>(&item_)) {
    if (output->is_null()) return std::nullopt;
    return output->name();
  }
  if (auto* op = std::get_if<Operation>(&item_)) {
    if (op->is_null()) return std::nullopt;
    return op->name();
  }
  return std::get<std::shared_ptr<const CollectionObject>>(item_)->name();
}

Operation CollectionItem::op() const {
  if (auto* output = std::get_if<Output>(&item_)) return output->op();
  if (auto* op = std::get_if<Operation>(&item_)) return *op;
  return std::get<std::shared_ptr<const CollectionObject>>(item_)->op();
}

Output CollectionItem::output() const {
  if (auto* output = std::get_if<Output>(&item_)) return *output;
  if (std::holds_alternative<Operation>(item_)) return Output();
  return std::get<std::shared_ptr<const CollectionObject>>(item_)->value();
}

void add_to_collection(const std::string& name, CollectionItem value) {
  get_default_graph().add_to_collection(name, std::move(value));
}

void add_to_collections(absl::Span<const std::string> names,
                        CollectionItem value) {
  get_default_graph().add_to_collections(names, std::move(value));
}

std::vector<CollectionItem> get_collection(const std::string& key,
                                           const std::string& scope) {
  return get_default_graph().get_collection(key, scope);
}

std::vector<CollectionItem>& get_collection_ref(const std::string& key) {
  return get_default_graph().get_collection_ref(key);
}

}  // namespace minitf
