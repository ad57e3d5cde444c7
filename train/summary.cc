#include "minitf/train/summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/shape_fns.h"
#include "minitf/train/tfrecord.h"

namespace minitf::summary {
namespace {

static_assert(std::endian::native == std::endian::little,
              "protobuf fixed-width fields are little-endian");

// ---- Protobuf wire format (developers.google.com/protocol-buffers/docs/
// encoding): a key varint (field << 3 | wire type), then the value.
enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kBytes = 2,
  kFixed32 = 5
};

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
void AppendKey(std::string& out, uint32_t field, WireType type) {
  AppendVarint(out, (field << 3) | type);
}
void AppendBytes(std::string& out, uint32_t field, absl::string_view bytes) {
  AppendKey(out, field, kBytes);
  AppendVarint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}
void AppendDouble(std::string& out, uint32_t field, double v) {
  AppendKey(out, field, kFixed64);
  out.append(reinterpret_cast<const char*>(&v), 8);
}
void AppendFloat(std::string& out, uint32_t field, float v) {
  AppendKey(out, field, kFixed32);
  out.append(reinterpret_cast<const char*>(&v), 4);
}

// Checks that `bytes` is a sequence of well-formed fields; Summary allows
// only field 1 (value) at its top level.
bool IsWellFormedSummary(absl::string_view bytes) {
  size_t i = 0;
  auto varint = [&](uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= bytes.size()) return false;
      const auto b = static_cast<unsigned char>(bytes[i++]);
      *v |= uint64_t{b & 0x7fu} << shift;
      if (b < 0x80) return true;
    }
    return false;
  };
  while (i < bytes.size()) {
    uint64_t key, length;
    if (!varint(&key) || key != ((1 << 3) | kBytes) || !varint(&length) ||
        length > bytes.size() - i) {
      return false;
    }
    i += length;
  }
  return true;
}

// Summary{value: [Value{tag, <value bytes>}]}: the bytes before the value
// field's payload, for a Value whose remaining fields take `rest` bytes.
std::string SummaryPrefix(absl::string_view tag, size_t rest) {
  std::string value;
  AppendBytes(value, 1, tag);
  std::string out;
  AppendKey(out, 1, kBytes);
  AppendVarint(out, value.size() + rest);
  return out + value;
}

// Histogram field sizes: five doubles, then two packed arrays of doubles.
size_t HistoSize(int64_t buckets) {
  const size_t packed = 8 * buckets;
  return 5 * 9 + 2 * (1 + VarintSize(packed) + packed);
}
size_t HistogramValueRest(int64_t buckets) {
  const size_t histo = HistoSize(buckets);
  return 1 + VarintSize(histo) + histo;
}

// ---- Tags, as TF's summary_op_util.
std::string CleanTag(absl::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                    c == '-' || c == '/' || c == '.';
    out.push_back(ok ? c : '_');
  }
  const size_t first = out.find_first_not_of('/');
  out = first == std::string::npos ? "" : out.substr(first);
  if (out != name) {
    Log().info("Summary name {} is illegal; using {} instead.",
               std::string(name), out);
  }
  return out;
}

// Writes `bytes` into an int32 tensor, one element per byte.
void StoreBytes(absl::string_view bytes, Tensor& out, int64_t offset = 0) {
  int32_t* dst = out.flat<int32_t>().data() + offset;
  for (size_t i = 0; i < bytes.size(); ++i) {
    dst[i] = static_cast<unsigned char>(bytes[i]);
  }
}

template <typename Fn>
void ForEachValue(const Tensor& t, Fn&& fn) {
  DispatchDataType(t.dtype(), [&]<typename T>() {
    for (T v : t.flat<T>()) fn(static_cast<double>(v));
  });
}

absl::Status CheckRealDtype(DataType dtype, absl::string_view what) {
  return CheckDtypeAllowed(
      dtype, what, {DataType::kFloat, DataType::kInt32, DataType::kInt64});
}

// ---- ScalarSummary
class ScalarSummaryKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    if (ctx.input_shapes[0].rank() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("tags and values not the same shape: [] != ",
                       ctx.input_shapes[0].DebugString()));
    }
    prefix_ = SummaryPrefix(ctx.node.attr<std::string>("tag"), 5);
    AppendKey(prefix_, 2, kFixed32);
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    float value = 0;
    ForEachValue(ctx.input(0),
                 [&](double v) { value = static_cast<float>(v); });
    StoreBytes(prefix_, ctx.output(0));
    StoreBytes(absl::string_view(reinterpret_cast<const char*>(&value), 4),
               ctx.output(0), static_cast<int64_t>(prefix_.size()));
    return absl::OkStatus();
  }

 private:
  std::string prefix_;
};

absl::Status ScalarSummaryShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckRealDtype(ctx.input_dtype(0), "values"));
  const Shape& s = ctx.input_shape(0);
  if (s.has_rank() && s.rank() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tags and values not the same shape: [] != ", s.DebugString()));
  }
  const size_t size = SummaryPrefix(ctx.attr<std::string>("tag"), 5).size() + 5;
  ctx.add_output(DataType::kInt32, Shape({static_cast<int64_t>(size)}));
  return absl::OkStatus();
}

// ---- HistogramSummary
class HistogramSummaryKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    tag_ = ctx.node.attr<std::string>("tag");
    buckets_ = ctx.node.attr<int64_t>("buckets");
    prefix_ = SummaryPrefix(tag_, HistogramValueRest(buckets_));
    AppendKey(prefix_, 5, kBytes);
    AppendVarint(prefix_, HistoSize(buckets_));
    counts_.assign(buckets_, 0.0);
    scratch_.reserve(prefix_.size() + HistoSize(buckets_));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const Tensor& values = ctx.input(0);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    double sum = 0, sum_squares = 0;
    bool finite = true;
    ForEachValue(values, [&](double v) {
      finite = finite && std::isfinite(v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
      sum_squares += v * v;
    });
    if (!finite) {
      return absl::InvalidArgumentError(
          absl::StrCat("Nan in summary histogram for: ", tag_));
    }
    const double n = static_cast<double>(values.NumElements());
    if (n == 0) lo = hi = 0;
    // Equal-width buckets over [lo, hi]; a constant tensor gets a unit
    // range around its value, as TensorBoard's own histogram op does.
    const double left = lo == hi ? lo - 0.5 : lo;
    const double right = lo == hi ? hi + 0.5 : hi;
    const double width = (right - left) / static_cast<double>(buckets_);
    std::fill(counts_.begin(), counts_.end(), 0.0);
    ForEachValue(values, [&](double v) {
      auto b = static_cast<int64_t>((v - left) / width);
      counts_[std::clamp<int64_t>(b, 0, buckets_ - 1)] += 1;
    });
    scratch_ = prefix_;  // fits the reserved capacity: no allocation
    AppendDouble(scratch_, 1, lo);
    AppendDouble(scratch_, 2, hi);
    AppendDouble(scratch_, 3, n);
    AppendDouble(scratch_, 4, sum);
    AppendDouble(scratch_, 5, sum_squares);
    AppendKey(scratch_, 6, kBytes);
    AppendVarint(scratch_, 8 * buckets_);
    for (int64_t i = 0; i < buckets_; ++i) {
      const double limit =
          i + 1 == buckets_ ? right : left + width * static_cast<double>(i + 1);
      scratch_.append(reinterpret_cast<const char*>(&limit), 8);
    }
    AppendKey(scratch_, 7, kBytes);
    AppendVarint(scratch_, 8 * buckets_);
    scratch_.append(reinterpret_cast<const char*>(counts_.data()),
                    8 * buckets_);
    StoreBytes(scratch_, ctx.output(0));
    return absl::OkStatus();
  }

 private:
  std::string tag_;
  int64_t buckets_ = 0;
  std::string prefix_;
  std::vector<double> counts_;
  std::string scratch_;
};

absl::Status HistogramSummaryShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckRealDtype(ctx.input_dtype(0), "values"));
  const int64_t buckets = ctx.attr<int64_t>("buckets");
  if (buckets < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("buckets must be positive, got ", buckets));
  }
  const size_t rest = HistogramValueRest(buckets);
  const size_t size =
      SummaryPrefix(ctx.attr<std::string>("tag"), rest).size() + rest;
  ctx.add_output(DataType::kInt32, Shape({static_cast<int64_t>(size)}));
  return absl::OkStatus();
}

// ---- MergeSummary: concatenation merges the repeated `value` fields.
class MergeSummaryKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    int32_t* dst = ctx.output(0).flat<int32_t>().data();
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      absl::Span<const int32_t> src = ctx.input(i).flat<int32_t>();
      std::copy(src.begin(), src.end(), dst);
      dst += src.size();
    }
    return absl::OkStatus();
  }
};

absl::Status MergeSummaryShape(ShapeContext& ctx) {
  int64_t size = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    if (ctx.input_dtype(i) != DataType::kInt32 ||
        (s.has_rank() && s.rank() != 1)) {
      return TypeErrorStatus(absl::StrCat(
          "MergeSummary input ", i,
          " must be a serialized summary (a rank-1 int32 tensor), not ",
          DataTypeName(ctx.input_dtype(i)), " ", s.DebugString()));
    }
    if (size >= 0) size = s.has_rank() && s.dim(0) >= 0 ? size + s.dim(0) : -1;
  }
  ctx.add_output(DataType::kInt32, Shape({size}));
  return absl::OkStatus();
}

// The tags a summary op's output holds, when known at build time.
std::vector<std::string> TagsOf(const Output& summary) {
  const Node* node = summary.node();
  if (node->type() == "ScalarSummary" || node->type() == "HistogramSummary") {
    return {node->attr<std::string>("tag")};
  }
  if (node->type() == "MergeSummary") {
    const std::string& tags = node->attr<std::string>("tags");
    if (tags.empty()) return {};
    return absl::StrSplit(tags, '\n');
  }
  return {};
}

void Collect(const Output& summary,
             const std::optional<std::vector<std::string>>& collections) {
  const std::vector<std::string> keys =
      collections.value_or(std::vector<std::string>{GraphKeys::SUMMARIES});
  add_to_collections(keys, summary);
}

// TF's summary_scope: the name scope and the tag of a summary op.
template <typename BuildFn>
Output InSummaryScope(const std::string& name, const std::string& family,
                      BuildFn&& build) {
  const std::string clean = CleanTag(name);
  const std::string clean_family = CleanTag(family);
  const std::string base =
      clean_family.empty() ? clean : absl::StrCat(clean_family, "/", clean);
  name_scope scope(base);
  std::string tag(absl::StripSuffix(scope.name(), "/"));
  if (!clean_family.empty()) tag = absl::StrCat(clean_family, "/", tag);
  return build(tag, scope.name());
}

}  // namespace

Output scalar(const std::string& name, Output tensor,
              const SummaryOptions& options) {
  Output out = InSummaryScope(
      name, options.family, [&](const std::string& tag, const std::string& op) {
        return OpBuilder("ScalarSummary", op)
            .Input(tensor)
            .Attr("tag", tag)
            .Build();
      });
  Collect(out, options.collections);
  return out;
}

Output histogram(const std::string& name, Output values,
                 const HistogramOptions& options) {
  Output out = InSummaryScope(
      name, options.family, [&](const std::string& tag, const std::string& op) {
        return OpBuilder("HistogramSummary", op)
            .Input(values)
            .Attr("tag", tag)
            .Attr("buckets", options.buckets)
            .Build();
      });
  Collect(out, options.collections);
  return out;
}

Output merge(absl::Span<const Output> inputs, const std::string& name) {
  std::vector<std::string> tags;
  std::set<std::string> seen;
  for (const Output& input : inputs) {
    for (std::string& tag : TagsOf(input)) {
      if (!seen.insert(tag).second) {
        ThrowValueError(
            absl::StrCat("Duplicate tag ", tag, " found in summary inputs"));
      }
      tags.push_back(std::move(tag));
    }
  }
  name_scope scope(name.empty() ? std::optional<std::string>() : name, "Merge");
  return OpBuilder("MergeSummary", name.empty() ? "MergeSummary" : name)
      .Inputs(inputs)
      .Attr("tags", absl::StrJoin(tags, "\n"))
      .Build();
}

Output merge_all(const std::string& key) {
  std::vector<Output> summaries;
  for (const CollectionItem& item : get_collection(key)) {
    if (Output o = item.output()) summaries.push_back(o);
  }
  if (summaries.empty()) return Output();
  return merge(summaries);
}

absl::StatusOr<std::string> SummaryBytes(const Tensor& summary) {
  if (summary.dtype() != DataType::kInt32 || summary.shape().rank() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a serialized summary is a rank-1 int32 tensor of bytes, not ",
        DataTypeName(summary.dtype()), " ", summary.shape().DebugString()));
  }
  std::string bytes;
  bytes.reserve(summary.NumElements());
  for (int32_t v : summary.flat<int32_t>()) {
    if (v < 0 || v > 255) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a serialized summary holds bytes in [0, 255], found ", v));
    }
    bytes.push_back(static_cast<char>(v));
  }
  return bytes;
}

std::string ScalarSummary(absl::string_view tag, float value) {
  std::string out = SummaryPrefix(tag, 5);
  AppendFloat(out, 2, value);
  return out;
}

std::string GraphDefBytes(const Graph& graph) {
  std::string out;
  for (const auto& node : graph.nodes()) {
    std::string def;
    AppendBytes(def, 1, node->name());
    AppendBytes(def, 2, node->type());
    for (const Output& input : node->inputs()) {
      AppendBytes(def, 3,
                  input.index() == 0
                      ? input.node()->name()
                      : absl::StrCat(input.node()->name(), ":", input.index()));
    }
    for (const Node* control : node->control_inputs()) {
      AppendBytes(def, 3, absl::StrCat("^", control->name()));
    }
    AppendBytes(out, 1, def);
  }
  return out;
}

// ---- FileWriter
namespace {

double WallTime() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Event{wall_time = 1, step = 2, <field> = bytes}.
std::string EventBytes(double wall_time, int64_t step, uint32_t field,
                       absl::string_view payload) {
  std::string event;
  AppendDouble(event, 1, wall_time);
  if (step != 0) {
    AppendKey(event, 2, kVarint);
    AppendVarint(event, static_cast<uint64_t>(step));
  }
  AppendBytes(event, field, payload);
  return event;
}

constexpr uint32_t kFileVersionField = 3;
constexpr uint32_t kGraphDefField = 4;
constexpr uint32_t kSummaryField = 5;

}  // namespace

FileWriter::FileWriter(const std::string& logdir, const Graph* graph,
                       const FileWriterOptions& options)
    : logdir_(logdir), options_(options) {
  std::error_code error;
  std::filesystem::create_directories(logdir, error);
  if (error) {
    status_ = absl::Status(
        absl::ErrnoToStatusCode(error.value()),
        absl::StrCat(logdir,
                     ": cannot create the log directory: ", error.message()));
    return;
  }
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const auto now = static_cast<int64_t>(WallTime());
  // Two writers started in the same second get distinct files.
  for (int attempt = 0; fd_ < 0; ++attempt) {
    path_ = absl::StrFormat("%s/events.out.tfevents.%010d.%s%s%s", logdir, now,
                            host, options_.filename_suffix,
                            attempt == 0 ? "" : absl::StrCat(".", attempt));
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && (errno != EEXIST || attempt > 100)) {
      status_ = absl::Status(
          absl::ErrnoToStatusCode(errno),
          absl::StrCat(path_, ": cannot create: ", std::strerror(errno)));
      return;
    }
  }
  last_flush_ = WallTime();
  std::string version = "brain.Event:2";
  status_ = AddEvent(EventBytes(WallTime(), 0, kFileVersionField, version));
  if (status_.ok()) status_ = flush();
  if (status_.ok() && graph != nullptr) status_ = add_graph(*graph);
}

FileWriter::~FileWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0) return;  // closed, or never opened (status() says why)
  }
  absl::Status s = close();
  if (!s.ok()) {
    Log().error("FileWriter for {} failed on close: {}", logdir_, s.ToString());
  }
}

absl::Status FileWriter::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

absl::Status FileWriter::add_summary(const Tensor& summary,
                                     int64_t global_step) {
  MINITF_ASSIGN_OR_RETURN(std::string bytes, SummaryBytes(summary));
  return add_summary(bytes, global_step);
}

absl::Status FileWriter::add_summary(absl::string_view summary,
                                     int64_t global_step) {
  if (!IsWellFormedSummary(summary)) {
    return absl::InvalidArgumentError(
        "add_summary: the bytes are not a serialized Summary protocol buffer");
  }
  return AddEvent(EventBytes(WallTime(), global_step, kSummaryField, summary));
}

absl::Status FileWriter::add_graph(const Graph& graph, int64_t global_step) {
  return AddEvent(EventBytes(WallTime(), global_step, kGraphDefField,
                             GraphDefBytes(graph)));
}

absl::Status FileWriter::AddEvent(std::string event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!status_.ok()) return status_;
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("FileWriter for ", logdir_, " is closed"));
  }
  pending_.push_back(train::FrameRecord(event));
  if (static_cast<int>(pending_.size()) >= options_.max_queue ||
      WallTime() - last_flush_ >= options_.flush_secs) {
    return FlushLocked();
  }
  return absl::OkStatus();
}

absl::Status FileWriter::FlushLocked() {
  for (const std::string& record : pending_) {
    absl::string_view rest = record;
    while (!rest.empty()) {
      const ssize_t n = write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status_ = absl::Status(
            absl::ErrnoToStatusCode(errno),
            absl::StrCat(path_, ": write failed: ", std::strerror(errno)));
        return status_;
      }
      rest.remove_prefix(n);
    }
  }
  pending_.clear();
  last_flush_ = WallTime();
  return absl::OkStatus();
}

absl::Status FileWriter::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!status_.ok()) return status_;
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("FileWriter for ", logdir_, " is closed"));
  }
  return FlushLocked();
}

absl::Status FileWriter::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return status_;  // already closed, or never opened
  absl::Status s = status_.ok() ? FlushLocked() : status_;
  if (::close(fd_) != 0 && s.ok()) {
    s = absl::Status(absl::ErrnoToStatusCode(errno),
                     absl::StrCat(path_, ": close failed"));
  }
  fd_ = -1;
  return s;
}

void RegisterSummaryOps() {
  RegisterOp({.type = "ScalarSummary",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<std::string>("tag")},
              .shape_fn = ScalarSummaryShape,
              .kernel = MakeKernel<ScalarSummaryKernel>,
              .differentiable = false});
  RegisterOp({.type = "HistogramSummary",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<std::string>("tag"),
                        AttrDef::Optional("buckets", int64_t{30})},
              .shape_fn = HistogramSummaryShape,
              .kernel = MakeKernel<HistogramSummaryKernel>,
              .differentiable = false});
  RegisterOp({.type = "MergeSummary",
              .num_inputs = -1,
              .attrs = {AttrDef::Optional("tags", std::string())},
              .shape_fn = MergeSummaryShape,
              .kernel = MakeKernel<MergeSummaryKernel>,
              .differentiable = false});
}

}  // namespace minitf::summary
