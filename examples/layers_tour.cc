// A tour of the layer API: what each call names and creates, printed so a
// reader can check it against TF 1.15 (the expected TF names are in the
// comments). Run: build/examples/layers_tour
#include <iostream>
#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

void Show(const std::string& what, tf::Output t) {
  std::cout << what << ": " << t.name() << " " << t.shape().ToString() << "\n";
}

void ShowVariables(const std::string& what,
                   const std::vector<tf::Variable>& vars) {
  std::cout << what << ":";
  for (const tf::Variable& v : vars) {
    std::cout << " " << v.name() << v.shape().ToString();
  }
  std::cout << "\n";
}

}  // namespace

int main() {
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  auto images = tf::placeholder(tf::float32, {-1, 28, 28, 1}, "images");

  std::cout << "== unnamed functional layers are uniquified\n";
  auto a = tf::layers::conv2d(images, {.filters = 8, .kernel_size = 3});
  auto b = tf::layers::conv2d(images, {.filters = 8, .kernel_size = 3});
  Show("first", a);   // TF: conv2d/BiasAdd:0 (?, 26, 26, 8)
  Show("second", b);  // TF: conv2d_1/BiasAdd:0

  std::cout << "== a named layer, then reused by name\n";
  auto c = tf::layers::conv2d(images, {.filters = 8,
                                       .kernel_size = 3,
                                       .padding = "same",
                                       .activation = tf::nn::relu,
                                       .name = "conv1"});
  auto d = tf::layers::conv2d(images, {.filters = 8,
                                       .kernel_size = 3,
                                       .padding = "same",
                                       .activation = tf::nn::relu,
                                       .name = "conv1",
                                       .reuse = true});
  Show("conv1", c);        // TF: conv1/Relu:0 (?, 28, 28, 8)
  Show("conv1 again", d);  // TF: conv1_1/Relu:0: new ops, same variables
  try {
    tf::layers::conv2d(images,
                       {.filters = 8, .kernel_size = 3, .name = "conv1"});
  } catch (const tf::Error& e) {
    // TF: ValueError: Variable conv1/kernel already exists, disallowed. ...
    std::cout << "conv1 without reuse: " << e.python_type() << ": "
              << std::string(e.what()).substr(0, 60) << "...\n";
  }

  std::cout << "== a layer object shares its weights across calls\n";
  tf::layers::Dense dense({.units = 4, .name = "shared"});
  auto flat = tf::layers::flatten(images);
  auto e = dense(flat);
  auto f = dense(flat);
  Show("first call", e);   // TF: shared/BiasAdd:0 (?, 4)
  Show("second call", f);  // TF: shared/BiasAdd_1:0
  ShowVariables("its variables", dense.variables());
  // TF: shared/kernel:0(784, 4) shared/bias:0(4,)

  std::cout << "== the enclosing variable scope names the variables\n";
  {
    tf::variable_scope tower(
        "tower", {.regularizer = tf::contrib::layers::l2_regularizer(1e-4)});
    auto g = tf::layers::dense(flat, {.units = 2});
    Show("in tower", g);  // TF: tower/dense/BiasAdd:0 (?, 2)
  }
  ShowVariables("trainable", tf::trainable_variables("tower"));
  // TF: tower/dense/kernel:0(784, 2) tower/dense/bias:0(2,)
  std::cout << "regularization losses: "
            << tf::get_collection(tf::GraphKeys::REGULARIZATION_LOSSES).size()
            << "\n";  // TF: 2 (the scope's regularizer applies to both)

  std::cout << "== batch normalization adds its updates to UPDATE_OPS\n";
  auto bn = tf::layers::batch_normalization(a, {}, /*training=*/true);
  Show("normalized", bn);  // TF: batch_normalization/FusedBatchNorm:0
  for (const tf::CollectionItem& u :
       tf::get_collection(tf::GraphKeys::UPDATE_OPS)) {
    std::cout << "update: " << u.op().name() << "\n";
    // TF: batch_normalization/AssignMovingAvg, .../AssignMovingAvg_1
  }

  std::cout << "== a training flag fed at run time\n";
  auto training =
      tf::placeholder_with_default(tf::constant(false), {}, "training");
  auto dropped = tf::layers::dropout(e, {.rate = 0.5f, .seed = 1}, training);
  Show("dropout", dropped);  // TF: dropout/cond/Merge:0 (?, 4)

  std::cout << "== contrib layers under an arg_scope\n";
  namespace cl = tf::contrib::layers;
  {
    tf::contrib::framework::arg_scope scope(
        {cl::conv2d},
        cl::ConvolutionOptions{
            .padding = "VALID",
            .normalizer_fn = cl::batch_norm,
            .weights_regularizer = tf::contrib::layers::l2_regularizer(0.01)});
    auto h = cl::conv2d(images, {.num_outputs = 4, .kernel_size = 3});
    Show("contrib conv", h);  // TF: Conv/Relu:0 (?, 26, 26, 4)
    auto k = cl::conv2d(h, {.num_outputs = 4,
                            .kernel_size = 3,
                            .padding = "SAME"});  // its own argument wins
    Show("second contrib conv", k);  // TF: Conv_1/Relu:0 (?, 26, 26, 4)
  }
  ShowVariables("Conv's model variables", tf::model_variables("Conv/"));
  // TF: Conv/weights:0(3, 3, 1, 4) Conv/BatchNorm/beta:0(4,)
  //     Conv/BatchNorm/moving_mean:0(4,) Conv/BatchNorm/moving_variance:0(4,)

  tf::Session sess(graph);
  if (!sess.run(tf::global_variables_initializer()).ok()) return 1;
  tf::Tensor batch(tf::float32, {2, 28, 28, 1});
  for (float& v : batch.flat<float>()) v = 1.0f;
  for (bool train : {false, true}) {
    auto out = sess.run(
        {{images, batch}, {training, tf::Tensor::Scalar(train)}}, {dropped});
    if (!out.ok()) return 1;
    int zeros = 0;
    for (float v : (*out)[0].flat<float>()) zeros += v == 0.0f;
    std::cout << "training=" << (train ? "true" : "false") << ": " << zeros
              << " of 8 activations dropped\n";
  }
  return 0;
}
