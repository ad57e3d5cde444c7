#include "minitf/ops/random/random_generator.h"

#include <cmath>
#include <numbers>

namespace minitf {

std::shared_ptr<RandomGenerator> RandomGenerator::ForNode(
    const PrepareContext& ctx) {
  if (ctx.node_state != nullptr && *ctx.node_state != nullptr) {
    return std::static_pointer_cast<RandomGenerator>(*ctx.node_state);
  }
  auto generator = std::make_shared<RandomGenerator>();
  const auto seed = static_cast<uint64_t>(ctx.node.attr<int64_t>("seed"));
  const auto seed2 = static_cast<uint64_t>(ctx.node.attr<int64_t>("seed2"));
  if (seed == 0 && seed2 == 0) {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device()};
    generator->engine_.seed(seq);
  } else {
    std::seed_seq seq{
        static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
        static_cast<uint32_t>(seed2), static_cast<uint32_t>(seed2 >> 32)};
    generator->engine_.seed(seq);
  }
  if (ctx.node_state != nullptr) *ctx.node_state = generator;
  return generator;
}

float RandomGenerator::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // u1 in (0, 1] keeps the log finite; u2 in [0, 1).
  const double u1 = static_cast<double>((engine_() >> 11) + 1) * 0x1.0p-53;
  const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = static_cast<float>(r * std::sin(theta));
  has_spare_ = true;
  return static_cast<float>(r * std::cos(theta));
}

}  // namespace minitf
