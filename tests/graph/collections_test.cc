// Graph collections (TF1_SEMANTICS.md 1.5 and cases 60-61): GraphKeys'
// string values, copy vs live-list access, duplicates, de-duplicated keys
// in add_to_collections and the anchored-regex scope filter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A user object kept in a collection, like the Python objects with (or
// without) a `.name` attribute that ops_test.py adds.
class NamedObject : public tf::CollectionObject {
 public:
  explicit NamedObject(std::optional<std::string> name)
      : name_(std::move(name)) {}
  std::optional<std::string> name() const override { return name_; }

 private:
  std::optional<std::string> name_;
};

tf::CollectionItem Object(std::optional<std::string> name) {
  return tf::CollectionItem(std::shared_ptr<const tf::CollectionObject>(
      std::make_shared<NamedObject>(std::move(name))));
}

// The items' names, "<none>" for a nameless item.
std::vector<std::string> Names(const std::vector<tf::CollectionItem>& items) {
  std::vector<std::string> names;
  for (const tf::CollectionItem& item : items) {
    names.push_back(item.name().value_or("<none>"));
  }
  return names;
}

std::vector<std::string> Names(const std::vector<tf::Variable>& vars) {
  std::vector<std::string> names;
  for (const tf::Variable& v : vars) names.push_back(v.name());
  return names;
}

class CollectionsTest : public ::testing::Test {
 protected:
  tf::Graph g_;
  tf::GraphGuard guard_{g_};
};

// 1.5: checkpoints and ported code rely on these exact strings.
TEST(GraphKeysTest, HaveTfsStringValues) {
  EXPECT_STREQ(tf::GraphKeys::GLOBAL_VARIABLES, "variables");
  EXPECT_STREQ(tf::GraphKeys::LOCAL_VARIABLES, "local_variables");
  EXPECT_STREQ(tf::GraphKeys::MODEL_VARIABLES, "model_variables");
  EXPECT_STREQ(tf::GraphKeys::TRAINABLE_VARIABLES, "trainable_variables");
  EXPECT_STREQ(tf::GraphKeys::REGULARIZATION_LOSSES, "regularization_losses");
  EXPECT_STREQ(tf::GraphKeys::UPDATE_OPS, "update_ops");
  EXPECT_STREQ(tf::GraphKeys::LOSSES, "losses");
  EXPECT_STREQ(tf::GraphKeys::TRAIN_OP, "train_op");
  EXPECT_STREQ(tf::GraphKeys::GLOBAL_STEP, "global_step");
  EXPECT_STREQ(tf::GraphKeys::ACTIVATIONS, "activations");
  EXPECT_STREQ(tf::GraphKeys::WEIGHTS, "weights");
  EXPECT_STREQ(tf::GraphKeys::BIASES, "biases");
  EXPECT_STREQ(tf::GraphKeys::MOVING_AVERAGE_VARIABLES,
               "moving_average_variables");
  EXPECT_STREQ(tf::GraphKeys::CONCATENATED_VARIABLES, "concatenated_variables");
  EXPECT_STREQ(tf::GraphKeys::SUMMARIES, "summaries");
  EXPECT_STREQ(tf::GraphKeys::INIT_OP, "init_op");
}

TEST_F(CollectionsTest, AddKeepsInsertionOrderAndAllItemKinds) {
  tf::Output c = tf::constant(1.0f, "c");
  tf::Operation op = tf::no_op("op");
  tf::add_to_collection("things", c);
  tf::add_to_collection("things", op);
  tf::add_to_collection("things", Object("obj"));
  std::vector<tf::CollectionItem> things = tf::get_collection("things");
  ASSERT_EQ(things.size(), 3u);
  EXPECT_THAT(Names(things), ElementsAre("c:0", "op", "obj"));
  EXPECT_EQ(things[0], tf::CollectionItem(c));
  EXPECT_EQ(things[0].output(), c);
  EXPECT_EQ(things[0].op(), c.op());
  EXPECT_EQ(things[1].op(), op);
  EXPECT_TRUE(things[1].output().is_null());
  EXPECT_NE(things[2].object_as<NamedObject>(), nullptr);
  EXPECT_EQ(things[0].object_as<NamedObject>(), nullptr);
}

// [T: OPST test_add_to_collection] get_collection returns a new list.
TEST_F(CollectionsTest, GetCollectionReturnsACopy) {
  tf::add_to_collection("key", tf::constant(1.0f, "a"));
  std::vector<tf::CollectionItem> snapshot = tf::get_collection("key");
  tf::add_to_collection("key", tf::constant(2.0f, "b"));
  EXPECT_THAT(Names(snapshot), ElementsAre("a:0"));
  EXPECT_THAT(Names(tf::get_collection("key")), ElementsAre("a:0", "b:0"));
  // Mutating the copy does not touch the graph's list.
  snapshot.clear();
  EXPECT_EQ(tf::get_collection("key").size(), 2u);
}

// [T: OPST test_add_to_collection] [] for an unknown key, never created.
TEST_F(CollectionsTest, UnknownKeyGivesEmptyListAndIsNotCreated) {
  EXPECT_THAT(tf::get_collection("unknown"), IsEmpty());
  EXPECT_THAT(tf::get_collection("unknown", "scope"), IsEmpty());
  EXPECT_THAT(g_.get_all_collection_keys(), IsEmpty());
}

// [T: OPST test_add_to_collection] get_collection_ref is the live list.
TEST_F(CollectionsTest, GetCollectionRefIsTheLiveList) {
  std::vector<tf::CollectionItem>& ref = tf::get_collection_ref("live");
  EXPECT_THAT(ref, IsEmpty());
  // Created on first use, and the same list on later calls.
  EXPECT_THAT(g_.get_all_collection_keys(), ElementsAre("live"));
  EXPECT_EQ(&tf::get_collection_ref("live"), &ref);
  EXPECT_EQ(&g_.get_collection_ref("live"), &ref);

  tf::add_to_collection("live", tf::constant(1.0f, "a"));
  EXPECT_THAT(Names(ref), ElementsAre("a:0"));

  std::vector<tf::CollectionItem> snapshot = tf::get_collection("live");
  ref.push_back(tf::constant(2.0f, "b"));
  EXPECT_THAT(Names(tf::get_collection("live")), ElementsAre("a:0", "b:0"));
  EXPECT_THAT(Names(snapshot), ElementsAre("a:0"));  // earlier copy unchanged

  ref.clear();
  EXPECT_THAT(tf::get_collection("live"), IsEmpty());
}

TEST_F(CollectionsTest, GetCollectionRefStaysValidAsOtherKeysAreAdded) {
  std::vector<tf::CollectionItem>& ref = tf::get_collection_ref("first");
  for (int i = 0; i < 100; ++i) {
    tf::get_collection_ref("key" + std::to_string(i));
  }
  tf::add_to_collection("first", tf::no_op("op"));
  EXPECT_THAT(Names(ref), ElementsAre("op"));
  EXPECT_EQ(&tf::get_collection_ref("first"), &ref);
}

// [T: OPST test_add_to_collection] collections are lists, not sets.
TEST_F(CollectionsTest, DuplicatesAreKept) {
  tf::Output c = tf::constant(1.0f, "c");
  tf::add_to_collection("key", c);
  tf::add_to_collection("key", c);
  EXPECT_THAT(Names(tf::get_collection("key")), ElementsAre("c:0", "c:0"));
}

// [T: OPST test_add_to_collections_uniquify]
TEST_F(CollectionsTest, AddToCollectionsDeduplicatesNames) {
  tf::Output c = tf::constant(1.0f, "c");
  const std::vector<std::string> keys = {"key1", "key2", "key1", "key2",
                                         "key1"};
  tf::add_to_collections(keys, c);
  EXPECT_THAT(Names(tf::get_collection("key1")), ElementsAre("c:0"));
  EXPECT_THAT(Names(tf::get_collection("key2")), ElementsAre("c:0"));
  EXPECT_THAT(g_.get_all_collection_keys(), ElementsAre("key1", "key2"));
}

TEST_F(CollectionsTest, AddToCollectionsWithOneName) {
  tf::Output c = tf::constant(1.0f, "c");
  tf::add_to_collections({"only"}, c);
  EXPECT_THAT(Names(tf::get_collection("only")), ElementsAre("c:0"));
  // Each call still appends: de-duplication is over names, not values.
  tf::add_to_collections({"only"}, c);
  EXPECT_EQ(tf::get_collection("only").size(), 2u);
}

// Case 60 [T: OPST test_add_to_collection]: re.match(scope, item.name).
TEST_F(CollectionsTest, ScopeIsAnAnchoredRegexPrefix) {
  tf::add_to_collection("blah", Object("prefix/foo"));
  tf::add_to_collection("blah", Object("junk/foo"));
  EXPECT_THAT(Names(tf::get_collection("blah", "prefix")),
              ElementsAre("prefix/foo"));
  EXPECT_THAT(Names(tf::get_collection("blah", ".*x")),
              ElementsAre("prefix/foo"));
  // Anchored at the start only: "foo" is in both names, but matches neither.
  EXPECT_THAT(tf::get_collection("blah", "foo"), IsEmpty());
  // Regex syntax is honoured.
  EXPECT_THAT(Names(tf::get_collection("blah", "(junk|prefix)/")),
              ElementsAre("prefix/foo", "junk/foo"));
  EXPECT_THAT(Names(tf::get_collection("blah", "pre.ix/f")),
              ElementsAre("prefix/foo"));
  EXPECT_THAT(Names(tf::get_collection("blah", "j[a-z]+/")),
              ElementsAre("junk/foo"));
  // A prefix, not a full match: "$" is needed to anchor the end.
  EXPECT_THAT(Names(tf::get_collection("blah", "junk")),
              ElementsAre("junk/foo"));
  EXPECT_THAT(tf::get_collection("blah", "junk$"), IsEmpty());
  EXPECT_THAT(Names(tf::get_collection("blah", "junk/foo$")),
              ElementsAre("junk/foo"));
  // The unfiltered collection is unchanged.
  EXPECT_EQ(tf::get_collection("blah").size(), 2u);
}

// Case 60 consequence: "foo" also matches foo_1/ and foobar/; "foo/" is
// what restricts to the scope.
TEST_F(CollectionsTest, ScopeFooAlsoMatchesFoo1AndFoobar) {
  auto make = [] {
    return tf::Variable(tf::constant<float>({1, 2}, {2}), {.name = "v"});
  };
  {
    tf::name_scope s("foo");
    make();
  }
  {
    tf::name_scope s("foo");  // foo_1
    make();
  }
  {
    tf::name_scope s("foobar");
    make();
  }
  {
    tf::name_scope s("bar");
    tf::name_scope inner("foo");
    make();
  }
  EXPECT_THAT(Names(tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES)),
              ElementsAre("foo/v:0", "foo_1/v:0", "foobar/v:0", "bar/foo/v:0"));
  EXPECT_THAT(Names(tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES, "foo")),
              ElementsAre("foo/v:0", "foo_1/v:0", "foobar/v:0"));
  EXPECT_THAT(
      Names(tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES, "foo/")),
      ElementsAre("foo/v:0"));
  // Case 66: the variable helpers use the same filter.
  EXPECT_THAT(Names(tf::global_variables("foo")),
              ElementsAre("foo/v:0", "foo_1/v:0", "foobar/v:0"));
  EXPECT_THAT(Names(tf::trainable_variables("foo/")), ElementsAre("foo/v:0"));
  EXPECT_THAT(Names(tf::trainable_variables("bar")),
              ElementsAre("bar/foo/v:0"));
}

// Case 60: items without a name are dropped when a scope is given.
TEST_F(CollectionsTest, NamelessItemsAreDroppedOnlyWhenScopeIsGiven) {
  tf::add_to_collection("mixed", Object(std::nullopt));
  tf::add_to_collection("mixed", Object("named"));
  tf::add_to_collection("mixed", tf::Output());  // a null tensor: no name
  EXPECT_THAT(Names(tf::get_collection("mixed")),
              ElementsAre("<none>", "named", "<none>"));
  EXPECT_THAT(Names(tf::get_collection("mixed", "n")), ElementsAre("named"));
  EXPECT_THAT(Names(tf::get_collection("mixed", ".*")), ElementsAre("named"));
}

TEST_F(CollectionsTest, GetAllCollectionKeysInCreationOrder) {
  EXPECT_THAT(g_.get_all_collection_keys(), IsEmpty());
  tf::add_to_collection("b", tf::no_op());
  tf::add_to_collection("a", tf::no_op());
  (void)tf::get_collection("never_created");
  (void)tf::get_collection_ref("c");  // created, though empty
  tf::add_to_collection("b", tf::no_op());
  EXPECT_THAT(g_.get_all_collection_keys(), ElementsAre("b", "a", "c"));
}

TEST_F(CollectionsTest, VariablesFillGlobalAndTrainableCollections) {
  tf::Variable w(tf::constant<float>({1, 2}, {2}), {.name = "w"});
  tf::Variable s(tf::constant(0.0f), {.trainable = false, .name = "s"});
  EXPECT_THAT(Names(tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES)),
              ElementsAre("w:0", "s:0"));
  EXPECT_THAT(Names(tf::get_collection(tf::GraphKeys::TRAINABLE_VARIABLES)),
              ElementsAre("w:0"));
  EXPECT_THAT(g_.get_all_collection_keys(),
              ElementsAre("variables", "trainable_variables"));
  std::optional<tf::Variable> back = tf::Variable::From(
      tf::get_collection(tf::GraphKeys::GLOBAL_VARIABLES)[0]);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, w);
}

TEST(CollectionsGraphTest, FreeFunctionsActOnTheDefaultGraph) {
  tf::Graph g1;
  tf::Graph g2;
  tf::GraphGuard guard1(g1);
  tf::add_to_collection("key", tf::no_op("in_g1"));
  {
    tf::GraphGuard guard2(g2);
    tf::add_to_collection("key", tf::no_op("in_g2"));
    EXPECT_THAT(Names(tf::get_collection("key")), ElementsAre("in_g2"));
  }
  EXPECT_THAT(Names(tf::get_collection("key")), ElementsAre("in_g1"));
  EXPECT_THAT(Names(g1.get_collection("key")), ElementsAre("in_g1"));
  EXPECT_THAT(Names(g2.get_collection("key")), ElementsAre("in_g2"));
}

}  // namespace
