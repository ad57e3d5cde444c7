#include "minitf/graph/graph.h"

#include <atomic>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "minitf/graph/op_registry.h"

namespace minitf {

namespace {
std::atomic<uint64_t> next_graph_id{1};
}  // namespace

Graph::Graph() : id_(next_graph_id.fetch_add(1)) {}

Graph::ThreadLocalState& Graph::ThreadState() const {
  // Entries of destroyed graphs stay behind: a string and a vector each.
  thread_local absl::flat_hash_map<uint64_t, ThreadLocalState> states;
  return states[id_];
}
Graph::~Graph() {
  // Handles that outlive the graph name themselves from the lifetime; the
  // names move there (the nodes are going away anyway), before it is marked
  // dead, and are dropped again when nothing but this graph still holds it.
  for (const auto& node : nodes_)
    lifetime_->names_.emplace(node.get(), std::move(node->name_));
  lifetime_->alive_.store(false, std::memory_order_release);
  extensions_.clear();
  collections_.clear();
  nodes_by_name_.clear();
  nodes_.clear();
  if (lifetime_.use_count() == 1) lifetime_->names_.clear();
}

std::string Graph::unique_name(absl::string_view name, bool mark_as_used) {
  const std::string& stack = name_stack();
  std::string full =
      stack.empty() ? std::string(name) : absl::StrCat(stack, "/", name);
  // Bookkeeping is case-insensitive; the returned name keeps its case.
  std::string key = absl::AsciiStrToLower(full);
  auto it = names_in_use_.find(key);
  int i = it == names_in_use_.end() ? 0 : it->second;
  if (mark_as_used) names_in_use_[key] = i + 1;
  if (i > 0) {
    const std::string base = key;
    while (names_in_use_.contains(key)) {
      key = absl::StrCat(base, "_", i);
      ++i;
    }
    if (mark_as_used) names_in_use_[key] = 1;
    full = absl::StrCat(full, "_", i - 1);
  }
  return full;
}

Node* Graph::AddNode(std::unique_ptr<Node> node) {
  node->id_ = num_nodes();
  node->graph_ = this;
  Node* raw = node.get();
  nodes_by_name_[raw->name()] = raw;
  nodes_.push_back(std::move(node));
  return raw;
}

Node* Graph::FindNode(absl::string_view name) const {
  auto it = nodes_by_name_.find(name);
  return it == nodes_by_name_.end() ? nullptr : it->second;
}

// The lookups raise what TF's Graph._as_graph_element_locked raises.
Operation Graph::get_operation_by_name(absl::string_view name) const {
  if (absl::StrContains(name, ':')) {
    ThrowValueError(absl::StrCat("Name '", name,
                                 "' appears to refer to a Tensor, not a "
                                 "Operation."));
  }
  Node* node = FindNode(name);
  if (node == nullptr) {
    throw Error(
        absl::NotFoundError(absl::StrCat(
            "The name '", name, "' refers to an Operation not in the graph.")),
        "KeyError");
  }
  return Operation(node);
}

Output Graph::get_tensor_by_name(absl::string_view name) const {
  constexpr absl::string_view kForm =
      " Tensor names must be of the form \"<op_name>:<output_index>\".";
  const size_t colon = name.find(':');
  if (colon == absl::string_view::npos) {
    ThrowValueError(absl::StrCat(
        "The name '", name, "' ",
        FindNode(name) != nullptr
            ? "refers to an Operation, not a Tensor."
            : "looks like an (invalid) Operation name, not a Tensor.",
        kForm));
  }
  int index = 0;
  if (name.find(':', colon + 1) != absl::string_view::npos ||
      !absl::SimpleAtoi(name.substr(colon + 1), &index)) {
    ThrowValueError(absl::StrCat("The name '", name,
                                 "' looks a like a Tensor name, but is not a "
                                 "valid one.",
                                 kForm));
  }
  const absl::string_view op_name = name.substr(0, colon);
  Node* node = FindNode(op_name);
  if (node == nullptr || index < 0 || index >= node->num_outputs()) {
    throw Error(
        absl::NotFoundError(absl::StrCat(
            "The name '", name, "' refers to a Tensor which does not exist. ",
            node == nullptr ? absl::StrCat("The operation, '", op_name,
                                           "', does not exist in the graph.")
                            : absl::StrCat("The operation, '", op_name,
                                           "', exists but only has ",
                                           node->num_outputs(), " outputs."))),
        "KeyError");
  }
  return Output(node, index);
}

std::vector<Operation> Graph::get_operations() const {
  std::vector<Operation> ops;
  ops.reserve(nodes_.size());
  for (const auto& node : nodes_) ops.emplace_back(node.get());
  return ops;
}

void Graph::add_to_collection(const std::string& name, CollectionItem value) {
  get_collection_ref(name).push_back(std::move(value));
}

void Graph::add_to_collections(absl::Span<const std::string> names,
                               CollectionItem value) {
  std::vector<std::string> seen;
  for (const std::string& name : names) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    add_to_collection(name, value);
  }
}

std::vector<CollectionItem> Graph::get_collection(
    const std::string& key, const std::string& scope) const {
  auto it = collections_.find(key);
  if (it == collections_.end()) return {};
  if (scope.empty()) return it->second;
  // Python's re.match: the pattern anchored at the start, a prefix match.
  std::regex pattern;
  try {
    pattern = std::regex(scope);
  } catch (const std::regex_error& e) {
    ThrowValueError(absl::StrCat("Invalid collection scope regex '", scope,
                                 "': ", e.what()));
  }
  std::vector<CollectionItem> filtered;
  for (const CollectionItem& item : it->second) {
    std::optional<std::string> name = item.name();
    if (name && std::regex_search(*name, pattern,
                                  std::regex_constants::match_continuous)) {
      filtered.push_back(item);
    }
  }
  return filtered;
}

std::vector<CollectionItem>& Graph::get_collection_ref(const std::string& key) {
  auto [it, inserted] = collections_.try_emplace(key);
  if (inserted) collection_order_.push_back(key);
  return it->second;
}

std::vector<std::string> Graph::get_all_collection_keys() const {
  return collection_order_;
}

}  // namespace minitf
