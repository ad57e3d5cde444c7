// Trains TensorFlow's tutorial CNN on Fashion-MNIST in tf.layers style and
// reports the test accuracy after every epoch: conv 5x5x32 same relu, max
// pool 2, conv 5x5x64 same relu, max pool 2, dense 1024 relu, dropout 0.4
// (on only while training, through a training placeholder), dense 10,
// sparse softmax cross-entropy, Adam. This is README's main job.
//
//   build/examples/fashion_mnist_layers --epochs=12 --logdir=/tmp/fmnist
//   build/examples/fashion_mnist_layers --restore --epochs=0   # evaluate
//   build/examples/fashion_mnist_layers --mixed_precision      # bfloat16
//
// The loop, its flags and what it writes to --logdir (a checkpoint, event
// files for TensorBoard, curves.svg) are examples/trainer.h's. --max_steps
// and --min_accuracy make a short smoke run that fails unless the loss
// falls and the test accuracy passes the bar (CI uses them).
//
// Data parallel with Horovod, unchanged: `mpirun -np 2 fashion_mnist_layers`
// trains each step's batch split over two processes (examples/trainer.h).
#include "absl/flags/parse.h"
#include "minitf/distributed/hvd.h"
#include "minitf/examples/trainer.h"
#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

tf::examples::Classifier BuildModel(const tf::examples::TrainConfig& config) {
  tf::examples::Classifier m;
  m.images = tf::placeholder(tf::float32, {-1, 28, 28, 1}, "images");
  m.labels = tf::placeholder(tf::int32, {-1}, "labels");
  m.training =
      tf::placeholder_with_default(tf::constant(false), {}, "training");
  auto h = tf::layers::conv2d(m.images, {.filters = 32,
                                         .kernel_size = 5,
                                         .padding = "same",
                                         .activation = tf::nn::relu});
  h = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = tf::layers::conv2d(h, {.filters = 64,
                             .kernel_size = 5,
                             .padding = "same",
                             .activation = tf::nn::relu});
  h = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = tf::layers::flatten(h);
  h = tf::layers::dense(h, {.units = 1024, .activation = tf::nn::relu});
  h = tf::layers::dropout(h, {.rate = 0.4f}, m.training);
  m.logits = tf::layers::dense(h, {.units = 10});
  m.loss = tf::losses::sparse_softmax_cross_entropy(m.labels, m.logits);
  m.global_step = tf::train::get_or_create_global_step();
  tf::train::AdamOptimizer adam(config.learning_rate);
  // --mixed_precision: bfloat16 compute, float32 variables, as in TF1.
  tf::train::Optimizer& opt =
      config.mixed_precision
          ? tf::train::experimental::enable_mixed_precision_graph_rewrite(adam)
          : adam;
  // Horovod: the gradients averaged over the processes (none alone).
  tf::hvd::DistributedOptimizer optimizer(opt);
  m.train_op = optimizer.minimize(m.loss, {.global_step = m.global_step});
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return tf::examples::TrainFashionMnist("fashion_mnist_layers", BuildModel);
}
