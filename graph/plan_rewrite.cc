#include "minitf/graph/plan_rewrite.h"

#include <utility>

namespace minitf {
namespace {

std::vector<PlanRewrite>& Rewrites() {
  static auto* rewrites = new std::vector<PlanRewrite>();
  return *rewrites;
}

}  // namespace

void RegisterPlanRewrite(PlanRewrite rewrite) {
  Rewrites().push_back(std::move(rewrite));
}

std::vector<PlanPass> PlanRewritesFor(const RewriterConfig& config) {
  std::vector<PlanPass> passes;
  for (const PlanRewrite& r : Rewrites()) {
    if (config.*r.enabled) passes.push_back(r.pass);
  }
  return passes;
}

}  // namespace minitf
