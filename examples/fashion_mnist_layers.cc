// Trains TensorFlow's tutorial CNN on Fashion-MNIST in tf.layers style and
// reports the test accuracy after every epoch: conv 5x5x32 same relu, max
// pool 2, conv 5x5x64 same relu, max pool 2, dense 1024 relu, dropout 0.4
// (on only while training, through a training placeholder), dense 10,
// sparse softmax cross-entropy, Adam.
//
//   build/examples/fashion_mnist_layers --epochs=12 --logdir=/tmp/fmnist
//   build/examples/fashion_mnist_layers --restore --epochs=0   # evaluate
//
// It saves a checkpoint in --logdir at the end (--restore continues from the
// latest one). --max_steps and --min_accuracy make a short smoke run that
// fails unless the test accuracy passes the bar (CI uses them).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/data/batcher.h"
#include "minitf/data/fashion_mnist.h"
#include "minitf/examples/progress.h"
#include "minitf/minitf.h"

ABSL_FLAG(int, epochs, 12, "Passes over the 60000 training images.");
ABSL_FLAG(int, batch_size, 64, "Training images per step.");
ABSL_FLAG(double, learning_rate, 1e-3, "Adam's learning rate.");
ABSL_FLAG(int, threads, 0, "oneDNN/OpenMP threads (0: all cores).");
ABSL_FLAG(std::string, data_dir, minitf::data::kFashionMnistDir,
          "Folder of the four gzipped IDX files.");
ABSL_FLAG(std::string, logdir, "/tmp/fashion_mnist_layers",
          "Where the checkpoint goes.");
ABSL_FLAG(int64_t, seed, 1, "Graph seed and shuffling seed.");
ABSL_FLAG(bool, restore, false, "Start from the latest checkpoint in logdir.");
ABSL_FLAG(int64_t, max_steps, 0,
          "Stop training after this many steps in all (0: no limit).");
ABSL_FLAG(double, min_accuracy, 0.0,
          "Exit with status 1 if the final test accuracy is below this, or "
          "if the loss of the last 50 steps is not below that of the first "
          "50 (a smoke check; 0 checks nothing).");

namespace tf = minitf;

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "fashion_mnist_layers: " << status << "\n";
  return 1;
}

struct Model {
  tf::Output images, labels, training, loss, correct;
  tf::Operation train_op;
  tf::Variable global_step;
};

Model BuildModel(double learning_rate) {
  Model m;
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
  auto logits = tf::layers::dense(h, {.units = 10});
  m.loss = tf::losses::sparse_softmax_cross_entropy(m.labels, logits);
  m.global_step = tf::train::get_or_create_global_step();
  tf::train::AdamOptimizer optimizer(learning_rate);
  m.train_op = optimizer.minimize(m.loss, {.global_step = m.global_step});
  auto predictions = tf::argmax(logits, 1, tf::int32);
  m.correct =
      tf::reduce_sum(tf::cast(tf::equal(predictions, m.labels), tf::float32));
  return m;
}

// The fraction of `set` the model classifies correctly, in batches of 500.
absl::StatusOr<double> Evaluate(tf::Session& sess, const Model& m,
                                const tf::data::LabeledImages& set) {
  MINITF_ASSIGN_OR_RETURN(
      tf::data::Batcher batches,
      tf::data::Batcher::Create(set.images, set.labels,
                                {.batch_size = 500, .shuffle = false}));
  double correct = 0;
  while (std::optional<tf::data::Batch> b = batches.Next()) {
    MINITF_ASSIGN_OR_RETURN(
        std::vector<tf::Tensor> out,
        sess.run({{m.images, b->images}, {m.labels, b->labels}}, {m.correct}));
    correct += out[0].scalar<float>();
  }
  return correct / static_cast<double>(batches.num_examples());
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int epochs = absl::GetFlag(FLAGS_epochs);
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  const std::string logdir = absl::GetFlag(FLAGS_logdir);
  const int64_t max_steps = absl::GetFlag(FLAGS_max_steps);

  absl::StatusOr<tf::data::FashionMnist> data =
      tf::data::LoadFashionMnist(absl::GetFlag(FLAGS_data_dir));
  if (!data.ok()) return Fail(data.status());

  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(absl::GetFlag(FLAGS_seed));
  const Model m = BuildModel(absl::GetFlag(FLAGS_learning_rate));
  std::error_code made;
  std::filesystem::create_directories(logdir, made);
  if (made) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("cannot create --logdir ", logdir, ": ", made.message())));
  }
  tf::train::Saver saver;
  tf::Session sess(
      graph, {.intra_op_parallelism_threads = absl::GetFlag(FLAGS_threads)});
  if (absl::Status s = sess.run(tf::global_variables_initializer()); !s.ok()) {
    return Fail(s);
  }
  if (absl::GetFlag(FLAGS_restore)) {
    absl::StatusOr<std::string> latest = tf::train::latest_checkpoint(logdir);
    if (!latest.ok()) return Fail(latest.status());
    if (absl::Status s = saver.restore(sess, *latest); !s.ok()) return Fail(s);
    std::cout << "restored " << *latest << "\n";
  }

  absl::StatusOr<tf::data::Batcher> batcher = tf::data::Batcher::Create(
      data->train.images, data->train.labels,
      {.batch_size = batch_size,
       .seed = static_cast<uint64_t>(absl::GetFlag(FLAGS_seed))});
  if (!batcher.ok()) return Fail(batcher.status());
  const tf::Tensor training_on = tf::Tensor::Scalar(true);

  int64_t steps = 0;
  double accuracy = 0;
  // Mean losses of the first and the last kWindow steps, for the smoke check.
  constexpr int kWindow = 50;
  std::vector<float> first_losses, last_losses;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    batcher->StartEpoch(epoch);
    tf::examples::Progress progress(
        absl::StrFormat("epoch %d/%d", epoch + 1, epochs),
        batcher->batches_per_epoch());
    while (std::optional<tf::data::Batch> b = batcher->Next()) {
      auto out = sess.run({{m.images, b->images},
                           {m.labels, b->labels},
                           {m.training, training_on}},
                          {m.loss}, {m.train_op});
      if (!out.ok()) return Fail(out.status());
      const float loss = (*out)[0].scalar<float>();
      progress.Step(b->size, loss);
      if (first_losses.size() < kWindow) first_losses.push_back(loss);
      last_losses.push_back(loss);
      if (last_losses.size() > kWindow) last_losses.erase(last_losses.begin());
      if (max_steps > 0 && ++steps >= max_steps) break;
    }
    progress.Finish();
    absl::StatusOr<double> test = Evaluate(sess, m, data->test);
    if (!test.ok()) return Fail(test.status());
    accuracy = *test;
    std::cout << absl::StrFormat("epoch %d: test accuracy %.2f%%\n", epoch + 1,
                                 100 * accuracy);
    if (max_steps > 0 && steps >= max_steps) break;
  }
  if (epochs == 0) {
    absl::StatusOr<double> test = Evaluate(sess, m, data->test);
    if (!test.ok()) return Fail(test.status());
    accuracy = *test;
    std::cout << absl::StrFormat("test accuracy %.2f%%\n", 100 * accuracy);
  }
  if (absl::Status s = saver.save(sess, logdir + "/model", m.global_step);
      !s.ok()) {
    return Fail(s);
  }
  std::cout << "checkpoint saved in " << logdir << "\n";
  const double min_accuracy = absl::GetFlag(FLAGS_min_accuracy);
  auto mean = [](const std::vector<float>& v) {
    double sum = 0;
    for (float x : v) sum += x;
    return v.empty() ? 0.0 : sum / v.size();
  };
  if (min_accuracy > 0 && !(mean(last_losses) < mean(first_losses))) {
    std::cerr << absl::StrFormat(
        "fashion_mnist_layers: the loss did not fall (first %d steps %.4f, "
        "last %d steps %.4f)\n",
        kWindow, mean(first_losses), kWindow, mean(last_losses));
    return 1;
  }
  if (accuracy < min_accuracy) {
    std::cerr << absl::StrFormat(
        "fashion_mnist_layers: test accuracy %.2f%% is below the required "
        "%.2f%%\n",
        100 * accuracy, 100 * min_accuracy);
    return 1;
  }
  return 0;
}
