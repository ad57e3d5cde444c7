// The tf.layers Layer base: a port of TF 1.15's
// tensorflow/python/layers/base_test.py (BaseLayerTest, DTypeTest) and the
// naming cases of TF1_SEMANTICS.md section 2.2 / 2.3 (cases 3, 26, 28) and
// the input-spec messages of section 2.5.
//
// Not ported, and why:
//  - eager mode, tf.function, keras-style layers (testKerasStyleAddWeight's
//    keras half, testVariablesAreLiftedFromFunctionBuildingGraphs): graph
//    mode and legacy layers only.
//  - testDictInputOutput: a layer maps one tensor to one tensor.
//  - testReusePartitionedVaraiblesAndRegularizers: no partitioned variables.
//  - testActivityRegularizer: in training_flag_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "minitf/layers/layer.h"
#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"

namespace minitf {
namespace {

using layers::InputSpec;
using layers::LayerArgs;
using test::ExpectError;
using test::Keys;
using test::Names;
using ::testing::HasSubstr;

// A tf.layers.Layer subclass made of callables, as TF's tests define small
// Layer subclasses overriding build() and call().
class TestLayer : public layers::Layer {
 public:
  using BuildFn = std::function<void(TestLayer&, const Shape&)>;
  using CallFn = std::function<Output(TestLayer&, Output)>;

  TestLayer(absl::string_view class_name, const LayerArgs& args, CallFn call,
            BuildFn build = nullptr)
      : Layer(class_name, args),
        call_(std::move(call)),
        build_(std::move(build)) {}

 protected:
  void Build(const Shape& input_shape) override {
    if (build_) build_(*this, input_shape);
  }
  Output Call(Output inputs, const layers::Training&) override {
    return call_(*this, inputs);
  }

 private:
  CallFn call_;
  BuildFn build_;
};

Output Same(TestLayer&, Output x) { return x; }
Output Squared(TestLayer&, Output x) { return square(x); }

class BaseLayerTest : public test::GraphTest {};

TEST_F(BaseLayerTest, LayerProperties) {
  TestLayer layer("Layer", {.name = "my_layer"}, Same);
  EXPECT_TRUE(layer.variables().empty());
  EXPECT_TRUE(layer.trainable_variables().empty());
  EXPECT_TRUE(layer.non_trainable_variables().empty());
  EXPECT_TRUE(layer.updates().empty());
  EXPECT_TRUE(layer.losses().empty());
  EXPECT_FALSE(layer.built());
  EXPECT_TRUE(layer.trainable());
  EXPECT_EQ(layer.name(), "my_layer");
  EXPECT_EQ(layer.graph(), nullptr);
  ExpectError([&] { (void)layer.scope_name(); }, "ValueError",
              "No name available for layer scope because the layer "
              "\"my_layer\" has not been used yet. The scope name  is "
              "determined the first time the layer instance is called. You "
              "must therefore call the layer before querying `scope_name`.");

  TestLayer frozen("Layer", {.trainable = false, .name = "my_layer"}, Same);
  EXPECT_FALSE(frozen.trainable());
}

TEST_F(BaseLayerTest, Int64LayerKeepsItsName) {
  TestLayer layer("Layer", {.name = "my_layer", .dtype = int64}, Same);
  EXPECT_EQ(layer.name(), "my_layer");
  EXPECT_EQ(layer.dtype(), int64);
}

TEST_F(BaseLayerTest, AddWeight) {
  TestLayer layer("Layer", {.name = "my_layer"}, Same);
  Variable variable = layer.add_variable(
      "my_var", {.shape = {2, 2}, .initializer = zeros_initializer()});
  EXPECT_EQ(variable.name(), "my_layer/my_var:0");
  EXPECT_EQ(Names(layer.variables()), Keys{"my_layer/my_var:0"});
  EXPECT_EQ(Names(layer.trainable_variables()), Keys{"my_layer/my_var:0"});
  EXPECT_TRUE(layer.non_trainable_variables().empty());
  EXPECT_EQ(Names(get_collection(GraphKeys::TRAINABLE_VARIABLES)),
            Names(layer.variables()));

  // add_variable works outside build and call.
  Variable variable_2 = layer.add_variable("non_trainable_var",
                                           {.shape = {2, 2},
                                            .initializer = zeros_initializer(),
                                            .trainable = false});
  EXPECT_EQ(Names(layer.variables()),
            (Keys{"my_layer/my_var:0", "my_layer/non_trainable_var:0"}));
  EXPECT_EQ(Names(layer.trainable_variables()), Keys{"my_layer/my_var:0"});
  EXPECT_EQ(Names(layer.non_trainable_variables()),
            Keys{"my_layer/non_trainable_var:0"});
  EXPECT_EQ(get_collection(GraphKeys::TRAINABLE_VARIABLES).size(), 1u);
  EXPECT_EQ(Names(get_collection(GraphKeys::GLOBAL_VARIABLES)),
            (Keys{"my_layer/my_var:0", "my_layer/non_trainable_var:0"}));

  auto regularizer = [](Output x) { return reduce_sum(x) * constant(1e-3f); };
  layer.add_variable("reg_var", {.shape = {2, 2},
                                 .initializer = zeros_initializer(),
                                 .regularizer = regularizer});
  ASSERT_EQ(layer.losses().size(), 1u);
  EXPECT_TRUE(absl::StartsWith(layer.losses()[0].name(),
                               "my_layer/reg_var/Regularizer/"))
      << layer.losses()[0].name();
  EXPECT_EQ(Names(get_collection(GraphKeys::REGULARIZATION_LOSSES)),
            Keys{layer.losses()[0].name()});

  // An ON_READ variable is non-trainable by default.
  Variable on_read = layer.add_weight(
      "on_read",
      {.shape = {2}, .synchronization = VariableSynchronization::ON_READ});
  EXPECT_FALSE(on_read.trainable());
  EXPECT_EQ(Names(layer.non_trainable_variables()),
            (Keys{"my_layer/non_trainable_var:0", "my_layer/on_read:0"}));
}

TEST_F(BaseLayerTest, LegacyAddWeightIgnoresTheNameScope) {
  TestLayer layer("Layer", {.name = "my_layer"}, Same);
  name_scope foo("foo");
  Variable v = layer.add_variable("my_var", {.shape = {2, 2}});
  EXPECT_EQ(v.name(), "my_layer/my_var:0");
}

TEST_F(BaseLayerTest, InvalidTrainableSynchronizationCombination) {
  TestLayer layer("Layer", {.name = "my_layer"}, Same);
  ExpectError(
      [&] {
        layer.add_weight("v",
                         {.shape = {},
                          .trainable = true,
                          .synchronization = VariableSynchronization::ON_READ});
      },
      "ValueError",
      "Synchronization value can be set to VariableSynchronization.ON_READ "
      "only for non-trainable variables. You have specified trainable=True "
      "and synchronization=VariableSynchronization.ON_READ.");
}

TEST_F(BaseLayerTest, Call) {
  TestLayer layer("MyLayer", {.name = "my_layer"}, Squared);
  Output inputs = random_uniform({5}, {.seed = 1});
  Output outputs = layer.apply(inputs);
  EXPECT_TRUE(layer.built());
  EXPECT_EQ(outputs.op().name(), "my_layer/Square");
  EXPECT_EQ(layer.graph(), &graph_);
}

TEST_F(BaseLayerTest, DeepCopy) {
  TestLayer layer("MyLayer", {.name = "my_layer"}, Squared);
  Output outputs = layer.apply(random_uniform({5}, {.seed = 1}));
  EXPECT_EQ(outputs.op().name(), "my_layer/Square");
  TestLayer copy = layer;
  EXPECT_EQ(copy.name(), layer.name());
  EXPECT_EQ(copy.scope_name(), layer.scope_name());
  EXPECT_EQ(copy.graph(), layer.graph());
  EXPECT_TRUE(copy.built());
}

// testLayerGraphSetInFirstApply: the graph at construction is ignored;
// the first input's graph binds the layer.
TEST_F(BaseLayerTest, LayerGraphSetInFirstApply) {
  std::optional<layers::Dense> layer;
  {
    Graph construction;
    GraphGuard as_default(construction);
    layer.emplace(layers::DenseOptions{.units = 1});
  }
  Graph first;
  {
    GraphGuard as_default(first);
    layer->apply(constant<float>({1}, {1, 1}));
    EXPECT_EQ(layer->graph(), &first);
  }
  Graph second;
  GraphGuard as_default(second);
  ExpectError(
      [&] {
        layer->apply(constant<float>({1}, {1, 1}));
      },
      "ValueError",
      "Input graph and Layer graph are not the same: "
      "Tensor(\"Const:0\", shape=(1, 1), dtype=float32) is not from the "
      "passed-in graph.");
}

TEST_F(BaseLayerTest, CallReturningNoneIsAnError) {
  TestLayer layer("MyLayer", {.name = "my_layer"},
                  [](TestLayer&, Output) { return Output(); });
  ExpectError([&] { layer.apply(constant(1.0f)); }, "ValueError",
              "A layer's `call` method should return a Tensor or a list of "
              "Tensors, not None (layer: my_layer).");
}

// Section 2.3 case 3: unnamed layers are uniquified by class name, named
// ones by name; name scopes do not matter, variable scopes prefix.
TEST_F(BaseLayerTest, ScopeNaming) {
  Output inputs = random_uniform({5});
  auto make = [](const char* name = nullptr) {
    return TestLayer(
        "PrivateLayer",
        {.name = name ? layers::LayerName(name) : layers::LayerName()}, Same);
  };
  auto scope_after_apply = [&](TestLayer layer) {
    layer.apply(inputs);
    return layer.scope_name();
  };
  EXPECT_EQ(scope_after_apply(make()), "private_layer");
  EXPECT_EQ(scope_after_apply(make()), "private_layer_1");
  EXPECT_EQ(scope_after_apply(make("my_layer")), "my_layer");
  EXPECT_EQ(scope_after_apply(make("my_layer")), "my_layer_1");
  EXPECT_EQ(scope_after_apply(make("my_layer")), "my_layer_2");
  {
    name_scope ignored("some_name_scope");
    EXPECT_EQ(scope_after_apply(make()), "private_layer_2");
    EXPECT_EQ(scope_after_apply(make("my_layer")), "my_layer_3");
    EXPECT_EQ(scope_after_apply(make("other_layer")), "other_layer");
  }
  {
    variable_scope scope("var_scope");
    EXPECT_EQ(scope_after_apply(make()), "var_scope/private_layer");
    EXPECT_EQ(scope_after_apply(make("my_layer")), "var_scope/my_layer");
    EXPECT_EQ(scope_after_apply(make("my_layer")), "var_scope/my_layer_1");
  }
}

// The keras object name is 1-based and separate from the variable scope.
TEST_F(BaseLayerTest, ObjectNamesAreOneBasedPerGraph) {
  Output inputs = random_uniform({5});
  TestLayer first("PrivateLayer", {}, Same);
  TestLayer second("PrivateLayer", {}, Same);
  EXPECT_EQ(first.name(), "private_layer_1");
  EXPECT_EQ(second.name(), "private_layer_2");
  first.apply(inputs);
  EXPECT_EQ(first.scope_name(), "private_layer");
  {
    Graph other;
    GraphGuard as_default(other);
    EXPECT_EQ(TestLayer("PrivateLayer", {}, Same).name(), "private_layer_1");
  }
}

TEST_F(BaseLayerTest, SnakeCase) {
  EXPECT_EQ(layers::ToSnakeCase("Conv2D"), "conv2d");
  EXPECT_EQ(layers::ToSnakeCase("Conv2DTranspose"), "conv2d_transpose");
  EXPECT_EQ(layers::ToSnakeCase("PrivateLayer"), "private_layer");
  EXPECT_EQ(layers::ToSnakeCase("BatchNormalization"), "batch_normalization");
  EXPECT_EQ(layers::ToSnakeCase("MaxPooling2D"), "max_pooling2d");
  EXPECT_EQ(layers::ToSnakeCase("_Private"), "private__private");
}

// testNameScopeIsConsistentWithVariableScope (GitHub issue 13429).
TEST_F(BaseLayerTest, NameScopeIsConsistentWithVariableScope) {
  auto gen_layer = [](Output x, layers::LayerName name, std::string* var_name) {
    TestLayer layer(
        "MyLayer", {.name = std::move(name)},
        [](TestLayer& self, Output in) {
          return multiply(in, self.variables()[0], "my_op");
        },
        [](TestLayer& self, const Shape&) {
          self.add_variable("my_var", {.shape = {}, .dtype = float32});
        });
    Output out = layer.apply(x);
    *var_name = layer.variables()[0].name();
    return out;
  };
  struct Case {
    std::vector<std::optional<std::string>> names;
    Keys expected_scopes;
  };
  for (const Case& c :
       {Case{{std::nullopt, std::nullopt, std::nullopt},
             {"my_layer", "my_layer_1", "my_layer_2"}},
        Case{{"name", "name_1", "name_2"}, {"name", "name_1", "name_2"}},
        Case{{"name_1", "name_2", "name_3"}, {"name_1", "name_2", "name_3"}}}) {
    Graph graph;
    GraphGuard as_default(graph);
    Output op = placeholder(float32, Shape{}, "x");
    for (size_t i = 0; i < c.names.size(); ++i) {
      std::string var_name;
      op = gen_layer(
          op, c.names[i] ? layers::LayerName(*c.names[i]) : layers::LayerName(),
          &var_name);
      EXPECT_EQ(var_name, c.expected_scopes[i] + "/my_var:0");
      EXPECT_EQ(op.name(), c.expected_scopes[i] + "/my_op:0");
    }
  }
}

// The input-spec checks (section 2.5, testInputSpec*Check).
class InputSpecTest : public test::GraphTest {
 protected:
  TestLayer CustomerLayer(std::optional<InputSpec> spec) {
    TestLayer layer("CustomerLayer", {}, Same);
    layer.set_input_spec(std::move(spec));
    return layer;
  }
  static constexpr const char* kPrefix =
      "Input 0 of layer customer_layer_1 is incompatible with the layer: ";
};

TEST_F(InputSpecTest, NdimCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.ndim = 2});
  ExpectError([&] { layer.apply(placeholder(int32)); }, "ValueError",
              std::string(kPrefix) +
                  "its rank is undefined, but the layer requires a defined "
                  "rank.");
  TestLayer layer2 = CustomerLayer(InputSpec{.ndim = 2});
  ExpectError([&] { layer2.apply(constant<int32_t>({1}, {1})); }, "ValueError",
              "Input 0 of layer customer_layer_2 is incompatible with the "
              "layer: expected ndim=2, found ndim=1. Full shape received: [1]");
  TestLayer works = CustomerLayer(InputSpec{.ndim = 2});
  works.apply(constant<int32_t>({1, 2}, {2, 1}));
  EXPECT_TRUE(works.built());
}

TEST_F(InputSpecTest, MinNdimCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.min_ndim = 2});
  ExpectError([&] { layer.apply(placeholder(int32)); }, "ValueError",
              HasSubstr("requires a defined rank"));
  TestLayer layer2 = CustomerLayer(InputSpec{.min_ndim = 2});
  // TF's text doubles the separator here.
  ExpectError([&] { layer2.apply(constant<int32_t>({1}, {1})); }, "ValueError",
              "Input 0 of layer customer_layer_2 is incompatible with the "
              "layer: : expected min_ndim=2, found ndim=1. Full shape "
              "received: [1]");
  CustomerLayer(InputSpec{.min_ndim = 2})
      .apply(constant<int32_t>({1, 2}, {2, 1}));
  CustomerLayer(InputSpec{.min_ndim = 2})
      .apply(constant<int32_t>({1, 2}, {1, 2, 1}));
}

TEST_F(InputSpecTest, MaxNdimCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.max_ndim = 2});
  ExpectError([&] { layer.apply(placeholder(int32)); }, "ValueError",
              HasSubstr("requires a defined rank"));
  TestLayer layer2 = CustomerLayer(InputSpec{.max_ndim = 2});
  ExpectError(
      [&] {
        layer2.apply(constant<int32_t>({1, 2}, {1, 2, 1}));
      },
      "ValueError",
      "Input 0 of layer customer_layer_2 is incompatible with the layer: "
      "expected max_ndim=2, found ndim=3");
  CustomerLayer(InputSpec{.max_ndim = 2}).apply(constant<int32_t>({1}, {1}));
  CustomerLayer(InputSpec{.max_ndim = 2})
      .apply(constant<int32_t>({1, 2}, {2, 1}));
}

TEST_F(InputSpecTest, DtypeCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.dtype = float32});
  ExpectError([&] { layer.apply(constant<int32_t>(1)); }, "ValueError",
              std::string(kPrefix) +
                  "expected dtype=float32, found dtype=<dtype: 'int32'>");
  CustomerLayer(InputSpec{.dtype = float32}).apply(constant(1.0f));
}

TEST_F(InputSpecTest, AxesCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.axes = {{-1, 2}}});
  ExpectError(
      [&] {
        layer.apply(constant<int32_t>({1, 2, 3}, {3}));
      },
      "ValueError",
      std::string(kPrefix) +
          "expected axis -1 of input shape to have value 2 but "
          "received input with shape [3]");
  CustomerLayer(InputSpec{.axes = {{-1, 2}}})
      .apply(constant<int32_t>({1, 2}, {2}));
  CustomerLayer(InputSpec{.axes = {{-1, 2}}})
      .apply(constant<int32_t>({1, 2, 3, 4, 5, 6}, {3, 2}));
}

TEST_F(InputSpecTest, ShapeCheck) {
  TestLayer layer = CustomerLayer(InputSpec{.shape = Shape{-1, 3}});
  ExpectError(
      [&] {
        layer.apply(constant<int32_t>({1, 2}, {1, 2}));
      },
      "ValueError",
      "Input 0 is incompatible with layer customer_layer_1: expected "
      "shape=(None, 3), found shape=[1, 2]");
  CustomerLayer(InputSpec{.shape = Shape{-1, 3}})
      .apply(constant<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}));
}

TEST_F(InputSpecTest, NoInputSpec) {
  TestLayer layer = CustomerLayer(std::nullopt);
  layer.apply(constant<int32_t>(1));
  layer.apply(placeholder(int32));
  layer.apply(placeholder(int32, {2, 3}));
  EXPECT_TRUE(layer.built());
}

TEST_F(BaseLayerTest, CountParams) {
  layers::Dense dense({.units = 16});
  dense.build(Shape{-1, 4});
  EXPECT_EQ(dense.count_params(), 16 * 4 + 16);

  layers::Dense unbuilt({.units = 16});
  ExpectError([&] { (void)unbuilt.count_params(); }, "ValueError",
              "You tried to call `count_params` on dense_2, but the layer "
              "isn't built. You can build it manually via: "
              "`dense_2.build(batch_input_shape)`.");
}

// testGetUpdateFor: an update added with `inputs` is conditional on them
// and on everything upstream of them; one added in build is unconditional.
TEST_F(BaseLayerTest, GetUpdateFor) {
  TestLayer layer(
      "MyLayer", {},
      [](TestLayer& self, Output in) {
        Variable a = self.variables()[0];
        self.add_update(a.assign_add(in, "a_update"), in);
        return in + constant(1.0f);
      },
      [](TestLayer& self, const Shape&) {
        Variable a = self.add_variable(
            "a", {.shape = {}, .dtype = float32, .trainable = false});
        self.add_variable("b",
                          {.shape = {}, .dtype = float32, .trainable = false});
        self.add_update(a.assign_add(constant(1.0f), "b_update"));
      });
  for (size_t call = 1; call <= 2; ++call) {
    Output inputs = placeholder(float32, Shape{}, "inputs");
    Output intermediate_inputs = inputs + constant(1.0f);
    Output outputs = layer.apply(intermediate_inputs);
    EXPECT_EQ(layer.updates().size(), 1 + call);
    EXPECT_EQ(layer.get_updates_for(std::nullopt).size(), 1u);
    EXPECT_EQ(layer.get_updates_for(inputs).size(), 1u);
    EXPECT_EQ(layer.get_updates_for(intermediate_inputs).size(), 1u);
    EXPECT_EQ(layer.get_updates_for(outputs).size(), 0u);
  }
  // Every update lands in UPDATE_OPS once.
  EXPECT_EQ(get_collection(GraphKeys::UPDATE_OPS).size(), 3u);
}

TEST_F(BaseLayerTest, GetLossesFor) {
  TestLayer layer(
      "MyLayer", {},
      [](TestLayer& self, Output in) {
        self.add_loss(in, in);
        return in + constant(1.0f);
      },
      [](TestLayer& self, const Shape&) {
        Variable a = self.add_variable(
            "a", {.shape = {}, .dtype = float32, .trainable = false});
        self.add_variable("b",
                          {.shape = {}, .dtype = float32, .trainable = false});
        self.add_loss(a);
      });
  for (size_t call = 1; call <= 2; ++call) {
    Output inputs = placeholder(float32, Shape{}, "inputs");
    Output intermediate_inputs = inputs + constant(1.0f);
    Output outputs = layer.apply(intermediate_inputs);
    EXPECT_EQ(layer.losses().size(), 1 + call);
    EXPECT_EQ(layer.get_losses_for(std::nullopt).size(), 1u);
    EXPECT_EQ(layer.get_losses_for(inputs).size(), 1u);
    EXPECT_EQ(layer.get_losses_for(intermediate_inputs).size(), 1u);
    EXPECT_EQ(layer.get_losses_for(outputs).size(), 0u);
  }
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 3u);
}

// DTypeTest: the dtype comes from the first input and stays; a dtype given
// to the constructor wins; inputs are not cast; weights take the dtype.
TEST_F(BaseLayerTest, DTypeIsInferredFromTheFirstInput) {
  TestLayer layer("MyLayer", {}, Same, [](TestLayer& self, const Shape&) {
    self.add_variable("w", {.shape = {2}});
  });
  EXPECT_EQ(layer.dtype(), std::nullopt);
  layer.apply(constant<int32_t>({1, 2}, {2}));
  EXPECT_EQ(layer.dtype(), int32);
  ASSERT_EQ(layer.variables().size(), 1u);
  EXPECT_EQ(layer.variables()[0].dtype(), int32);
  // int weights default to zeros (glorot is for floats only).
  EXPECT_EQ(test::Eval<int32_t>(layer.variables()[0].value()),
            (std::vector<int32_t>{0, 0}));
  Output floats = layer.apply(constant(1.0f));
  EXPECT_EQ(layer.dtype(), int32);
  EXPECT_EQ(floats.dtype(), float32);

  TestLayer given("MyLayer", {.dtype = float32}, Same);
  given.apply(constant<int32_t>(1));
  EXPECT_EQ(given.dtype(), float32);
}

}  // namespace
}  // namespace minitf
