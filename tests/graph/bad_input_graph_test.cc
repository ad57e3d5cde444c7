// Bad graph lookups, names, scopes, control dependencies and gradients:
// TF 1.15's KeyError / ValueError / TypeError / LookupError texts (the
// name lookups follow ops.py's _as_graph_element_locked); then a valid run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::ErrorKind;
using test::kTypeError;
using test::kValueError;

constexpr ErrorKind kKeyError{absl::StatusCode::kNotFound, "KeyError"};
constexpr ErrorKind kLookupError{absl::StatusCode::kNotFound, "LookupError"};

class BadGraphTest : public test::BadBuildTest {};
TEST_P(BadGraphTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Lookups, BadGraphTest,
    ::testing::Values(
        BuildCase{"TensorOfAMissingOp",
                  [] { get_default_graph().get_tensor_by_name("nope:0"); },
                  kKeyError,
                  "The name 'nope:0' refers to a Tensor which does not exist. "
                  "The operation, 'nope', does not exist in the graph."},
        BuildCase{"TensorPastTheOutputs",
                  [] { get_default_graph().get_tensor_by_name("two:1"); },
                  kKeyError,
                  "The name 'two:1' refers to a Tensor which does not exist. "
                  "The operation, 'two', exists but only has 1 outputs."},
        BuildCase{"TensorByAnOperationName",
                  [] { get_default_graph().get_tensor_by_name("two"); },
                  kValueError,
                  "The name 'two' refers to an Operation, not a Tensor. Tensor "
                  "names must be of the form \"<op_name>:<output_index>\"."},
        BuildCase{"TensorByAMissingOperationName",
                  [] { get_default_graph().get_tensor_by_name("nope"); },
                  kValueError,
                  "The name 'nope' looks like an (invalid) Operation name, not "
                  "a Tensor. Tensor names must be of the form "
                  "\"<op_name>:<output_index>\"."},
        BuildCase{"TensorByANonNumericIndex",
                  [] { get_default_graph().get_tensor_by_name("two:x"); },
                  kValueError,
                  "The name 'two:x' looks a like a Tensor name, but is not a "
                  "valid one. Tensor names must be of the form "
                  "\"<op_name>:<output_index>\"."},
        BuildCase{"OperationOfAMissingName",
                  [] { get_default_graph().get_operation_by_name("nope"); },
                  kKeyError,
                  "The name 'nope' refers to an Operation not in the graph."},
        BuildCase{"OperationByATensorName",
                  [] { get_default_graph().get_operation_by_name("two:0"); },
                  kValueError,
                  "Name 'two:0' appears to refer to a Tensor, not a "
                  "Operation."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    NamesAndScopes, BadGraphTest,
    ::testing::Values(
        BuildCase{"OpNameStartingWithADash",
                  [] { placeholder(float32, {}, "-x"); }, kValueError,
                  "'-x' is not a valid node name"},
        BuildCase{"OpNameWithASpace", [] { constant(1.0f, "my const"); },
                  kValueError, "'my const' is not a valid node name"},
        BuildCase{"NameScopeWithAnInvalidName",
                  [] { name_scope s("bad name!"); }, kValueError,
                  "'bad name!' is not a valid scope name"},
        BuildCase{"VerbatimNameThatIsTaken", [] { constant(1.0f, "two/"); },
                  kValueError, "Duplicate node name in graph: 'two'"},
        BuildCase{"ControlDependencyOnNull",
                  [] { control_dependencies deps({Operation()}); }, kTypeError,
                  "Can not convert a NoneType into a Tensor or Operation."},
        BuildCase{"InputIsNull", [] { identity(Output()); }, kValueError,
                  "None values not supported."},
        BuildCase{"ControlDependencyFromAnotherGraph",
                  [] {
                    Graph other;
                    Operation op = [&] {
                      GraphGuard g(other);
                      return no_op("elsewhere");
                    }();
                    control_dependencies deps({op});
                  },
                  kValueError,
                  "Operation elsewhere is not an element of this graph."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    Gradients, BadGraphTest,
    ::testing::Values(
        BuildCase{
            "GradYsOfAnotherCount",
            [] {
              auto x = placeholder(float32, {2}, "x");
              gradients({x * 2.0f}, {x}, {constant(1.0f), constant(1.0f)});
            },
            kValueError, "Passed 2 grad_ys for 1 ys"},
        BuildCase{"SecondGradientThroughAnOpWithoutOne",
                  [] {
                    auto x = placeholder(float32, {2}, "x");
                    auto y = tile(x, {2});
                    auto g = gradients({reduce_sum(y * y)}, {x})[0];
                    gradients({reduce_sum(g)}, {x});
                  },
                  kLookupError, "(op type: TileGrad)"},
        BuildCase{"GradientOfANull",
                  [] {
                    auto x = placeholder(float32, {2}, "x");
                    gradients({Output()}, {x});
                  },
                  kValueError, "None values not supported."}),
    CaseName());

}  // namespace
}  // namespace minitf
