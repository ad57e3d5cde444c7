// Helpers shared by the train tests: a Session over the test's graph that
// initializes the variables, runs ops and fetches values, failing the test
// on an error.
#ifndef MINITF_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
#define MINITF_TESTS_TRAIN_TRAIN_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf::test {

class SessionRunner {
 public:
  // Initializes the global and local variables of the default graph.
  SessionRunner() : sess_(get_default_graph()) {
    EXPECT_TRUE(sess_.run(global_variables_initializer()).ok());
    EXPECT_TRUE(sess_.run(local_variables_initializer()).ok());
  }
  void Run(Operation op, const FeedDict& feeds = {}) {
    absl::Status s = sess_.run(op, feeds);
    EXPECT_TRUE(s.ok()) << s;
  }
  // The flattened value of `t`.
  template <typename T = float>
  std::vector<T> Get(Output t, const FeedDict& feeds = {}) {
    absl::StatusOr<std::vector<Tensor>> out = sess_.run(feeds, {t});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return {};
    return Values<T>((*out)[0]);
  }
  float Scalar(Output t, const FeedDict& feeds = {}) {
    std::vector<float> v = Get(t, feeds);
    return v.size() == 1 ? v[0] : std::nanf("");
  }
  Session& session() { return sess_; }

 private:
  Session sess_;
};

inline Output Vec(std::vector<float> values) {
  const int64_t n = static_cast<int64_t>(values.size());
  return constant<float>(values, {n});
}

inline Variable Var(std::vector<float> values, const std::string& name,
                    bool trainable = true, Constraint constraint = {}) {
  return Variable(Vec(std::move(values)),
                  {.trainable = trainable,
                   .name = name,
                   .constraint = std::move(constraint)});
}

}  // namespace minitf::test

#endif  // MINITF_TESTS_TRAIN_TRAIN_TEST_UTIL_H_
