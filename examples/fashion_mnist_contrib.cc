// The tutorial CNN of fashion_mnist_layers written with tf.contrib.layers,
// as TF1 code using slim did: conv2d 5x5x32 and 5x5x64 (SAME, relu) each
// followed by a 2x2 max_pool2d, flatten, fully_connected 1024, dropout
// (keep 0.6), fully_connected 10. An arg_scope gives every conv2d and the
// hidden fully_connected a batch_norm normalizer (so no biases) driven by the
// training placeholder and an l2 weight regularizer; the loss is
// get_total_loss() (cross-entropy plus the regularization losses), the batch
// norm's moving averages update through UPDATE_OPS as control dependencies
// of the train op, and Adam's learning rate decays exponentially per epoch.
//
//   build/examples/fashion_mnist_contrib --epochs=12
//
// Flags and outputs are examples/trainer.h's; the default --logdir is
// /tmp/fashion_mnist_contrib.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "minitf/distributed/hvd.h"
#include "minitf/examples/trainer.h"
#include "minitf/minitf.h"

namespace tf = minitf;
namespace cl = tf::contrib::layers;

namespace {

// Scale of the l2 weight penalty: 0.5 * kWeightDecay * sum(w^2) per weight.
constexpr float kWeightDecay = 1e-4f;
// The learning rate is multiplied by this once per epoch.
constexpr double kDecayPerEpoch = 0.85;

tf::examples::Classifier BuildModel(const tf::examples::TrainConfig& config) {
  tf::examples::Classifier m;
  m.images = tf::placeholder(tf::float32, {-1, 28, 28, 1}, "images");
  m.labels = tf::placeholder(tf::int32, {-1}, "labels");
  m.training =
      tf::placeholder_with_default(tf::constant(false), {}, "training");
  {
    // decay 0.99: the moving averages settle within an epoch (TF's 0.999
    // needs thousands of steps before evaluation makes sense).
    tf::contrib::framework::arg_scope scope(
        {cl::conv2d, cl::fully_connected},
        cl::ConvolutionOptions{
            .normalizer_fn = cl::batch_norm,
            .normalizer_params =
                cl::BatchNormOptions{.decay = 0.99f, .is_training = m.training},
            .weights_regularizer = cl::l2_regularizer(kWeightDecay)});
    auto h = cl::conv2d(m.images, {.num_outputs = 32, .kernel_size = 5});
    h = cl::max_pool2d(h, {.kernel_size = 2});
    h = cl::conv2d(h, {.num_outputs = 64, .kernel_size = 5});
    h = cl::max_pool2d(h, {.kernel_size = 2});
    h = cl::flatten(h);
    h = cl::fully_connected(h, {.num_outputs = 1024});
    h = cl::dropout(h, {.keep_prob = 0.6f, .is_training = m.training});
    m.logits = cl::fully_connected(h, {.num_outputs = 10,
                                       .activation_fn = nullptr,
                                       .normalizer_fn = nullptr});
  }
  tf::losses::sparse_softmax_cross_entropy(m.labels, m.logits);
  m.loss = tf::losses::get_total_loss();
  m.global_step = tf::train::get_or_create_global_step();
  auto learning_rate =
      tf::train::exponential_decay(config.learning_rate, m.global_step,
                                   static_cast<double>(config.steps_per_epoch),
                                   kDecayPerEpoch, {.staircase = true});
  tf::train::AdamOptimizer adam(learning_rate);
  // --mixed_precision: bfloat16 compute, float32 variables, as in TF1.
  tf::train::Optimizer& opt =
      config.mixed_precision
          ? tf::train::experimental::enable_mixed_precision_graph_rewrite(adam)
          : adam;
  // Horovod: the gradients averaged over the processes (none alone).
  tf::hvd::DistributedOptimizer optimizer(opt);
  {
    tf::control_dependencies after_updates(
        tf::get_collection(tf::GraphKeys::UPDATE_OPS));
    m.train_op = optimizer.minimize(m.loss, {.global_step = m.global_step});
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tf::examples::TrainFashionMnist("fashion_mnist_contrib", BuildModel);
}
