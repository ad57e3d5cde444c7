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
//   ... RandomGenerator::Draws draws = generator_->Lock();
//   ... out[i] = draws.Uniform(); ...
//
// Thread-safe: values are drawn only through Draws, which holds the
// generator's lock. A kernel takes one Draws per Compute, so each run draws
// a contiguous stretch of the stream, disjoint from every concurrent run's
// (which stretch goes to which run depends on their order, as in TF).
//
// The transforms from engine bits are written out (<random>'s distribution
// algorithms are left open by the standard), so a seed gives the same
// values with every standard library.
#ifndef MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_
#define MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_

#include <memory>
#include <mutex>
#include <random>

#include "minitf/graph/kernel.h"

namespace minitf {

class RandomGenerator {
 public:
  // The node's generator in the Session (created on first use); a private
  // one when the context carries no session state. REQUIRES: the Session
  // serializes Prepare() (it does: SessionResources::prepare_mutex).
  static std::shared_ptr<RandomGenerator> ForNode(const PrepareContext& ctx);

  // The stream, locked while this object lives.
  class Draws {
   public:
    // Uniform in [0, 1) from the top 24 bits: every value exact in float.
    float Uniform() {
      return static_cast<float>(generator_.engine_() >> 40) * 0x1.0p-24f;
    }
    // Standard normal (Box-Muller; pairs are drawn two at a time).
    float Normal() { return generator_.Normal(); }

   private:
    friend class RandomGenerator;
    explicit Draws(RandomGenerator& generator)
        : generator_(generator), lock_(generator.mutex_) {}
    RandomGenerator& generator_;
    std::lock_guard<std::mutex> lock_;
  };
  Draws Lock() { return Draws(*this); }

 private:
  float Normal();

  std::mutex mutex_;  // held by Draws; guards everything below
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

}  // namespace minitf

#endif  // MINITF_OPS_RANDOM_RANDOM_GENERATOR_H_
