#include "minitf/layers/contrib/layers.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/context.h"
#include "minitf/layers/convolutional.h"
#include "minitf/layers/core.h"
#include "minitf/layers/layer_utils.h"
#include "minitf/layers/normalization.h"
#include "minitf/layers/smart_cond.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/activation_ops.h"
#include "minitf/ops/nn/batch_norm_ops.h"
#include "minitf/ops/nn/pooling_ops.h"
#include "minitf/variables/initializers.h"

namespace minitf::contrib::layers {
namespace {

namespace tfl = ::minitf::layers;
using framework::WithArgScope;
using Pred = std::variant<bool, Output>;

// Python's TypeError for required arguments neither passed nor scoped.
void RequireArguments(
    absl::string_view function,
    std::initializer_list<std::pair<const char*, bool>> arguments) {
  std::vector<std::string> missing;
  for (const auto& [name, present] : arguments) {
    if (!present) missing.push_back(absl::StrCat("'", name, "'"));
  }
  if (missing.empty()) return;
  if (missing.size() == 1) {
    ThrowTypeError(absl::StrCat(
        function, "() missing 1 required positional argument: ", missing[0]));
  }
  ThrowTypeError(absl::StrCat(function, "() missing ", missing.size(),
                              " required positional arguments: ", missing[0],
                              " and ", missing[1]));
}

// TF's model_variable collections: the given ones (GLOBAL_VARIABLES when
// none) plus GLOBAL_VARIABLES and MODEL_VARIABLES, each once.
std::vector<std::string> ModelCollections(
    const std::optional<std::vector<std::string>>& given) {
  std::vector<std::string> all =
      given.value_or(std::vector<std::string>{GraphKeys::GLOBAL_VARIABLES});
  all.push_back(GraphKeys::GLOBAL_VARIABLES);
  all.push_back(GraphKeys::MODEL_VARIABLES);
  std::vector<std::string> unique;
  for (std::string& c : all) {
    if (std::find(unique.begin(), unique.end(), c) == unique.end()) {
      unique.push_back(std::move(c));
    }
  }
  return unique;
}

// TF's _model_variable_getter: renames the last name component per
// `rename` (kernel -> weights), makes the variable a model variable and
// hands on to the next getter (the user's, then get_variable's).
CustomGetter ModelVariableGetter(
    std::vector<std::pair<std::string, std::string>> rename = {}) {
  return [rename](const Getter& getter, const GetVariableArgs& args) {
    GetVariableArgs renamed = args;
    const size_t slash = args.name.rfind('/');
    const size_t start = slash == std::string::npos ? 0 : slash + 1;
    const std::string short_name = args.name.substr(start);
    for (const auto& [from, to] : rename) {
      if (short_name == from) renamed.name = args.name.substr(0, start) + to;
    }
    renamed.collections = ModelCollections(args.collections);
    return getter(renamed);
  };
}

// contrib.framework.model_variable through get_variable.
Variable ModelVariable(absl::string_view name, GetVariableOptions options) {
  options.collections = ModelCollections(options.collections);
  return get_variable(name, options);
}

// TF's _add_variable_to_collections: each collection once.
void AddVariableToCollections(const Variable& variable,
                              const std::vector<std::string>& collections) {
  for (const std::string& key : collections) {
    std::vector<CollectionItem>& items = get_collection_ref(key);
    if (std::find(items.begin(), items.end(), CollectionItem(variable)) ==
        items.end()) {
      items.push_back(variable);
    }
  }
}

// variable_scope(scope, default_name, reuse=reuse, custom_getter=getter).
void EnterVariableScope(std::optional<variable_scope>& sc,
                        const Arg<std::string>& scope, const char* default_name,
                        Reuse reuse, CustomGetter getter) {
  VariableScopeOptions options{.custom_getter = std::move(getter),
                               .reuse = reuse};
  if (scope.is_set() && !scope->empty()) {
    sc.emplace(*scope, options);
  } else {
    options.default_name = default_name;
    sc.emplace(nullptr, options);
  }
}

std::optional<std::string> NameOrNone(const Arg<std::string>& scope) {
  if (!scope.is_set() || scope->empty()) return std::nullopt;
  return *scope;
}

std::string PythonRank(const Shape& shape) {
  return shape.has_rank() ? absl::StrCat(shape.rank()) : "None";
}

void CheckNchwOrNhwc(const std::string& data_format) {
  if (data_format != "NCHW" && data_format != "NHWC") {
    ThrowValueError("data_format has to be either NCHW or NHWC.");
  }
}

bool IsFalse(const Pred& pred) {
  const bool* b = std::get_if<bool>(&pred);
  return b != nullptr && !*b;
}

// moving_averages.assign_moving_average without zero debiasing:
// variable -= (variable - value) * (1 - decay), op "AssignMovingAvg".
Output AssignMovingAverage(const Variable& variable, Output value,
                           float decay) {
  name_scope scope(std::nullopt, "AssignMovingAvg");
  // TF subtracts in double, then converts to the variable's float.
  const float one_minus_decay =
      static_cast<float>(1.0 - static_cast<double>(decay));
  Output delta = multiply(subtract(variable, value, "sub"),
                          constant(one_minus_decay, "decay"), "mul");
  return variable.assign_sub(delta, scope.name());
}

VariableInitializer Lookup(
    const std::map<std::string, VariableInitializer>& initializers,
    const std::string& key, VariableInitializer fallback) {
  auto it = initializers.find(key);
  return it == initializers.end() ? fallback : it->second;
}

Regularizer Lookup(const std::map<std::string, Regularizer>& regularizers,
                   const std::string& key) {
  auto it = regularizers.find(key);
  return it == regularizers.end() ? Regularizer() : it->second;
}

Output ApplyActivationAndCollect(Output outputs, const Activation& activation,
                                 const Arg<CollectionNames>& collections,
                                 const std::string& alias) {
  if (activation) outputs = activation(outputs);
  return utils::collect_named_outputs(collections.value_or({}), alias, outputs);
}

// TF's _fused_batch_norm: rank 2 (reshaped to 4) or 4, on FusedBatchNorm.
Output FusedBatchNorm(Output inputs, const BatchNormOptions& o,
                      const std::string& data_format,
                      const CollectionNames& updates, const Pred& training) {
  std::optional<variable_scope> sc;
  EnterVariableScope(sc, o.scope, "BatchNorm", o.reuse.value_or(Reuse()), {});
  const bool nchw = data_format == "NCHW";
  const Output original = inputs;
  const Shape original_shape = inputs.shape();
  if (original_shape.rank() == 2) {
    const int64_t channels = original_shape.dim(1);
    if (channels < 0)
      ThrowValueError("`C` dimension must be known but is None");
    inputs = reshape(inputs, nchw ? std::vector<int64_t>{-1, channels, 1, 1}
                                  : std::vector<int64_t>{-1, 1, 1, channels});
  }
  const int64_t channels = inputs.shape().dim(nchw ? 1 : 3);
  if (channels < 0) {
    ThrowValueError(absl::StrCat("Inputs ", inputs.name(),
                                 " has undefined `C` dimension (?,)."));
  }
  const Shape params_shape{channels};
  const auto initializers = o.param_initializers.value_or({});
  const auto regularizers = o.param_regularizers.value_or({});
  const VariablesCollections collections = o.variables_collections.value_or({});
  const bool trainable = o.trainable.value_or(true);
  // Float32 parameters, as TF keeps them for any input type.
  auto model_variable = [&](const std::string& name,
                            VariableInitializer fallback,
                            Regularizer regularizer, bool is_trainable) {
    return ModelVariable(
        name, {.shape = params_shape,
               .dtype = DataType::kFloat,
               .initializer = Lookup(initializers, name, std::move(fallback)),
               .regularizer = std::move(regularizer),
               .trainable = is_trainable,
               .collections = collections.get(name)});
  };
  Output beta, gamma;
  if (o.center.value_or(true)) {
    beta = model_variable("beta", zeros_initializer(),
                          Lookup(regularizers, "beta"), trainable);
  } else {
    beta = zeros(params_shape);
  }
  if (o.scale.value_or(false)) {
    gamma = model_variable("gamma", ones_initializer(),
                           Lookup(regularizers, "gamma"), trainable);
  } else {
    gamma = ones(params_shape);
  }
  const Variable moving_mean =
      model_variable("moving_mean", zeros_initializer(), {}, false);
  const Variable moving_variance =
      model_variable("moving_variance", ones_initializer(), {}, false);
  const float epsilon = o.epsilon.value_or(0.001f);
  std::vector<Output> results = tfl::SmartCond(
      training,
      [&] {
        auto r = nn::fused_batch_norm(
            inputs, gamma, beta,
            {.epsilon = epsilon, .data_format = data_format});
        return std::vector<Output>{r.y, r.batch_mean, r.batch_variance};
      },
      [&] {
        auto r = nn::fused_batch_norm(inputs, gamma, beta,
                                      {.mean = moving_mean.value(),
                                       .variance = moving_variance.value(),
                                       .epsilon = epsilon,
                                       .data_format = data_format,
                                       .is_training = false});
        return std::vector<Output>{r.y, r.batch_mean, r.batch_variance};
      });
  Output outputs = results[0];
  if (!IsFalse(training)) {
    const float decay = o.decay.value_or(0.999f);
    if (updates.empty()) {
      outputs = tfl::SmartCond(
          training,
          [&] {
            Output update_mean =
                AssignMovingAverage(moving_mean, results[1], decay);
            Output update_variance =
                AssignMovingAverage(moving_variance, results[2], decay);
            control_dependencies deps({update_mean, update_variance});
            return identity(outputs);
          },
          [&] { return outputs; });
    } else {
      std::vector<Output> update = tfl::SmartCond(
          training,
          [&] {
            return std::vector<Output>{
                AssignMovingAverage(moving_mean, results[1], decay),
                AssignMovingAverage(moving_variance, results[2], decay)};
          },
          [&] {
            return std::vector<Output>{moving_mean.value(),
                                       moving_variance.value()};
          });
      add_to_collections(updates.names(), update[0]);
      add_to_collections(updates.names(), update[1]);
    }
  }
  if (original_shape.rank() == 2) {
    outputs =
        tfl::ReshapeLeading(outputs, original,
                            std::vector<int64_t>(original_shape.dims().begin(),
                                                 original_shape.dims().end()));
  }
  return ApplyActivationAndCollect(outputs,
                                   o.activation_fn.value_or(Activation()),
                                   o.outputs_collections, sc->scope().name());
}

// The core-layer path: tf.layers.BatchNormalization, whose updates go to
// UPDATE_OPS.
Output CoreBatchNorm(Output inputs, const BatchNormOptions& o,
                     const std::string& data_format, const Training& training,
                     const VariableScope& sc) {
  const auto initializers = o.param_initializers.value_or({});
  const auto regularizers = o.param_regularizers.value_or({});
  const bool fused = o.fused.value_or(true);
  tfl::BatchNormalization layer(
      {.axis = data_format == "NCHW" ? 1 : -1,
       .momentum = o.decay.value_or(0.999f),
       .epsilon = o.epsilon.value_or(0.001f),
       .center = o.center.value_or(true),
       .scale = o.scale.value_or(false),
       .beta_initializer = Lookup(initializers, "beta", zeros_initializer()),
       .gamma_initializer = Lookup(initializers, "gamma", ones_initializer()),
       .moving_mean_initializer =
           Lookup(initializers, "moving_mean", zeros_initializer()),
       .moving_variance_initializer =
           Lookup(initializers, "moving_variance", ones_initializer()),
       .beta_regularizer = Lookup(regularizers, "beta"),
       .gamma_regularizer = Lookup(regularizers, "gamma"),
       // fused=True in keras falls back to the composite ops where the
       // fused op cannot serve; nullopt asks for exactly that.
       .fused = fused ? std::nullopt : std::optional<bool>(false),
       .trainable = o.trainable.value_or(true),
       .name = sc.name(),
       .reuse = o.reuse.value_or(Reuse())},
      sc);
  Output outputs = layer.apply(inputs, training);
  const VariablesCollections collections = o.variables_collections.value_or({});
  AddVariableToCollections(layer.moving_mean(), collections.get("moving_mean"));
  AddVariableToCollections(layer.moving_variance(),
                           collections.get("moving_variance"));
  if (!layer.beta().is_null()) {
    AddVariableToCollections(layer.beta(), collections.get("beta"));
  }
  if (!layer.gamma().is_null()) {
    AddVariableToCollections(layer.gamma(), collections.get("gamma"));
  }
  return ApplyActivationAndCollect(outputs,
                                   o.activation_fn.value_or(Activation()),
                                   o.outputs_collections, sc.name());
}

// The legacy path (custom or None updates_collections without the fused
// op): nn.moments and nn.batch_normalization.
Output LegacyBatchNorm(Output inputs, const BatchNormOptions& o,
                       const std::string& data_format,
                       const CollectionNames& updates, const Pred& training,
                       const VariableScope& sc) {
  const Shape& shape = inputs.shape();
  if (!shape.has_rank()) {
    ThrowValueError(
        absl::StrCat("Inputs ", inputs.name(), " has undefined rank."));
  }
  const int rank = shape.rank();
  const bool nchw = data_format == "NCHW";
  const int channel_axis = nchw ? 1 : rank - 1;
  const int64_t channels =
      channel_axis >= 0 && channel_axis < rank ? shape.dim(channel_axis) : -1;
  if (channels < 0) {
    ThrowValueError(absl::StrCat("Inputs ", inputs.name(),
                                 " has undefined channels dimension (?,)."));
  }
  std::vector<int64_t> moments_axes;
  for (int i = 0; i < rank; ++i) {
    if (i != channel_axis) moments_axes.push_back(i);
  }
  const Shape params_shape{channels};
  const DataType dtype = inputs.dtype();
  const auto initializers = o.param_initializers.value_or({});
  const auto regularizers = o.param_regularizers.value_or({});
  const VariablesCollections collections = o.variables_collections.value_or({});
  const bool trainable = o.trainable.value_or(true);
  auto model_variable = [&](const std::string& name,
                            VariableInitializer fallback,
                            Regularizer regularizer, bool is_trainable) {
    return ModelVariable(
        name, {.shape = params_shape,
               .dtype = dtype,
               .initializer = Lookup(initializers, name, std::move(fallback)),
               .regularizer = std::move(regularizer),
               .trainable = is_trainable,
               .collections = collections.get(name)});
  };
  Output beta, gamma;
  if (o.center.value_or(true)) {
    beta = model_variable("beta", zeros_initializer(),
                          Lookup(regularizers, "beta"), trainable);
  }
  if (o.scale.value_or(false)) {
    gamma = model_variable("gamma", ones_initializer(),
                           Lookup(regularizers, "gamma"), trainable);
  }
  const Variable moving_mean =
      model_variable("moving_mean", zeros_initializer(), {}, false);
  const Variable moving_variance =
      model_variable("moving_variance", ones_initializer(), {}, false);

  Output mean = moving_mean.value();
  Output variance = moving_variance.value();
  if (!IsFalse(training)) {
    const nn::Moments m = nn::moments(inputs, moments_axes, /*keep_dims=*/nchw);
    const Output batch_mean = nchw ? reshape(m.mean, {-1}) : m.mean;
    const Output batch_variance = nchw ? reshape(m.variance, {-1}) : m.variance;
    const float decay = o.decay.value_or(0.999f);
    auto moving_values = [&] {
      return std::vector<Output>{moving_mean.value(), moving_variance.value()};
    };
    std::vector<Output> statistics;
    if (updates.empty()) {
      statistics = tfl::SmartCond(
          training,
          [&] {
            Output update_mean =
                AssignMovingAverage(moving_mean, batch_mean, decay);
            Output update_variance =
                AssignMovingAverage(moving_variance, batch_variance, decay);
            control_dependencies deps({update_mean, update_variance});
            return std::vector<Output>{identity(batch_mean),
                                       identity(batch_variance)};
          },
          moving_values);
    } else {
      std::vector<Output> update = tfl::SmartCond(
          training,
          [&] {
            return std::vector<Output>{
                AssignMovingAverage(moving_mean, batch_mean, decay),
                AssignMovingAverage(moving_variance, batch_variance, decay)};
          },
          moving_values);
      add_to_collections(updates.names(), update[0]);
      add_to_collections(updates.names(), update[1]);
      statistics = tfl::SmartCond(
          training,
          [&] {
            return std::vector<Output>{batch_mean, batch_variance};
          },
          moving_values);
    }
    mean = statistics[0];
    variance = statistics[1];
  }
  if (nchw) {
    std::vector<int64_t> broadcast(rank, 1);
    broadcast[1] = channels;
    mean = reshape(mean, broadcast);
    variance = reshape(variance, broadcast);
    if (!beta.is_null()) beta = reshape(beta, broadcast);
    if (!gamma.is_null()) gamma = reshape(gamma, broadcast);
  }
  Output outputs = nn::batch_normalization(inputs, mean, variance, beta, gamma,
                                           o.epsilon.value_or(0.001f));
  return ApplyActivationAndCollect(outputs,
                                   o.activation_fn.value_or(Activation()),
                                   o.outputs_collections, sc.name());
}

// TF's convolution body, after the arguments are merged.
Output Convolution(Output inputs, const ConvolutionOptions& o,
                   std::optional<int64_t> conv_dims,
                   absl::string_view function) {
  RequireArguments(function, {{"num_outputs", o.num_outputs.is_set()},
                              {"kernel_size", o.kernel_size.is_set()}});
  const std::string data_format = o.data_format.value_or("");
  static constexpr const char* kFormats[] = {"",     "NWC",   "NCW",  "NHWC",
                                             "NCHW", "NDHWC", "NCDHW"};
  if (std::find(std::begin(kFormats), std::end(kFormats), data_format) ==
      std::end(kFormats)) {
    ThrowValueError(absl::StrCat("Invalid data_format: '", data_format, "'"));
  }
  const Reuse reuse = o.reuse.value_or(Reuse());
  std::optional<variable_scope> sc;
  EnterVariableScope(
      sc, o.scope, "Conv", reuse,
      ModelVariableGetter({{"bias", "biases"}, {"kernel", "weights"}}));
  const VariableScope scope = sc->scope();
  const Shape& shape = inputs.shape();
  if (conv_dims && (!shape.has_rank() || *conv_dims + 2 != shape.rank())) {
    ThrowValueError(absl::StrCat("Convolution expects input with rank ",
                                 *conv_dims + 2, ", got ", PythonRank(shape)));
  }
  if (!shape.has_rank() || shape.rank() < 3 || shape.rank() > 5) {
    ThrowValueError(
        absl::StrCat("('Convolution not supported for input with rank', ",
                     PythonRank(shape), ")"));
  }
  static constexpr const char* kClassNames[] = {"Conv1D", "Conv2D", "Conv3D"};
  const int rank = shape.rank() - 2;
  const bool normalize =
      o.normalizer_fn.is_set() && static_cast<bool>(*o.normalizer_fn);
  const VariableInitializer biases_initializer =
      o.biases_initializer.value_or(zeros_initializer());
  tfl::Conv layer(
      rank, kClassNames[rank - 1],
      {.filters = *o.num_outputs,
       .kernel_size = *o.kernel_size,
       .strides = o.stride.value_or(1),
       .padding = o.padding.value_or("SAME"),
       .data_format = absl::StartsWith(data_format, "NC") ? "channels_first"
                                                          : "channels_last",
       .dilation_rate = o.rate.value_or(1),
       .use_bias = !normalize && !biases_initializer.is_none(),
       .kernel_initializer =
           o.weights_initializer.value_or(xavier_initializer()),
       .bias_initializer = biases_initializer,
       .kernel_regularizer = o.weights_regularizer.value_or(Regularizer()),
       .bias_regularizer = o.biases_regularizer.value_or(Regularizer()),
       .trainable = o.trainable.value_or(true),
       .name = scope.name(),
       .reuse = reuse},
      scope);
  Output outputs = layer.apply(inputs);
  const VariablesCollections collections = o.variables_collections.value_or({});
  AddVariableToCollections(layer.kernel(), collections.get("weights"));
  if (layer.use_bias()) {
    AddVariableToCollections(layer.bias(), collections.get("biases"));
  }
  if (normalize) {
    outputs = (*o.normalizer_fn)(outputs, o.normalizer_params.value_or({}));
  }
  return ApplyActivationAndCollect(
      outputs, o.activation_fn.value_or(Activation(nn::relu)),
      o.outputs_collections, scope.name());
}

Output ConvolutionNd(Output inputs, const ConvolutionOptions& o,
                     int64_t conv_dims, absl::string_view function) {
  if (o.conv_dims.is_set()) {
    framework::internal::ThrowUnexpectedArgument(function, "conv_dims");
  }
  return Convolution(inputs, o, conv_dims, function);
}

Output Pool2D(Output inputs, const Pool2DOptions& o, bool max,
              absl::string_view function) {
  RequireArguments(function, {{"kernel_size", o.kernel_size.is_set()}});
  const std::string data_format = o.data_format.value_or("NHWC");
  CheckNchwOrNhwc(data_format);
  name_scope sc(NameOrNone(o.scope), max ? "MaxPool2D" : "AvgPool2D");
  // tf.layers' argument checks and messages.
  const std::vector<int64_t> pool_size =
      tfl::NormalizeTuple(*o.kernel_size, 2, "pool_size");
  const std::vector<int64_t> strides =
      tfl::NormalizeTuple(o.stride.value_or(2), 2, "strides");
  const std::string padding =
      absl::AsciiStrToUpper(tfl::NormalizePadding(o.padding.value_or("VALID")));
  Output outputs = nn::pool(inputs, pool_size, max ? "MAX" : "AVG",
                            {.padding = padding,
                             .strides = strides,
                             .name = max ? "MaxPool" : "AvgPool",
                             .data_format = data_format});
  return utils::collect_named_outputs(o.outputs_collections.value_or({}),
                                      sc.name(), outputs);
}

}  // namespace

Output batch_norm(Output inputs, const BatchNormOptions& options) {
  const BatchNormOptions o = WithArgScope(batch_norm, "batch_norm", options);
  const std::string data_format = o.data_format.value_or("NHWC");
  const CollectionNames updates =
      o.updates_collections.value_or(CollectionNames(GraphKeys::UPDATE_OPS));
  const bool default_updates =
      updates == CollectionNames(GraphKeys::UPDATE_OPS);
  const Pred training = o.is_training.value_or(true).value_or(true);
  const Shape& shape = inputs.shape();
  const bool fusable_rank =
      shape.has_rank() && (shape.rank() == 2 || shape.rank() == 4);
  CheckNchwOrNhwc(data_format);
  // TF's choice: the fused function for rank 2, or for rank 4 with
  // updates the core layer does not do (a custom collection or None).
  if (o.fused.value_or(true) && fusable_rank &&
      (shape.rank() == 2 || !default_updates)) {
    return FusedBatchNorm(inputs, o, data_format, updates, training);
  }
  std::optional<variable_scope> sc;
  EnterVariableScope(sc, o.scope, "BatchNorm", o.reuse.value_or(Reuse()),
                     ModelVariableGetter());
  if (default_updates) {
    return CoreBatchNorm(inputs, o, data_format, o.is_training.value_or(true),
                         sc->scope());
  }
  return LegacyBatchNorm(inputs, o, data_format, updates, training,
                         sc->scope());
}

Output convolution(Output inputs, const ConvolutionOptions& options) {
  const ConvolutionOptions o =
      WithArgScope(convolution, "convolution", options);
  return Convolution(inputs, o,
                     o.conv_dims.is_set() ? std::optional<int64_t>(*o.conv_dims)
                                          : std::nullopt,
                     "convolution");
}

Output convolution1d(Output inputs, const ConvolutionOptions& options) {
  return ConvolutionNd(inputs,
                       WithArgScope(convolution1d, "convolution1d", options), 1,
                       "convolution1d");
}

Output convolution2d(Output inputs, const ConvolutionOptions& options) {
  return ConvolutionNd(inputs,
                       WithArgScope(convolution2d, "convolution2d", options), 2,
                       "convolution2d");
}

Output convolution3d(Output inputs, const ConvolutionOptions& options) {
  return ConvolutionNd(inputs,
                       WithArgScope(convolution3d, "convolution3d", options), 3,
                       "convolution3d");
}

Output fully_connected(Output inputs, const FullyConnectedOptions& options) {
  const FullyConnectedOptions o =
      WithArgScope(fully_connected, "fully_connected", options);
  RequireArguments("fully_connected",
                   {{"num_outputs", o.num_outputs.is_set()}});
  const Reuse reuse = o.reuse.value_or(Reuse());
  std::optional<variable_scope> sc;
  EnterVariableScope(
      sc, o.scope, "fully_connected", reuse,
      ModelVariableGetter({{"bias", "biases"}, {"kernel", "weights"}}));
  const VariableScope scope = sc->scope();
  const bool normalize =
      o.normalizer_fn.is_set() && static_cast<bool>(*o.normalizer_fn);
  const VariableInitializer biases_initializer =
      o.biases_initializer.value_or(zeros_initializer());
  tfl::Dense layer(
      {.units = *o.num_outputs,
       .use_bias = !normalize && !biases_initializer.is_none(),
       .kernel_initializer =
           o.weights_initializer.value_or(xavier_initializer()),
       .bias_initializer = biases_initializer,
       .kernel_regularizer = o.weights_regularizer.value_or(Regularizer()),
       .bias_regularizer = o.biases_regularizer.value_or(Regularizer()),
       .trainable = o.trainable.value_or(true),
       .name = scope.name(),
       .reuse = reuse},
      scope);
  Output outputs = layer.apply(inputs);
  const VariablesCollections collections = o.variables_collections.value_or({});
  AddVariableToCollections(layer.kernel(), collections.get("weights"));
  if (layer.use_bias()) {
    AddVariableToCollections(layer.bias(), collections.get("biases"));
  }
  if (normalize) {
    outputs = (*o.normalizer_fn)(outputs, o.normalizer_params.value_or({}));
  }
  return ApplyActivationAndCollect(
      outputs, o.activation_fn.value_or(Activation(nn::relu)),
      o.outputs_collections, scope.name());
}

Output flatten(Output inputs, const FlattenOptions& options) {
  const FlattenOptions o = WithArgScope(flatten, "flatten", options);
  name_scope sc(NameOrNone(o.scope), "Flatten");
  Output outputs = tfl::flatten(inputs);
  return utils::collect_named_outputs(o.outputs_collections.value_or({}),
                                      sc.name(), outputs);
}

Output max_pool2d(Output inputs, const Pool2DOptions& options) {
  return Pool2D(inputs, WithArgScope(max_pool2d, "max_pool2d", options),
                /*max=*/true, "max_pool2d");
}

Output avg_pool2d(Output inputs, const Pool2DOptions& options) {
  return Pool2D(inputs, WithArgScope(avg_pool2d, "avg_pool2d", options),
                /*max=*/false, "avg_pool2d");
}

Output dropout(Output inputs, const DropoutOptions& options) {
  const DropoutOptions o = WithArgScope(dropout, "dropout", options);
  std::optional<variable_scope> sc;
  EnterVariableScope(sc, o.scope, "Dropout", Reuse(), ModelVariableGetter());
  // tf.layers.Dropout(rate=1 - keep_prob).
  const nn::FloatOrTensor keep_prob = o.keep_prob.value_or(0.5f);
  const nn::FloatOrTensor rate =
      keep_prob.is_tensor()
          ? nn::FloatOrTensor(subtract(constant(1.0f), keep_prob.tensor()))
          : nn::FloatOrTensor(static_cast<float>(
                1.0 - static_cast<double>(keep_prob.value())));
  const std::optional<Shape> noise_shape =
      o.noise_shape.is_set() ? std::optional<Shape>(*o.noise_shape)
                             : std::nullopt;
  const std::optional<int64_t> seed =
      o.seed.is_set() ? std::optional<int64_t>(*o.seed) : std::nullopt;
  Output outputs = tfl::SmartCond(
      o.is_training.value_or(true).value_or(true),
      [&] {
        return nn::dropout(
            inputs, {.noise_shape = noise_shape, .seed = seed, .rate = rate});
      },
      [&] { return identity(inputs); });
  return utils::collect_named_outputs(o.outputs_collections.value_or({}),
                                      sc->scope().name(), outputs);
}

}  // namespace minitf::contrib::layers
