// Random ops, deterministic under TF1's seeding rules: with a graph-level
// seed (set_random_seed) and/or an op seed, each op draws a reproducible
// sequence, advancing every run; with neither, it is seeded at random.
//
//   tf::set_random_seed(42);
//   auto u = tf::random_uniform({2, 3}, {.minval = -1, .maxval = 1});
//   auto n = tf::truncated_normal({3, 3}, {.stddev = 0.1f, .seed = 7});
#ifndef MINITF_OPS_RANDOM_RANDOM_OPS_H_
#define MINITF_OPS_RANDOM_RANDOM_OPS_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/string_view.h"
#include "minitf/core/shape.h"
#include "minitf/graph/node.h"

namespace minitf {

// TF's tf.set_random_seed: the default graph's seed.
void set_random_seed(std::optional<int64_t> seed);

// TF's random_seed.get_seed(op_seed): the (seed, seed2) pair an op uses,
// from the default graph's seed. Graph seed and op seed: both; graph seed
// only: the op seed is the graph's op count so far; op seed only: the graph
// seed is 87654321; neither: (0, 0), which the kernels read as "seed at
// random". As in TF, seeds are taken modulo 2^31 - 1 and an explicit (0, 0)
// becomes (0, 2^31 - 1).
std::pair<int64_t, int64_t> GetSeed(std::optional<int64_t> op_seed);

struct RandomUniformOptions {
  float minval = 0.0f;
  float maxval = 1.0f;
  DataType dtype = DataType::kFloat;
  std::optional<int64_t> seed;
  std::string name = "random_uniform";
};
// Uniform in [minval, maxval). Every random op throws ValueError unless
// `shape` is fully defined and dtype is float32; each is one stateful,
// non-differentiable op ("random_uniform", "random_normal",
// "truncated_normal" by default).
Output random_uniform(const Shape& shape,
                      const RandomUniformOptions& options = {});

struct RandomNormalOptions {
  float mean = 0.0f;
  float stddev = 1.0f;
  DataType dtype = DataType::kFloat;
  std::optional<int64_t> seed;
  std::string name = "";  // "random_normal" / "truncated_normal"
};
Output random_normal(const Shape& shape,
                     const RandomNormalOptions& options = {});
// Normal, redrawing values more than 2 stddev from the mean.
Output truncated_normal(const Shape& shape,
                        const RandomNormalOptions& options = {});

}  // namespace minitf

#endif  // MINITF_OPS_RANDOM_RANDOM_OPS_H_
