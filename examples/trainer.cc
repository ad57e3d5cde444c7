#include "minitf/examples/trainer.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/data/batcher.h"
#include "minitf/data/fashion_mnist.h"
#include "minitf/distributed/hvd.h"
#include "minitf/examples/progress.h"

ABSL_FLAG(int, epochs, 12, "Passes over the 60000 training images.");
ABSL_FLAG(int, batch_size, 64,
          "Training images per step, over all processes: under mpirun each "
          "of N processes trains on batch_size / N of them.");
ABSL_FLAG(double, learning_rate, 1e-3, "The optimizer's learning rate.");
ABSL_FLAG(bool, mixed_precision, false,
          "Convolutions and dense layers in bfloat16 with float32 master "
          "weights (enable_mixed_precision_graph_rewrite); float32 on a CPU "
          "without bfloat16 instructions.");
ABSL_FLAG(int, threads, 0,
          "oneDNN/OpenMP threads per process (0: the host's cores shared "
          "among its processes).");
ABSL_FLAG(std::string, data_dir, minitf::data::kFashionMnistDir,
          "Folder of the four gzipped IDX files.");
ABSL_FLAG(std::string, logdir, "",
          "Where the checkpoint, event files and curves.svg go (default: "
          "/tmp/<program>).");
ABSL_FLAG(int64_t, seed, 1, "Graph seed and shuffling seed.");
ABSL_FLAG(bool, restore, false, "Start from the latest checkpoint in logdir.");
ABSL_FLAG(int64_t, max_steps, 0,
          "Stop training after this many steps in all (0: no limit).");
ABSL_FLAG(double, min_accuracy, 0.0,
          "Exit with status 1 if the final test accuracy is below this, or "
          "if the loss of the last 50 steps is not below that of the first "
          "50 (a smoke check; 0 checks nothing).");

namespace minitf::examples {
namespace {

// Training-loss summaries and curve points are taken every this many steps.
constexpr int64_t kSummaryEvery = 100;
// Steps averaged at each end of training by the smoke check.
constexpr size_t kSmokeWindow = 50;

double Mean(const std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// The fraction of `set` the model classifies correctly, in batches of 500
// per process: each process takes its shard, rank 0 also the examples the
// shards leave over, and `total` (an allreduce of the fed `count`) sums the
// processes' counts. `correct` counts the correct predictions of a batch.
absl::StatusOr<double> Evaluate(Session& sess, const Classifier& m,
                                Output correct, Output count, Output total,
                                const data::LabeledImages& set) {
  const int rank = hvd::rank(), size = hvd::size();
  MINITF_ASSIGN_OR_RETURN(data::Batcher batches,
                          data::Batcher::Create(set.images, set.labels,
                                                {.batch_size = 500,
                                                 .shuffle = false,
                                                 .shard_index = rank,
                                                 .num_shards = size}));
  const int64_t n = set.images.shape().dim(0);
  const int64_t covered = batches.num_examples() * size;
  float num_correct = 0;
  auto add = [&](const Tensor& images, const Tensor& labels) -> absl::Status {
    MINITF_ASSIGN_OR_RETURN(
        std::vector<Tensor> out,
        sess.run({{m.images, images}, {m.labels, labels}}, {correct}));
    num_correct += out[0].scalar<float>();
    return absl::OkStatus();
  };
  while (std::optional<data::Batch> b = batches.Next()) {
    MINITF_RETURN_IF_ERROR(add(b->images, b->labels));
  }
  if (rank == 0 && covered < n) {
    const Shape& image = set.images.shape();
    Shape rest_shape = image;
    rest_shape.set_dim(0, n - covered);
    const int64_t per_image = image.num_elements() / n;
    MINITF_RETURN_IF_ERROR(add(set.images.View(covered * per_image, rest_shape),
                               set.labels.View(covered, Shape({n - covered}))));
  }
  MINITF_ASSIGN_OR_RETURN(
      std::vector<Tensor> summed,
      sess.run({{count, Tensor::Scalar(num_correct)}}, {total}));
  return summed[0].scalar<float>() / static_cast<double>(n);
}

// One run of the program: the graph, its session and what it records.
class TrainingRun {
 public:
  explicit TrainingRun(std::string program)
      : program_(std::move(program)),
        logdir_(absl::GetFlag(FLAGS_logdir).empty()
                    ? "/tmp/" + program_
                    : absl::GetFlag(FLAGS_logdir)) {}

  absl::Status Run(const ClassifierBuilder& build);
  // The smoke checks of --min_accuracy.
  absl::Status Check() const;

 private:
  absl::Status Prepare(const ClassifierBuilder& build);
  absl::Status TrainEpoch(int epoch, int epochs);
  absl::Status TestAndRecord(const std::string& label);

  // Rank 0 prints, evaluates the leftover test examples and writes files.
  bool chief_ = true;
  std::string program_;
  std::string logdir_;
  std::optional<data::FashionMnist> data_;
  std::optional<data::Batcher> batcher_;
  Graph graph_;
  Classifier model_;
  Output correct_;  // float32 scalar: correctly classified images of a batch
  Output count_, total_;  // a fed count of this process, summed over all
  Output loss_;           // the loss averaged over the processes
  Output summaries_;
  Operation sync_;                     // gives every process rank 0's variables
  std::optional<train::Saver> saver_;  // of the graph's global variables
  std::unique_ptr<Session> session_;
  std::unique_ptr<summary::FileWriter> writer_;
  int64_t global_step_ = 0;
  int64_t steps_run_ = 0;
  double accuracy_ = 0;
  std::vector<float> first_losses_, last_losses_;
  // Loss sum and steps since the last curve point (fewer than
  // kSummaryEvery after --restore from a step in between).
  double window_loss_ = 0;
  int64_t window_steps_ = 0;
  summary::CurveSeries train_loss_{.name = "train loss", .panel = "loss"};
  summary::CurveSeries test_accuracy_{.name = "test accuracy",
                                      .panel = "accuracy"};
};

absl::Status TrainingRun::Prepare(const ClassifierBuilder& build) {
  // Horovod: under mpirun each process trains on its shard of every batch
  // and DistributedOptimizer averages the gradients; alone, size() is 1.
  MINITF_RETURN_IF_ERROR(hvd::init());
  const int rank = hvd::rank(), size = hvd::size();
  chief_ = rank == 0;
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  if (batch_size <= 0 || batch_size % size != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--batch_size=", batch_size, " must be a positive multiple of the ",
        size, " processes"));
  }
  MINITF_ASSIGN_OR_RETURN(
      data::FashionMnist data,
      data::LoadFashionMnist(absl::GetFlag(FLAGS_data_dir)));
  data_ = std::move(data);
  // Shard r of each step's batch is its examples r, r + size, ...: the
  // processes together train on the batch one process would.
  MINITF_ASSIGN_OR_RETURN(
      data::Batcher batcher,
      data::Batcher::Create(
          data_->train.images, data_->train.labels,
          {.batch_size = batch_size / size,
           .seed = static_cast<uint64_t>(absl::GetFlag(FLAGS_seed)),
           .shard_index = rank,
           .num_shards = size}));
  batcher_ = std::move(batcher);

  GraphGuard as_default(graph_);
  // A graph seed per process: each draws its own dropout masks (the
  // initial weights are rank 0's after sync_).
  set_random_seed(absl::GetFlag(FLAGS_seed) + rank);
  model_ = build({.learning_rate = absl::GetFlag(FLAGS_learning_rate),
                  .steps_per_epoch = batcher_->batches_per_epoch(),
                  .mixed_precision = absl::GetFlag(FLAGS_mixed_precision)});
  correct_ = reduce_sum(
      cast(equal(argmax(model_.logits, 1, int32), model_.labels), float32));
  count_ = placeholder(float32, {}, "correct_count");
  total_ = hvd::allreduce(count_, {.average = false});
  loss_ = size > 1 ? hvd::allreduce(model_.loss) : model_.loss;
  summary::scalar("loss", loss_);
  summaries_ = summary::merge_all();
  saver_.emplace();
  sync_ = hvd::broadcast_global_variables(0);

  if (chief_) {
    std::error_code made;
    std::filesystem::create_directories(logdir_, made);
    if (made) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot create --logdir ", logdir_, ": ", made.message()));
    }
  }
  int threads = absl::GetFlag(FLAGS_threads);
  if (threads == 0 && hvd::local_size() > 1) {
    threads =
        std::max<int>(1, static_cast<int>(std::thread::hardware_concurrency()) /
                             hvd::local_size());
  }
  session_ = std::make_unique<Session>(
      graph_, SessionOptions{.intra_op_parallelism_threads = threads});
  MINITF_RETURN_IF_ERROR(session_->run(global_variables_initializer()));
  if (absl::GetFlag(FLAGS_restore) && chief_) {
    MINITF_ASSIGN_OR_RETURN(std::string latest,
                            train::latest_checkpoint(logdir_));
    MINITF_RETURN_IF_ERROR(saver_->restore(*session_, latest));
    std::cout << "restored " << latest << "\n";
  }
  MINITF_RETURN_IF_ERROR(session_->run({}, {}, {sync_}).status());
  MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> step,
                          session_->run({model_.global_step.value()}));
  global_step_ = step[0].scalar<int64_t>();
  if (chief_) {
    if (size > 1) {
      std::cout << "training on " << size << " processes, " << batch_size / size
                << " images each per step\n";
    }
    writer_ = std::make_unique<summary::FileWriter>(logdir_, &graph_);
    return writer_->status();
  }
  return absl::OkStatus();
}

absl::Status TrainingRun::TrainEpoch(int epoch, int epochs) {
  const Tensor training_on = Tensor::Scalar(true);
  const int64_t max_steps = absl::GetFlag(FLAGS_max_steps);
  const int64_t processes = hvd::size();
  batcher_->StartEpoch(epoch);
  std::optional<Progress> progress;
  if (chief_) {
    progress.emplace(absl::StrFormat("epoch %d/%d", epoch + 1, epochs),
                     batcher_->batches_per_epoch());
  }
  while (std::optional<data::Batch> b = batcher_->Next()) {
    const FeedDict feeds = {{model_.images, b->images},
                            {model_.labels, b->labels},
                            {model_.training, training_on}};
    // Every process fetches the same tensors, so all run the same plan.
    const bool record = (global_step_ + 1) % kSummaryEvery == 0;
    std::vector<Output> fetches = {loss_};
    if (record) fetches.push_back(summaries_);
    MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> out,
                            session_->run(feeds, fetches, {model_.train_op}));
    ++global_step_;
    const float loss = out[0].scalar<float>();
    if (progress) progress->Step(b->size * processes, loss);
    window_loss_ += loss;
    ++window_steps_;
    if (record) {
      if (writer_) {
        MINITF_RETURN_IF_ERROR(writer_->add_summary(out[1], global_step_));
      }
      train_loss_.points.push_back(
          {static_cast<double>(global_step_), window_loss_ / window_steps_});
      window_loss_ = 0;
      window_steps_ = 0;
    }
    if (first_losses_.size() < kSmokeWindow) first_losses_.push_back(loss);
    last_losses_.push_back(loss);
    if (last_losses_.size() > kSmokeWindow) {
      last_losses_.erase(last_losses_.begin());
    }
    if (max_steps > 0 && ++steps_run_ >= max_steps) break;
  }
  if (progress) progress->Finish();
  return absl::OkStatus();
}

absl::Status TrainingRun::TestAndRecord(const std::string& label) {
  MINITF_ASSIGN_OR_RETURN(accuracy_, Evaluate(*session_, model_, correct_,
                                              count_, total_, data_->test));
  if (!chief_) return absl::OkStatus();
  std::cout << absl::StrFormat("%stest accuracy %.2f%%\n", label,
                               100 * accuracy_);
  MINITF_RETURN_IF_ERROR(writer_->add_summary(
      summary::ScalarSummary("test/accuracy", static_cast<float>(accuracy_)),
      global_step_));
  MINITF_RETURN_IF_ERROR(writer_->flush());
  test_accuracy_.points.push_back(
      {static_cast<double>(global_step_), accuracy_});
  return summary::WriteCurvesSvg(logdir_ + "/curves.svg",
                                 {train_loss_, test_accuracy_},
                                 {.title = program_});
}

absl::Status TrainingRun::Run(const ClassifierBuilder& build) {
  MINITF_RETURN_IF_ERROR(Prepare(build));
  const int epochs = absl::GetFlag(FLAGS_epochs);
  const int64_t max_steps = absl::GetFlag(FLAGS_max_steps);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    MINITF_RETURN_IF_ERROR(TrainEpoch(epoch, epochs));
    MINITF_RETURN_IF_ERROR(
        TestAndRecord(absl::StrFormat("epoch %d: ", epoch + 1)));
    if (max_steps > 0 && steps_run_ >= max_steps) break;
  }
  if (epochs == 0) MINITF_RETURN_IF_ERROR(TestAndRecord(""));
  if (!chief_) return absl::OkStatus();
  MINITF_RETURN_IF_ERROR(
      saver_->save(*session_, logdir_ + "/model", model_.global_step));
  std::cout << "checkpoint, event file and curves.svg in " << logdir_ << "\n";
  return writer_->close();
}

absl::Status TrainingRun::Check() const {
  const double min_accuracy = absl::GetFlag(FLAGS_min_accuracy);
  if (min_accuracy <= 0) return absl::OkStatus();
  if (!(Mean(last_losses_) < Mean(first_losses_))) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the loss did not fall (first %d steps %.4f, last %d steps %.4f)",
        kSmokeWindow, Mean(first_losses_), kSmokeWindow, Mean(last_losses_)));
  }
  if (accuracy_ < min_accuracy) {
    return absl::FailedPreconditionError(
        absl::StrFormat("test accuracy %.2f%% is below the required %.2f%%",
                        100 * accuracy_, 100 * min_accuracy));
  }
  return absl::OkStatus();
}

}  // namespace

int TrainFashionMnist(const std::string& program,
                      const ClassifierBuilder& build) {
  TrainingRun run(program);
  absl::Status status = run.Run(build);
  if (status.ok()) status = run.Check();
  if (!status.ok()) {
    std::cerr << program << ": " << status << "\n";
    // The other processes may wait in a collective for this one: stop them.
    if (hvd::is_initialized() && hvd::size() > 1) {
      std::cerr.flush();
      hvd::abort_job(1);
    }
    return 1;
  }
  return 0;
}

}  // namespace minitf::examples
