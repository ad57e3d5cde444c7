// The training program the Fashion-MNIST examples share: each example only
// builds its network; this loop trains it with a progress bar per epoch,
// evaluates on the test set after every epoch, writes TensorBoard event
// files (the graph, the training loss every 100 steps, the test accuracy
// per epoch) and an SVG plot of the same curves in --logdir, and saves a
// checkpoint there at the end.
//
//   tf::examples::Classifier Build(const tf::examples::TrainConfig& c) {...}
//   int main(int argc, char** argv) {
//     absl::ParseCommandLine(argc, argv);
//     return tf::examples::TrainFashionMnist("my_cnn", Build);
//   }
//
// Under `mpirun -np N` the same program trains data-parallel, Horovod's
// way: hvd::init() here, each process takes its shard of every step's batch
// (--batch_size / N images), the network's builder wraps its optimizer in
// hvd::DistributedOptimizer, rank 0's initial (or restored) variables are
// broadcast, the test set is evaluated in shards and the counts summed, and
// only rank 0 prints and writes --logdir. The loss shown is the mean over
// the processes. Alone it is a plain single-process run.
//
// Flags (absl, shared by every example linking this): --epochs
// --batch_size --learning_rate --mixed_precision --threads --data_dir --logdir
// --seed
// --restore --max_steps --min_accuracy. An example may change a default
// with absl::SetFlag before parsing.
#ifndef MINITF_EXAMPLES_TRAINER_H_
#define MINITF_EXAMPLES_TRAINER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/flags/declare.h"
#include "minitf/minitf.h"

ABSL_DECLARE_FLAG(int, epochs);
ABSL_DECLARE_FLAG(double, learning_rate);

namespace minitf::examples {

// What the loop needs from a network, built in the default graph.
struct Classifier {
  Output images;    // float32 [batch, 28, 28, 1] placeholder, values in [0, 1]
  Output labels;    // int32 [batch] placeholder
  Output training;  // bool scalar, fed true on training steps
  Output logits;    // float32 [batch, 10]
  Output loss;      // the scalar the train op minimizes
  Operation train_op;
  Variable global_step;  // incremented by train_op
};

// What a network's builder may depend on.
struct TrainConfig {
  double learning_rate;
  int64_t steps_per_epoch;
  // --mixed_precision: wrap the optimizer in
  // train::experimental::enable_mixed_precision_graph_rewrite.
  bool mixed_precision;
};

using ClassifierBuilder = std::function<Classifier(const TrainConfig&)>;

// Runs the program named `program` (messages, the default --logdir
// /tmp/<program>) and returns its exit status: 0, or 1 after printing why
// (an I/O or run failure, or a smoke check of --min_accuracy that failed).
int TrainFashionMnist(const std::string& program,
                      const ClassifierBuilder& build);

}  // namespace minitf::examples

#endif  // MINITF_EXAMPLES_TRAINER_H_
