// Summaries for TensorBoard, TF1's tf.summary: scalar and histogram ops,
// merge / merge_all, and FileWriter, which writes event files
// ("events.out.tfevents.<time>.<host>") that TensorBoard reads from a log
// directory. The Event and Summary protocol buffers are encoded by hand (no
// protobuf dependency) and framed as TFRecords (tfrecord.h).
//
//   auto loss_summary = tf::summary::scalar("loss", loss);
//   tf::summary::histogram("logits", logits);
//   auto merged = tf::summary::merge_all();
//   tf::summary::FileWriter writer("/tmp/logs", &graph);
//   auto out = sess.run(feeds, {merged}, {train_op});
//   absl::Status s = writer.add_summary((*out)[0], step);
//   writer.add_summary(tf::summary::ScalarSummary("test/accuracy", acc), step);
//   writer.close();
//
// The serialized Summary a summary op produces. TF's ops return a string
// scalar holding the serialized protocol buffer; minitf has no string
// dtype, and no uint8 either (its dtypes are float32, int32, int64, bool),
// so a summary op returns a rank-1 int32 tensor with one element per byte
// (each 0..255). Every summary op knows its byte length when it is built
// (fixed-width encodings: a float simple_value, a fixed number of histogram
// buckets), so the tensor has a static shape and a step allocates nothing;
// merging is concatenation, which is protobuf's merge of repeated fields.
// The 4x width is irrelevant at these sizes (a scalar summary is ~10 bytes
// plus its tag). TF1 code `s = sess.run(merged); writer.add_summary(s, step)`
// ports unchanged; SummaryBytes() turns the tensor into the protobuf bytes.
//
// Thread-safety: FileWriter is thread-safe; the builders follow the graph's
// rules.
#ifndef MINITF_TRAIN_SUMMARY_H_
#define MINITF_TRAIN_SUMMARY_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/collections.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/node.h"

namespace minitf::summary {

struct SummaryOptions {
  // Collections the summary op is added to; nullopt: {GraphKeys::SUMMARIES}.
  std::optional<std::vector<std::string>> collections;
  // A prefix for the tag and the op's name scope (a TensorBoard tab).
  std::string family;
};

// tf.summary.scalar: a Summary with one simple_value (the tensor cast to
// float). The tag and op name are those of TF's summary_scope: the name
// scope of `name` (so "loss", "loss_1", "train/loss"), prefixed by family.
// Characters outside [-/\w.] in `name` become '_'. Throws ValueError "tags
// and values not the same shape: [] != [2]" for a non-scalar.
Output scalar(const std::string& name, Output tensor,
              const SummaryOptions& options = {});

struct HistogramOptions {
  std::optional<std::vector<std::string>> collections;
  std::string family;
  // Equal-width buckets between the values' min and max. TF's kernel uses
  // ~1500 exponential buckets and drops empty ones, which gives summaries
  // of data-dependent length; a fixed count keeps the shape static.
  int64_t buckets = 30;
};

// tf.summary.histogram: min, max, count, sum, sum of squares and bucket
// counts of the values. A NaN or infinity fails the run with TF's
// InvalidArgument "Nan in summary histogram for: <tag>".
Output histogram(const std::string& name, Output values,
                 const HistogramOptions& options = {});

// tf.summary.merge: one Summary with the values of all `inputs`. Throws
// ValueError "Duplicate tag <tag> found in summary inputs".
Output merge(absl::Span<const Output> inputs, const std::string& name = "");
// tf.summary.merge_all: merges the summaries of collection `key`; a null
// Output (TF's None) when there are none.
Output merge_all(const std::string& key = GraphKeys::SUMMARIES);

// The protobuf bytes of a summary tensor. InvalidArgument unless `summary`
// is a rank-1 int32 tensor of values in [0, 255].
[[nodiscard]] absl::StatusOr<std::string> SummaryBytes(const Tensor& summary);
// A serialized Summary of one simple_value, built without a graph: TF1's
// tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)]).
std::string ScalarSummary(absl::string_view tag, float value);

// Arguments of tf.summary.FileWriter after logdir and graph, in TF's order.
struct FileWriterOptions {
  // Pending events that trigger a write to the file.
  int max_queue = 10;
  // Seconds after which pending events are written at the next add.
  double flush_secs = 120;
  std::string filename_suffix;
};

class FileWriter {
 public:
  // Creates `logdir` (and parents) and a new event file in it, whose first
  // event holds the file version ("brain.Event:2"); with a graph, the next
  // holds its GraphDef (node names, ops and inputs) for TensorBoard's graph
  // tab. Failures are kept: status() returns them and every method repeats
  // them.
  explicit FileWriter(const std::string& logdir, const Graph* graph = nullptr,
                      const FileWriterOptions& options = {});
  ~FileWriter();  // close()
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // OK once the event file is open.
  absl::Status status() const;
  const std::string& get_logdir() const { return logdir_; }
  // The event file's path.
  const std::string& path() const { return path_; }

  // Adds an Event{wall_time, step, summary}. The summary is a tensor
  // fetched from a summary op or protobuf bytes (ScalarSummary()).
  // InvalidArgument when it is not a well-formed serialized Summary.
  [[nodiscard]] absl::Status add_summary(const Tensor& summary,
                                         int64_t global_step = 0);
  [[nodiscard]] absl::Status add_summary(absl::string_view summary,
                                         int64_t global_step = 0);
  // Adds the graph's GraphDef as an event.
  [[nodiscard]] absl::Status add_graph(const Graph& graph,
                                       int64_t global_step = 0);
  // Writes pending events to the file and flushes it.
  [[nodiscard]] absl::Status flush();
  // flush(), then closes the file; later adds fail with FailedPrecondition.
  [[nodiscard]] absl::Status close();

 private:
  absl::Status AddEvent(std::string event);
  absl::Status FlushLocked();

  std::string logdir_;
  std::string path_;
  FileWriterOptions options_;
  mutable std::mutex mu_;
  absl::Status status_;
  int fd_ = -1;
  std::vector<std::string> pending_;  // framed records
  double last_flush_ = 0;
};

// The GraphDef protobuf of `graph`: one NodeDef (name, op, inputs as
// "node", "node:1", "^control") per node, enough for TensorBoard's graph
// tab. Attributes and versions are not encoded.
std::string GraphDefBytes(const Graph& graph);

}  // namespace minitf::summary

#endif  // MINITF_TRAIN_SUMMARY_H_
