// The plan's rewrite-pass hook: passes see the IR (pruned, ordered, with
// concrete shapes) and may substitute kernels before they are created.
#include "minitf/graph/execution_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"

namespace minitf {
namespace {

class TimesTenKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    auto x = ctx.input(0).flat<float>();
    auto y = ctx.output(0).flat<float>();
    for (size_t i = 0; i < y.size(); ++i) y[i] = 10 * x[i];
    return absl::OkStatus();
  }
};

ExecutionPlan::SessionResources NoResources() {
  return {.variable = [](const Node&) -> VariableSlot* { return nullptr; },
          .node_state = [](const Node&) -> std::shared_ptr<void>* {
            return nullptr;
          }};
}

TEST(ExecutionPlanTest, PassesSeeConcreteShapesAndCanSubstituteKernels) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {-1, 2}, "x");
  auto y = -x;
  auto unused = x * x;  // pruned: never reaches the IR
  (void)unused;
  FeedDict feeds = {{x, Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {3, 2})}};
  std::vector<std::string> seen;
  PlanPass inspect_and_replace = [&](PlanIR& ir) {
    for (PlanStep& step : ir.steps) {
      seen.push_back(step.node->type() + " " +
                     ir.values[step.outputs[0]].shape.ToString());
      if (step.node->type() == "Neg") step.kernel = MakeKernel<TimesTenKernel>;
    }
    return absl::OkStatus();
  };
  auto plan = ExecutionPlan::Compile(feeds, {y}, {}, NoResources(),
                                     {inspect_and_replace});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(seen, ::testing::ElementsAre("Neg (3, 2)"));
  auto out = (*plan)->Run(feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(),
              ::testing::ElementsAre(10, 20, 30, 40, 50, 60));
}

TEST(ExecutionPlanTest, AFailingPassAbortsCompilation) {
  Graph graph;
  GraphGuard guard(graph);
  auto y = constant(1.0f) + constant(2.0f);
  PlanPass refuse = [](PlanIR&) { return absl::UnimplementedError("no"); };
  auto plan = ExecutionPlan::Compile({}, {y}, {}, NoResources(), {refuse});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace minitf
