// Random ops: RandomUniform, RandomStandardNormal and TruncatedNormal, with
// their scaling (minval/maxval, mean/stddev) applied inside the kernel, and
// TF1's seeding rules (GetSeed).
#include "minitf/ops/random/random_ops.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/random/random_generator.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// TF's random_seed.DEFAULT_GRAPH_SEED and _MAXINT32.
constexpr int64_t kDefaultGraphSeed = 87654321;
constexpr int64_t kMaxInt32 = (int64_t{1} << 31) - 1;

// TF's _truncate_seed: Python's `seed % _MAXINT32`, never negative.
int64_t TruncateSeed(int64_t seed) {
  return ((seed % kMaxInt32) + kMaxInt32) % kMaxInt32;
}

enum class Distribution { kUniform, kNormal, kTruncatedNormal };

// Fills its output from the node's RandomGenerator, scaled by minval/maxval
// or mean/stddev.
class RandomKernel : public OpKernel {
 public:
  explicit RandomKernel(Distribution distribution)
      : distribution_(distribution) {}

  absl::Status Prepare(const PrepareContext& ctx) override {
    generator_ = RandomGenerator::ForNode(ctx);
    if (distribution_ == Distribution::kUniform) {
      shift_ = ctx.node.attr<float>("minval");
      scale_ = ctx.node.attr<float>("maxval") - shift_;
    } else {
      shift_ = ctx.node.attr<float>("mean");
      scale_ = ctx.node.attr<float>("stddev");
    }
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    if (ctx.output(0).dtype() == DataType::kBFloat16) {
      Fill(ctx.output(0).flat<BFloat16>());
    } else {
      Fill(ctx.output(0).flat<float>());
    }
    return absl::OkStatus();
  }

 private:
  // A bfloat16 output is drawn in float and rounded, value by value.
  template <typename T>
  void Fill(absl::Span<T> out) {
    RandomGenerator::Draws draws = generator_->Lock();
    switch (distribution_) {
      case Distribution::kUniform:
        for (T& v : out) v = shift_ + scale_ * draws.Uniform();
        break;
      case Distribution::kNormal:
        for (T& v : out) v = shift_ + scale_ * draws.Normal();
        break;
      case Distribution::kTruncatedNormal:
        for (T& v : out) {
          float z;
          do {
            z = draws.Normal();
          } while (std::abs(z) >= 2.0f);  // TF redraws beyond 2 stddev.
          v = shift_ + scale_ * z;
        }
        break;
    }
  }

  Distribution distribution_;
  std::shared_ptr<RandomGenerator> generator_;
  float shift_ = 0.0f;
  float scale_ = 1.0f;
};

absl::Status RandomShape(ShapeContext& ctx) {
  ctx.add_output(ctx.attr<DataType>("dtype"), ctx.attr<Shape>("shape"));
  return absl::OkStatus();
}

struct RandomOpParams {
  const char* type;
  const char* default_name;
  absl::string_view name;
  const Shape& shape;
  DataType dtype;
  std::optional<int64_t> seed;
  // The scaling attributes: (minval, maxval) or (mean, stddev).
  const char* attr_a;
  float a;
  const char* attr_b;
  float b;
};

Output RandomOp(const RandomOpParams& p) {
  const absl::string_view name = p.name.empty() ? p.default_name : p.name;
  if (p.dtype != DataType::kFloat && p.dtype != DataType::kBFloat16) {
    ThrowTypeError(
        absl::StrCat("Value passed to parameter 'dtype' has DataType ",
                     DataTypeName(p.dtype),
                     " not in list of allowed values: bfloat16, float32"));
  }
  if (!p.shape.IsFullyDefined()) {
    ThrowValueError(absl::StrCat(
        "Cannot convert a partially known TensorShape to a Tensor: ",
        p.shape.ToString()));
  }
  const auto [seed, seed2] = GetSeed(p.seed);
  return OpBuilder(p.type, name)
      .Attr("shape", p.shape)
      .Attr("dtype", p.dtype)
      .Attr("seed", seed)
      .Attr("seed2", seed2)
      .Attr(p.attr_a, p.a)
      .Attr(p.attr_b, p.b)
      .Build();
}

void RegisterRandom(const char* type, Distribution distribution,
                    const char* attr_a, float a, const char* attr_b, float b) {
  RegisterOp(
      {.type = type,
       .attrs = {AttrDef::Required<Shape>("shape"),
                 AttrDef::Optional("dtype", DataType::kFloat),
                 AttrDef::Optional("seed", int64_t{0}),
                 AttrDef::Optional("seed2", int64_t{0}),
                 AttrDef::Optional(attr_a, a), AttrDef::Optional(attr_b, b)},
       .shape_fn = RandomShape,
       .kernel = [distribution](const Node&) -> std::unique_ptr<OpKernel> {
         return std::make_unique<RandomKernel>(distribution);
       },
       .differentiable = false,
       .accepts_bfloat16 = true,
       .is_stateful = true});
}

}  // namespace

void set_random_seed(std::optional<int64_t> seed) {
  get_default_graph().set_seed(seed);
}

std::pair<int64_t, int64_t> GetSeed(std::optional<int64_t> op_seed) {
  Graph& graph = get_default_graph();
  const std::optional<int64_t> graph_seed = graph.seed();
  std::pair<int64_t, int64_t> seeds;
  if (graph_seed.has_value()) {
    seeds = {TruncateSeed(*graph_seed),
             TruncateSeed(op_seed.value_or(graph.num_nodes()))};
  } else if (op_seed.has_value()) {
    seeds = {kDefaultGraphSeed, TruncateSeed(*op_seed)};
  } else {
    return {0, 0};
  }
  // (0, 0) would read as "seed at random"; TF avoids it the same way.
  if (seeds == std::pair<int64_t, int64_t>{0, 0}) return {0, kMaxInt32};
  return seeds;
}

Output random_uniform(const Shape& shape, const RandomUniformOptions& options) {
  return RandomOp({.type = "RandomUniform",
                   .default_name = "random_uniform",
                   .name = options.name,
                   .shape = shape,
                   .dtype = options.dtype,
                   .seed = options.seed,
                   .attr_a = "minval",
                   .a = options.minval,
                   .attr_b = "maxval",
                   .b = options.maxval});
}

Output random_normal(const Shape& shape, const RandomNormalOptions& options) {
  return RandomOp({.type = "RandomStandardNormal",
                   .default_name = "random_normal",
                   .name = options.name,
                   .shape = shape,
                   .dtype = options.dtype,
                   .seed = options.seed,
                   .attr_a = "mean",
                   .a = options.mean,
                   .attr_b = "stddev",
                   .b = options.stddev});
}

Output truncated_normal(const Shape& shape,
                        const RandomNormalOptions& options) {
  return RandomOp({.type = "TruncatedNormal",
                   .default_name = "truncated_normal",
                   .name = options.name,
                   .shape = shape,
                   .dtype = options.dtype,
                   .seed = options.seed,
                   .attr_a = "mean",
                   .a = options.mean,
                   .attr_b = "stddev",
                   .b = options.stddev});
}

void RegisterRandomOps() {
  RegisterRandom("RandomUniform", Distribution::kUniform, "minval", 0.0f,
                 "maxval", 1.0f);
  RegisterRandom("RandomStandardNormal", Distribution::kNormal, "mean", 0.0f,
                 "stddev", 1.0f);
  RegisterRandom("TruncatedNormal", Distribution::kTruncatedNormal, "mean",
                 0.0f, "stddev", 1.0f);
}

}  // namespace minitf
