// Naming primitives (TF1_SEMANTICS.md section 0.1 and 0.2): Graph::unique_name,
// op naming and tf::name_scope. Each case names the TF unit test
// (tensorflow/python/framework/ops_test.py, v1.15) it mirrors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

using ::testing::HasSubstr;

// Runs `body`, which must throw a ValueError; returns its message.
template <typename F>
std::string ValueErrorMessage(F&& body) {
  try {
    body();
  } catch (const tf::Error& e) {
    EXPECT_EQ(e.python_type(), "ValueError");
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(), e.what());
    return e.what();
  }
  ADD_FAILURE() << "expected a ValueError";
  return "";
}

// ---------------------------------------------------------------------------
// 0.1 Graph::unique_name

TEST(UniqueNameTest, AppendsIncreasingSuffixes) {
  tf::Graph g;
  EXPECT_EQ(g.unique_name("foo"), "foo");
  EXPECT_EQ(g.unique_name("foo"), "foo_1");
  EXPECT_EQ(g.unique_name("foo"), "foo_2");
  EXPECT_EQ(g.unique_name("bar"), "bar");
}

// [T: OPST testOutOfOrderUniqueName]
TEST(UniqueNameTest, OutOfOrderSkipsNamesAlreadyTaken) {
  tf::Graph g;
  EXPECT_EQ(g.unique_name("foo_2"), "foo_2");
  EXPECT_EQ(g.unique_name("foo"), "foo");
  EXPECT_EQ(g.unique_name("foo"), "foo_1");
  EXPECT_EQ(g.unique_name("foo"), "foo_3");  // foo_2 is taken
}

// [T: OPST testUniqueNameCaseInsensitivity]
TEST(UniqueNameTest, IsCaseInsensitiveAndKeepsTheCallersCase) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(g.unique_name("foo"), "foo");
  EXPECT_EQ(g.unique_name("Foo"), "Foo_1");
  {
    tf::name_scope scope("bar");
    EXPECT_EQ(g.unique_name("foo"), "bar/foo");
  }
  {
    tf::name_scope scope("Bar");
    EXPECT_EQ(scope.name(), "Bar_1/");
    EXPECT_EQ(g.unique_name("foo"), "Bar_1/foo");
  }
}

TEST(UniqueNameTest, PrefixesTheNameStack) {
  tf::Graph g;
  g.set_name_stack("outer/inner");
  EXPECT_EQ(g.unique_name("op"), "outer/inner/op");
  EXPECT_EQ(g.unique_name("op"), "outer/inner/op_1");
  g.set_name_stack("");
  EXPECT_EQ(g.unique_name("op"), "op");
}

// Graph.unique_name docstring: mark_as_used=False only peeks.
TEST(UniqueNameTest, MarkAsUsedFalseDoesNotReserveTheName) {
  tf::Graph g;
  EXPECT_EQ(g.unique_name("foo", /*mark_as_used=*/false), "foo");
  EXPECT_EQ(g.unique_name("foo", /*mark_as_used=*/false), "foo");
  EXPECT_EQ(g.unique_name("foo"), "foo");
  EXPECT_EQ(g.unique_name("foo", /*mark_as_used=*/false), "foo_1");
  EXPECT_EQ(g.unique_name("foo"), "foo_1");
  EXPECT_EQ(g.unique_name("foo"), "foo_2");
}

// ---------------------------------------------------------------------------
// Op naming: every op goes through unique_name(name or op type), except a
// requested name ending in "/", which is used verbatim minus the slash.

TEST(OpNamingTest, DefaultNameIsTheOpTypeMadeUnique) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(tf::constant(1.0f).op().name(), "Const");
  EXPECT_EQ(tf::constant(1.0f).op().name(), "Const_1");
  EXPECT_EQ(tf::placeholder(tf::float32).op().name(), "Placeholder");
  EXPECT_EQ(tf::no_op().name(), "NoOp");
  EXPECT_EQ(tf::no_op().name(), "NoOp_1");
}

TEST(OpNamingTest, TensorNameIsOpNameColonIndex) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::Output x = tf::placeholder(tf::float32, {-1, 3}, "x");
  EXPECT_EQ(x.name(), "x:0");
  EXPECT_EQ(x.op().name(), "x");
  EXPECT_EQ(x.op().type(), "Placeholder");
  EXPECT_EQ(tf::placeholder(tf::float32, {-1, 3}, "x").name(), "x_1:0");
}

// [T: OPST testUniqueName]
TEST(OpNamingTest, RequestedNamesCollideWithGeneratedSuffixes) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(tf::constant(1.0f, "myop").op().name(), "myop");
  EXPECT_EQ(tf::constant(1.0f, "myop_1").op().name(), "myop_1");
  EXPECT_EQ(tf::constant(1.0f, "myop").op().name(), "myop_2");
  EXPECT_EQ(tf::constant(1.0f, "myop_1").op().name(), "myop_1_1");
}

TEST(OpNamingTest, OpNamesAreCaseInsensitive) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(tf::no_op("foo").name(), "foo");
  EXPECT_EQ(tf::no_op("Foo").name(), "Foo_1");
  EXPECT_EQ(g.unique_name("FOO"), "FOO_2");
}

// [T: OPST testNameScope] name="trailing/" gives op "trailing".
TEST(OpNamingTest, TrailingSlashNameIsUsedVerbatim) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(tf::no_op("trailing/").name(), "trailing");
  EXPECT_EQ(tf::constant(1.0f, "a/b/").name(), "a/b:0");
  {
    // Absolute: the current name scope is not prefixed.
    tf::name_scope scope("outer");
    EXPECT_EQ(tf::no_op("elsewhere/").name(), "elsewhere");
  }
}

// A trailing-"/" name is neither uniquified nor marked as used, so it can
// collide. TF's C API (TF_FinishOperationLocked) rejects the second node
// and ops.py re-raises it as ValueError; the graph is left unchanged.
TEST(OpNamingTest, DuplicateNodeNameRaisesValueError) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::Operation first = tf::no_op("trailing/");
  EXPECT_EQ(ValueErrorMessage([] { (void)tf::no_op("trailing/"); }),
            "Duplicate node name in graph: 'trailing'");
  // unique_name("trailing") returns "trailing": it was never marked.
  EXPECT_EQ(ValueErrorMessage([] { (void)tf::constant(1.0f, "trailing"); }),
            "Duplicate node name in graph: 'trailing'");
  EXPECT_EQ(g.num_nodes(), 1);
  EXPECT_EQ(g.get_operation_by_name("trailing"), first);
}

TEST(OpNamingTest, OpsAreLookedUpByTheirUniqueName) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::Output a = tf::constant(1.0f, "a");
  tf::Output a1 = tf::constant(2.0f, "a");
  EXPECT_EQ(g.get_tensor_by_name("a:0"), a);
  EXPECT_EQ(g.get_tensor_by_name("a_1:0"), a1);
  EXPECT_EQ(g.get_operation_by_name("a_1"), a1.op());
}

// TF's _VALID_OP_NAME_REGEX: an op name may not start with "_" at the root.
TEST(OpNamingTest, InvalidNodeNameRaisesValueError) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(ValueErrorMessage([] { (void)tf::constant(1.0f, "_x"); }),
            "'_x' is not a valid node name");
  EXPECT_EQ(ValueErrorMessage([] { (void)tf::no_op("a:b"); }),
            "'a:b' is not a valid node name");
}

// ---------------------------------------------------------------------------
// 0.2 tf::name_scope

// [T: OPST testNameScope], first half: the yielded strings.
TEST(NameScopeTest, YieldsTheScopeWithATrailingSlash) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  {
    tf::name_scope foo("foo");
    EXPECT_EQ(foo.name(), "foo/");
    EXPECT_EQ(g.name_stack(), "foo");
    {
      tf::name_scope foo2("foo2");
      EXPECT_EQ(foo2.name(), "foo/foo2/");
      EXPECT_EQ(g.name_stack(), "foo/foo2");
    }
    EXPECT_EQ(g.name_stack(), "foo");
    {
      tf::name_scope empty1(std::nullopt);
      EXPECT_EQ(empty1.name(), "");
      EXPECT_EQ(g.name_stack(), "");
      {
        tf::name_scope foo3("foo3");
        EXPECT_EQ(foo3.name(), "foo3/");
      }
    }
    {
      tf::name_scope empty2("");
      EXPECT_EQ(empty2.name(), "");
      EXPECT_EQ(g.name_stack(), "");
    }
    EXPECT_EQ(g.name_stack(), "foo");
  }
  EXPECT_EQ(g.name_stack(), "");
}

// [T: OPST testNameScope], second half: op names under scopes.
TEST(NameScopeTest, OpsAreNamedUnderTheScope) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(tf::no_op().name(), "NoOp");
  {
    tf::name_scope scope("bar");
    EXPECT_EQ(tf::no_op().name(), "bar/NoOp");
    EXPECT_EQ(tf::no_op().name(), "bar/NoOp_1");
    // The yielded value used as a name is used as is.
    EXPECT_EQ(tf::no_op(scope.name()).name(), "bar");
  }
  {
    tf::name_scope baz("baz");
    {
      tf::name_scope quux("quux");
      EXPECT_EQ(tf::no_op().name(), "baz/quux/NoOp");
    }
    {
      // Re-entering the enclosing scope's value pushes nothing new.
      tf::name_scope again(baz.name());
      EXPECT_EQ(again.name(), "baz/");
      EXPECT_EQ(tf::no_op().name(), "baz/NoOp");
      EXPECT_EQ(tf::no_op(baz.name()).name(), "baz");
      EXPECT_EQ(tf::no_op("trailing/").name(), "trailing");
    }
  }
  {
    tf::name_scope bar("bar");
    EXPECT_EQ(bar.name(), "bar_1/");
    EXPECT_EQ(tf::no_op().name(), "bar_1/NoOp");
  }
  {
    tf::name_scope bar("bar/");
    EXPECT_EQ(bar.name(), "bar/");
    EXPECT_EQ(tf::no_op().name(), "bar/NoOp_2");
  }
}

TEST(NameScopeTest, SameNameTwiceAtTheRootIsMadeUnique) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  {
    tf::name_scope a("layer");
    EXPECT_EQ(a.name(), "layer/");
  }
  {
    tf::name_scope b("layer");
    EXPECT_EQ(b.name(), "layer_1/");
    tf::name_scope inner("layer");
    EXPECT_EQ(inner.name(), "layer_1/layer/");
  }
  {
    tf::name_scope c("Layer");  // case-insensitive, case kept
    EXPECT_EQ(c.name(), "Layer_2/");
  }
}

TEST(NameScopeTest, ReEntryWithTrailingSlashIsAbsoluteAndMarksNothing) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  {
    tf::name_scope outer("outer");
    // Absolute: not prefixed by "outer/", and not uniquified.
    tf::name_scope other("some/where/");
    EXPECT_EQ(other.name(), "some/where/");
    EXPECT_EQ(g.name_stack(), "some/where");
    EXPECT_EQ(tf::no_op("op").name(), "some/where/op");
  }
  // "some/where" was never marked as used by the re-entry.
  EXPECT_EQ(g.unique_name("some/where"), "some/where");
  {
    tf::name_scope fresh("fresh/");
    EXPECT_EQ(fresh.name(), "fresh/");
  }
  EXPECT_EQ(g.unique_name("fresh"), "fresh");
}

TEST(NameScopeTest, DestructorRestoresTheEnclosingStack) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  {
    tf::name_scope a("a");
    {
      tf::name_scope reset(std::nullopt);
      {
        tf::name_scope b("b/");
        EXPECT_EQ(g.name_stack(), "b");
      }
      EXPECT_EQ(g.name_stack(), "");
    }
    EXPECT_EQ(g.name_stack(), "a");
    EXPECT_EQ(tf::no_op().name(), "a/NoOp");
  }
  EXPECT_EQ(g.name_stack(), "");
}

// [T: OPST testInvalidNameRaisesError]
TEST(NameScopeTest, InvalidNamesRaiseValueError) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  { tf::name_scope ok(""); }  // does not raise
  {
    tf::name_scope foo("foo/");
    tf::name_scope bar("_bar");  // valid when nested
    EXPECT_EQ(bar.name(), "foo/_bar/");
  }
  EXPECT_EQ(ValueErrorMessage([] { tf::name_scope s("foo:0"); }),
            "'foo:0' is not a valid scope name");
  EXPECT_EQ(ValueErrorMessage([] { tf::name_scope s("_bar"); }),
            "'_bar' is not a valid scope name");
}

TEST(NameScopeTest, ValidCharactersAtTheRootAndNested) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  // Root: ^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$
  { tf::name_scope s("a.b-c_d/e"); }
  { tf::name_scope s(".hidden"); }
  { tf::name_scope s("9lives"); }
  for (const char* bad : {"-x", "/x", "_", "a b", "a:b", "a>b"}) {
    EXPECT_EQ(ValueErrorMessage([bad] { tf::name_scope s(bad); }),
              absl::StrCat("'", bad, "' is not a valid scope name"))
        << bad;
  }
  // Nested: ^[A-Za-z0-9_.\-/]*$, any first character of that set.
  tf::name_scope outer("outer");
  { tf::name_scope s("-x"); }
  { tf::name_scope s("_"); }
  EXPECT_EQ(ValueErrorMessage([] { tf::name_scope s("foo:0"); }),
            "'foo:0' is not a valid scope name");
  EXPECT_EQ(ValueErrorMessage([] { tf::name_scope s("a b"); }),
            "'a b' is not a valid scope name");
}

TEST(NameScopeTest, FailedScopeLeavesTheStackAndNamesUntouched) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::name_scope outer("outer");
  EXPECT_THAT(ValueErrorMessage([] { tf::name_scope s("bad:name"); }),
              HasSubstr("is not a valid scope name"));
  EXPECT_EQ(g.name_stack(), "outer");
  EXPECT_EQ(tf::no_op().name(), "outer/NoOp");
}

TEST(NameScopeTest, ActsOnTheDefaultGraph) {
  tf::Graph g1;
  tf::Graph g2;
  tf::GraphGuard guard1(g1);
  tf::name_scope in_g1("one");
  {
    tf::GraphGuard guard2(g2);
    EXPECT_EQ(g2.name_stack(), "");
    EXPECT_EQ(tf::no_op().name(), "NoOp");
    tf::name_scope in_g2("two");
    EXPECT_EQ(g1.name_stack(), "one");
    EXPECT_EQ(g2.name_stack(), "two");
  }
  EXPECT_EQ(tf::no_op().name(), "one/NoOp");
}

// The v1 tf.name_scope(name, default_name=None, values=None).
TEST(NameScopeTest, DefaultNameIsUsedOnlyWhenNameIsNone) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  {
    tf::name_scope s(std::nullopt, "dense");
    EXPECT_EQ(s.name(), "dense/");
    EXPECT_EQ(tf::no_op().name(), "dense/NoOp");
  }
  {
    tf::name_scope s(std::nullopt, "dense");  // made unique like any name
    EXPECT_EQ(s.name(), "dense_1/");
  }
  {
    tf::name_scope s("given", "dense");
    EXPECT_EQ(s.name(), "given/");
  }
  {
    tf::name_scope outer("outer");
    // "" is not None: it resets to the root; default_name is ignored.
    tf::name_scope s(std::string(), "dense");
    EXPECT_EQ(s.name(), "");
    EXPECT_EQ(g.name_stack(), "");
  }
  {
    tf::name_scope outer("outer2");
    // Both None (and no values): the root, no error.
    tf::name_scope s(std::nullopt, std::nullopt);
    EXPECT_EQ(s.name(), "");
  }
  {
    tf::name_scope outer("outer3");
    tf::name_scope s(std::nullopt, "dense");
    EXPECT_EQ(s.name(), "outer3/dense/");
  }
  {
    tf::name_scope s(std::nullopt, "dense/");  // re-entry via default_name
    EXPECT_EQ(s.name(), "dense/");
  }
}

TEST(NameScopeTest, InvalidDefaultNameRaisesValueError) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  EXPECT_EQ(ValueErrorMessage([] { tf::name_scope s(std::nullopt, "_d"); }),
            "'_d' is not a valid scope name");
}

}  // namespace
