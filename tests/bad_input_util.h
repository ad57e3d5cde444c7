// Helpers of the bad-input suites (tests/*/bad_input*_test.cc): each case
// feeds exactly one bad input, asserts the exact outcome (minitf::Error's
// code, Python type and TF's text at build time; the Status code and text at
// run time), then runs a valid fetch in the same graph and session.
//
//   class BadOpsTest : public test::BadInputTest {};
//   TEST_F(BadOpsTest, MatMulInnerDims) {
//     test::ExpectError([&] { matmul(a, b); }, test::kValueError,
//                       "Dimensions must be equal, but are 3 and 4");
//     ExpectSessionStillRuns();
//   }
//
// Table-driven suites list BuildCase / RunCase values and run them with
// RunBuildCase / RunRunCase from a TEST_P of their own fixture.
#ifndef MINITF_TESTS_BAD_INPUT_UTIL_H_
#define MINITF_TESTS_BAD_INPUT_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace minitf::test {

// The (code, Python type) pairs build-time errors carry (core/errors.h).
struct ErrorKind {
  absl::StatusCode code;
  const char* python_type;
};
inline constexpr ErrorKind kValueError{absl::StatusCode::kInvalidArgument,
                                       "ValueError"};
inline constexpr ErrorKind kTypeError{absl::StatusCode::kInvalidArgument,
                                      "TypeError"};
inline constexpr ErrorKind kRuntimeError{absl::StatusCode::kFailedPrecondition,
                                         "RuntimeError"};
inline constexpr ErrorKind kResourceExhaustedError{
    absl::StatusCode::kResourceExhausted, "ResourceExhaustedError"};

// Runs `fn`, which must throw minitf::Error of `code` and `python_type`
// whose message contains `text`.
template <typename F>
void ExpectError(F&& fn, absl::StatusCode code, const std::string& python_type,
                 const std::string& text, const char* file = __builtin_FILE(),
                 int line = __builtin_LINE()) {
  ::testing::ScopedTrace trace(file, line, "ExpectError");
  try {
    fn();
    ADD_FAILURE_AT(file, line) << "no error; expected: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), code) << e.status();
    EXPECT_EQ(e.python_type(), python_type);
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(text));
  }
}
template <typename F>
void ExpectError(F&& fn, ErrorKind kind, const std::string& text,
                 const char* file = __builtin_FILE(),
                 int line = __builtin_LINE()) {
  ExpectError(std::forward<F>(fn), kind.code, kind.python_type, text, file,
              line);
}

// `status` is an error of `code` whose message contains `text`.
inline void ExpectStatus(const absl::Status& status, absl::StatusCode code,
                         const std::string& text,
                         const char* file = __builtin_FILE(),
                         int line = __builtin_LINE()) {
  ::testing::ScopedTrace trace(file, line, "ExpectStatus");
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(text));
}
template <typename T>
void ExpectStatus(const absl::StatusOr<T>& result, absl::StatusCode code,
                  const std::string& text, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  ExpectStatus(result.status(), code, text, file, line);
}

// A graph made the default for the test, a constant "two" in it, and a
// session on it.
class BadInputTest : public ::testing::Test {
 protected:
  // A valid fetch still works in `sess`, a session of this graph.
  void ExpectSessionStillRuns(Session& sess) {
    auto out = sess.run({two_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);
  }
  void ExpectSessionStillRuns() { ExpectSessionStillRuns(sess_); }

  Graph graph_;
  GraphGuard guard_{graph_};
  Output two_ = constant(2.0f, "two");
  Session sess_{graph_};
};

// A build-time case: `build` makes exactly one bad call, which must throw
// `kind` with a message containing `text`.
struct BuildCase {
  std::string name;  // a gtest name: letters, digits, '_'
  std::function<void()> build;
  ErrorKind kind;
  std::string text;
};
// A run-time case: `build` makes a graph and returns the one bad run,
// which must fail with `code` and a message containing `text`.
struct RunArgs {
  FeedDict feeds;
  std::vector<Output> fetches;
  std::vector<Operation> targets;
  // Run first, and must succeed (variable initializers).
  std::vector<Operation> setup;
};
struct RunCase {
  std::string name;
  std::function<RunArgs()> build;
  absl::StatusCode code;
  std::string text;
};
inline std::ostream& operator<<(std::ostream& os, const BuildCase& c) {
  return os << c.name;
}
inline std::ostream& operator<<(std::ostream& os, const RunCase& c) {
  return os << c.name;
}
// The test name of a table entry: INSTANTIATE_TEST_SUITE_P(..., CaseName).
struct CaseName {
  template <typename T>
  std::string operator()(const ::testing::TestParamInfo<T>& info) const {
    return info.param.name;
  }
};

// Runs a BuildCase, then a valid fetch.
class BadBuildTest : public BadInputTest,
                     public ::testing::WithParamInterface<BuildCase> {
 protected:
  void RunBuildCase() {
    const BuildCase& c = GetParam();
    ExpectError(c.build, c.kind, c.text);
    ExpectSessionStillRuns();
  }
};

// Runs a RunCase, then a valid fetch in the same session, and the bad run
// again (a failed run leaves no state behind that changes its outcome).
class BadRunTest : public BadInputTest,
                   public ::testing::WithParamInterface<RunCase> {
 protected:
  void RunRunCase() {
    const RunCase& c = GetParam();
    RunArgs args = c.build();
    for (const Operation& op : args.setup) {
      absl::Status s = sess_.run(op);
      ASSERT_TRUE(s.ok()) << s;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto out = sess_.run(args.feeds, args.fetches, args.targets);
      ASSERT_FALSE(out.ok()) << "run succeeded; expected: " << c.text;
      ExpectStatus(out, c.code, c.text);
      ExpectSessionStillRuns();
    }
  }
};

}  // namespace minitf::test

#endif  // MINITF_TESTS_BAD_INPUT_UTIL_H_
