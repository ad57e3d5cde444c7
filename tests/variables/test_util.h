// Helpers shared by the variables tests: a fresh default graph per test,
// evaluation through a Session, names of variables and collection items, and
// an expectation on minitf::Error's Python type and message.
#ifndef MINITF_TESTS_VARIABLES_TEST_UTIL_H_
#define MINITF_TESTS_VARIABLES_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace minitf::test {

// Each test builds in its own graph, the default graph of the test thread,
// seeded as TF's TensorFlowTestCase seeds it (DEFAULT_GRAPH_SEED), so that
// initial weights, and what a test sees of them, are the same on every run.
// A test of unseeded behaviour calls set_random_seed(std::nullopt).
class GraphTest : public ::testing::Test {
 protected:
  GraphTest() { set_random_seed(87654321); }

  Graph graph_;
  GraphGuard guard_{graph_};
};

using Keys = std::vector<std::string>;

// Runs the global and local variable initializers in a new session on the
// default graph, then fetches `fetches`. Fails the test on an error.
inline std::vector<Tensor> EvalAll(const std::vector<Output>& fetches) {
  Session sess(get_default_graph());
  absl::Status s = sess.run(global_variables_initializer());
  EXPECT_TRUE(s.ok()) << s;
  s = sess.run(local_variables_initializer());
  EXPECT_TRUE(s.ok()) << s;
  absl::StatusOr<std::vector<Tensor>> out = sess.run(fetches);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return std::vector<Tensor>(fetches.size());
  return *std::move(out);
}

// The elements of `t`, which must hold T.
template <typename T>
std::vector<T> Values(const Tensor& t) {
  if (!t.IsInitialized()) return {};
  EXPECT_EQ(t.dtype(), DataTypeOf<T>::value);
  absl::Span<T> flat = t.flat<T>();
  return std::vector<T>(flat.begin(), flat.end());
}

// The value of `t` after initializing all variables, flattened.
template <typename T = float>
std::vector<T> Eval(Output t) {
  return Values<T>(EvalAll({t})[0]);
}

inline std::vector<std::string> Names(const std::vector<Variable>& vars) {
  std::vector<std::string> names;
  for (const Variable& v : vars) names.push_back(v.name());
  return names;
}

inline std::vector<std::string> Names(
    const std::vector<CollectionItem>& items) {
  std::vector<std::string> names;
  for (const CollectionItem& item : items)
    names.push_back(item.name().value_or("<unnamed>"));
  return names;
}

// Expects `f()` to throw minitf::Error of Python type `type` ("ValueError",
// "TypeError", "RuntimeError") whose message matches `message`.
template <typename F>
void ExpectError(F&& f, const std::string& type,
                 const ::testing::Matcher<std::string>& message,
                 const char* file = __builtin_FILE(),
                 int line = __builtin_LINE()) {
  ::testing::ScopedTrace trace(file, line, "ExpectError");
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), type);
    EXPECT_THAT(std::string(e.what()), message);
    return;
  }
  ADD_FAILURE_AT(file, line) << "no minitf::Error thrown; expected " << type;
}

// The name scope a `with tf.name_scope(name) as sc:` block opened here
// would yield (the scope is marked as used, as in TF).
inline std::string NameScopeHere(const std::string& name = "scope2") {
  name_scope scope(name);
  return scope.name();
}

}  // namespace minitf::test

#endif  // MINITF_TESTS_VARIABLES_TEST_UTIL_H_
