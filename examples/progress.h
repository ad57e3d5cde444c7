// Progress: the per-epoch progress line of the training examples. On a
// terminal it redraws one bar ("epoch 2/12 [=====>    ] 412/938  3120 img/s
// loss 0.3121 ETA 0:17"); otherwise it prints a plain line every 10% of the
// epoch, so logs stay readable.
//
//   tf::examples::Progress p("epoch 1/12", batches_per_epoch);
//   p.Step(batch_size, loss);   // after each training step
//   p.Finish();                 // the epoch's summary line
#ifndef MINITF_EXAMPLES_PROGRESS_H_
#define MINITF_EXAMPLES_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace minitf::examples {

class Progress {
 public:
  Progress(std::string label, int64_t total_steps);
  // One step of `examples` images with this loss.
  void Step(int64_t examples, float loss);
  // Ends the line with the epoch's totals.
  void Finish();

 private:
  void Draw(bool final);

  std::string label_;
  int64_t total_steps_;
  int64_t steps_ = 0;
  int64_t examples_ = 0;
  double smoothed_loss_ = 0;
  bool terminal_;
  int64_t next_report_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace minitf::examples

#endif  // MINITF_EXAMPLES_PROGRESS_H_
