// RandomGenerator: the random stream of one random node (random_uniform,
// dropout's mask...) in one Session. It is seeded from the node's "seed"
// and "seed2" attributes (see GetSeed), or at random when both are 0, and
// kept in PrepareContext::node_state, so it advances with every run of
// every plan of the Session, as TF's op kernels do: successive runs draw
// new values and a fresh Session with the same seeds replays them.
//
//   absl::Status Prepare(const PrepareContext& ctx) override {
//     generator_ = RandomGenerator::ForNode(ctx);
//   }
//   ... out[i] = generator_->Uniform(); ...
//
// The transforms from engine bits are written out (<random>'s distribution
// algorithms are left open by the standard), so a seed gives the same
// values with every standard library. Not thread-safe.
#ifndef MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_
#define MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_

#include <memory>
#include <random>

#include "minitf/graph/kernel.h"

namespace minitf {

class RandomGenerator {
 public:
  // The node's generator in the Session (created on first use); a private
  // one when the context carries no session state.
  static std::shared_ptr<RandomGenerator> ForNode(const PrepareContext& ctx);

  // Uniform in [0, 1) from the top 24 bits: every value exact in float.
  float Uniform() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }
  // Standard normal (Box-Muller; pairs are drawn two at a time).
  float Normal();

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

}  // namespace minitf

#endif  // MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_
