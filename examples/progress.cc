#include "minitf/examples/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace minitf::examples {

Progress::Progress(std::string label, int64_t total_steps)
    : label_(std::move(label)),
      total_steps_(std::max<int64_t>(total_steps, 1)),
      terminal_(isatty(fileno(stdout)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void Progress::Step(int64_t examples, float loss) {
  ++steps_;
  examples_ += examples;
  // An exponential moving average reads better than one batch's loss.
  smoothed_loss_ = steps_ == 1 ? loss : 0.98 * smoothed_loss_ + 0.02 * loss;
  if (terminal_) {
    if (steps_ % 10 == 0 || steps_ == total_steps_) Draw(false);
  } else if (steps_ >= next_report_) {
    Draw(false);
    next_report_ = steps_ + std::max<int64_t>(total_steps_ / 10, 1);
  }
}

void Progress::Finish() { Draw(true); }

void Progress::Draw(bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  const double rate = seconds > 0 ? examples_ / seconds : 0;
  const double eta =
      steps_ > 0 ? seconds * (total_steps_ - steps_) / steps_ : 0;
  const int64_t eta_s = static_cast<int64_t>(std::max(eta, 0.0));
  std::string line;
  if (final) {
    line = absl::StrFormat("%s: %d steps in %.1f s, %.0f img/s, loss %.4f",
                           label_, steps_, seconds, rate, smoothed_loss_);
  } else {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * steps_ / total_steps_);
    std::string bar(kWidth, ' ');
    std::fill(bar.begin(), bar.begin() + filled, '=');
    if (filled < kWidth) bar[filled] = '>';
    line = absl::StrFormat("%s [%s] %d/%d %6.0f img/s loss %.4f ETA %d:%02d",
                           label_, bar, steps_, total_steps_, rate,
                           smoothed_loss_, eta_s / 60, eta_s % 60);
  }
  if (terminal_) {
    std::printf("\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  } else {
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

}  // namespace minitf::examples
