#include "minitf/train/saver.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "minitf/core/errors.h"
#include "minitf/core/logging.h"
#include "minitf/graph/context.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/control/control_ops.h"
#include "minitf/ops/state/state_ops.h"
#include "minitf/train/safetensors.h"

namespace minitf::train {
namespace {

namespace fs = std::filesystem;

absl::Status ErrnoStatus(int error, absl::string_view what) {
  return absl::Status(absl::ErrnoToStatusCode(error),
                      absl::StrCat(what, ": ", std::strerror(error)));
}

bool IsRegularFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string DirectoryOf(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Writes all of `data` to `fd`, retrying short writes.
absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, absl::StrCat(path, ": write failed"));
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

// The variables Saver() saves by default, without duplicates.
std::vector<Variable> DefaultVarList() {
  std::vector<Variable> vars = global_variables();
  for (const Variable& v : VariablesInCollection(kSaveableObjects)) {
    if (std::find(vars.begin(), vars.end(), v) == vars.end()) vars.push_back(v);
  }
  return vars;
}

std::string Quote(const std::string& s) {
  return absl::StrCat("\"", absl::CEscape(s), "\"");
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::vector<absl::string_view>& pieces) {
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      absl::StrCat(path, ".tmp.", getpid(), ".", counter.fetch_add(1));
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat(temp, ": cannot create"));
  absl::Status status;
  for (absl::string_view piece : pieces) {
    status = WriteAll(fd, piece, temp);
    if (!status.ok()) break;
  }
  if (status.ok() && fsync(fd) != 0) {
    status = ErrnoStatus(errno, absl::StrCat(temp, ": fsync failed"));
  }
  if (close(fd) != 0 && status.ok()) {
    status = ErrnoStatus(errno, absl::StrCat(temp, ": close failed"));
  }
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status =
        ErrnoStatus(errno, absl::StrCat("cannot rename ", temp, " to ", path));
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  // The rename is durable only once the directory entry is on disk.
  const std::string dir = DirectoryOf(path);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoStatus(errno, absl::StrCat(dir, ": cannot open"));
  if (fsync(dir_fd) != 0) status = ErrnoStatus(errno, dir + ": fsync failed");
  close(dir_fd);
  return status;
}

std::vector<std::pair<std::string, Variable>> VarList::Resolve() const {
  std::vector<std::pair<std::string, Variable>> out;
  auto add = [&](const std::string& key, const Variable& v) {
    if (v.is_null() || !v.is_variable()) {
      ThrowTypeError(absl::StrCat("Variable to save is not a Variable: ",
                                  v.is_null() ? key : v.name()));
    }
    out.emplace_back(key, v);
  };
  if (map_) {
    for (const auto& [key, v] : *map_) add(key, v);
  } else {
    for (const Variable& v : list_ ? *list_ : DefaultVarList()) {
      add(v.is_null() || !v.is_variable() ? "None" : v.op().name(), v);
    }
  }
  return out;
}

Saver::Saver(const SaverOptions& options) : options_(options) {
  std::vector<std::pair<std::string, Variable>> vars =
      options_.var_list.Resolve();
  if (vars.empty()) {
    if (!options_.allow_empty) ThrowValueError("No variables to save");
    graph_ = &get_default_graph();
    return;
  }
  std::sort(vars.begin(), vars.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < vars.size(); ++i) {
    if (i > 0 && vars[i].first == vars[i - 1].first) {
      ThrowValueError(absl::StrCat(
          "At least two variables have the same name: ", vars[i].first));
    }
    if (vars[i].first == "__metadata__") {
      ThrowValueError(
          "\"__metadata__\" is reserved by the checkpoint format "
          "and cannot name a variable");
    }
    if (vars[i].second.graph() != vars[0].second.graph()) {
      ThrowValueError(absl::StrCat("Variable ", vars[i].second.name(),
                                   " is not in the graph of ",
                                   vars[0].second.name()));
    }
  }
  graph_ = vars[0].second.graph();
  GraphGuard as_default(*graph_);
  name_scope scope(options_.name);
  std::vector<CollectionItem> assigns;
  for (auto& [key, v] : vars) {
    Output value = placeholder(v.dtype(), v.shape());
    assigns.emplace_back(assign(v.ref(), value, {.name = "Assign"}).op());
    items_.push_back({key, v, value});
  }
  restore_op_ = group(assigns, "restore_all");
}

std::vector<std::string> Saver::keys() const {
  std::vector<std::string> out;
  for (const Item& item : items_) out.push_back(item.key);
  return out;
}

absl::Status Saver::CheckSession(const Session& sess) const {
  if (&sess.graph() != graph_) {
    return absl::FailedPreconditionError(
        "The Session's graph is not the graph the Saver was built in");
  }
  return absl::OkStatus();
}

absl::Status Saver::save(Session& sess, const std::string& save_path,
                         const Variable& global_step,
                         const SaveOptions& options) {
  MINITF_RETURN_IF_ERROR(CheckSession(sess));
  if (global_step.is_null() || global_step.shape().rank() != 0 ||
      (global_step.dtype() != int64 && global_step.dtype() != int32)) {
    return absl::InvalidArgumentError(
        "global_step must be an int32 or int64 scalar variable");
  }
  MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> step,
                          sess.run({global_step.value()}));
  return save(sess, save_path,
              global_step.dtype() == int64 ? step[0].scalar<int64_t>()
                                           : step[0].scalar<int32_t>(),
              options);
}

absl::Status Saver::save(Session& sess, const std::string& save_path,
                         std::optional<int64_t> global_step,
                         const SaveOptions& options) {
  MINITF_RETURN_IF_ERROR(CheckSession(sess));
  std::string path = save_path;
  if (global_step) {
    absl::StrAppend(&path, "-",
                    options_.pad_step_number
                        ? absl::StrFormat("%08d", *global_step)
                        : absl::StrCat(*global_step));
  }
  absl::StrAppend(&path, kCheckpointSuffix);
  if (!fs::is_directory(DirectoryOf(path))) {
    return absl::NotFoundError(absl::StrCat("Parent directory of ", save_path,
                                            " doesn't exist, can't save."));
  }
  std::vector<Output> fetches;
  for (const Item& item : items_) fetches.push_back(item.variable.value());
  NamedTensors named;
  if (!fetches.empty()) {
    MINITF_ASSIGN_OR_RETURN(std::vector<Tensor> values, sess.run(fetches));
    for (size_t i = 0; i < items_.size(); ++i) {
      named.emplace_back(items_[i].key, std::move(values[i]));
    }
  }
  std::map<std::string, std::string> metadata = {
      {"minitf_format_version", absl::StrCat(kCheckpointFormatVersion)}};
  if (global_step) metadata["global_step"] = absl::StrCat(*global_step);
  std::vector<size_t> order;
  const std::string header = SafetensorsHeader(named, metadata, &order);
  std::vector<absl::string_view> pieces = {header};
  for (size_t i : order) {
    const Tensor& t = named[i].second;
    pieces.emplace_back(static_cast<const char*>(t.raw_data()), t.TotalBytes());
  }
  MINITF_RETURN_IF_ERROR(WriteFileAtomically(path, pieces));
  if (!options.write_state) return absl::OkStatus();
  return UpdateState(path, options);
}

absl::Status Saver::UpdateState(const std::string& path,
                                const SaveOptions& options) {
  last_checkpoints_.erase(
      std::remove(last_checkpoints_.begin(), last_checkpoints_.end(), path),
      last_checkpoints_.end());
  last_checkpoints_.push_back(path);
  std::vector<std::string> to_delete;
  if (options_.max_to_keep > 0) {
    while (last_checkpoints_.size() >
           static_cast<size_t>(options_.max_to_keep)) {
      to_delete.push_back(last_checkpoints_.front());
      last_checkpoints_.erase(last_checkpoints_.begin());
    }
  }
  // The index names files relative to its directory when they are in it,
  // so that the directory can be moved.
  const std::string dir = DirectoryOf(path);
  auto relative = [&](const std::string& p) {
    return DirectoryOf(p) == dir ? fs::path(p).filename().string() : p;
  };
  std::string index =
      absl::StrCat("model_checkpoint_path: ", Quote(relative(path)), "\n");
  if (options_.max_to_keep > 0) {
    for (const std::string& p : last_checkpoints_) {
      absl::StrAppend(&index,
                      "all_model_checkpoint_paths: ", Quote(relative(p)), "\n");
    }
  } else {
    absl::StrAppend(
        &index, "all_model_checkpoint_paths: ", Quote(relative(path)), "\n");
  }
  MINITF_RETURN_IF_ERROR(WriteFileAtomically(
      (fs::path(dir) / options.latest_filename).string(), {index}));
  // Deleted only after the index stops naming them.
  for (const std::string& old : to_delete) {
    if (unlink(old.c_str()) != 0 && errno != ENOENT) {
      Log().warn("Ignoring: failed to delete {}: {}", old,
                 std::strerror(errno));
    }
  }
  return absl::OkStatus();
}

void Saver::recover_last_checkpoints(const std::vector<std::string>& paths) {
  last_checkpoints_.clear();
  for (const std::string& p : paths) {
    if (IsRegularFile(p)) last_checkpoints_.push_back(p);
  }
}

absl::Status Saver::restore(Session& sess, const std::string& save_path) {
  MINITF_RETURN_IF_ERROR(CheckSession(sess));
  std::string path = save_path;
  if (!IsRegularFile(path) && IsRegularFile(path + kCheckpointSuffix)) {
    path += kCheckpointSuffix;
  }
  if (!IsRegularFile(path)) {
    return absl::NotFoundError(absl::StrCat(
        "The passed save_path is not a valid checkpoint: ", save_path));
  }
  MINITF_ASSIGN_OR_RETURN(SafetensorsFile file, ReadSafetensors(path));
  if (auto it = file.metadata.find("minitf_format_version");
      it != file.metadata.end()) {
    int version = 0;
    if (!absl::SimpleAtoi(it->second, &version) || version < 1) {
      return absl::DataLossError(absl::StrCat(
          path, ": invalid minitf_format_version \"", it->second, "\""));
    }
    if (version > kCheckpointFormatVersion) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " has checkpoint format version ", version,
          "; this minitf reads versions up to ", kCheckpointFormatVersion));
    }
  }
  // Everything is checked before anything is assigned.
  for (const Item& item : items_) {
    const SafetensorsEntry* entry = file.Find(item.key);
    if (entry == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("Key ", item.key, " not found in checkpoint ", path));
    }
    const Variable& v = item.variable;
    if (entry->dtype != SafetensorsDtype(v.dtype())) {
      const DataType d = DataTypeOfSafetensors(entry->dtype);
      const absl::string_view original =
          d == DataType::kInvalid ? absl::string_view(entry->dtype)
                                  : DataTypeProtoName(d);
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor_name = ", item.key, "; expected dtype ",
          DataTypeProtoName(v.dtype()), " does not equal original dtype ",
          original, " (checkpoint ", path, ")"));
    }
    if (absl::MakeConstSpan(entry->shape) != v.shape().dims()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Assign requires shapes of both tensors to match. lhs shape= ",
          v.shape().DebugString(), " rhs shape= [",
          absl::StrJoin(entry->shape, ","), "] (variable ", v.op().name(),
          ", key ", item.key, " in checkpoint ", path, ")"));
    }
  }
  if (items_.empty()) return absl::OkStatus();
  FeedDict feeds;
  for (const Item& item : items_) {
    MINITF_ASSIGN_OR_RETURN(Tensor value, file.tensor(item.key));
    feeds.emplace_back(item.placeholder, std::move(value));
  }
  return sess.run(restore_op_, feeds);
}

absl::StatusOr<CheckpointState> get_checkpoint_state(
    const std::string& checkpoint_dir, const std::string& latest_filename) {
  const std::string index_path =
      (fs::path(checkpoint_dir) / latest_filename).string();
  std::ifstream in(index_path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(index_path, ": no checkpoint index file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  CheckpointState state;
  int line_number = 0;
  auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p
                                     : (fs::path(checkpoint_dir) / p).string();
  };
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    absl::string_view key = line.substr(0, colon);
    absl::string_view value =
        colon == absl::string_view::npos
            ? absl::string_view()
            : absl::StripAsciiWhitespace(line.substr(colon + 1));
    std::string unescaped;
    if (colon == absl::string_view::npos || value.size() < 2 ||
        value.front() != '"' || value.back() != '"' ||
        !absl::CUnescape(value.substr(1, value.size() - 2), &unescaped)) {
      return absl::DataLossError(absl::StrCat(index_path, ": malformed line ",
                                              line_number, ": ", line));
    }
    if (key == "model_checkpoint_path") {
      state.model_checkpoint_path = resolve(unescaped);
    } else if (key == "all_model_checkpoint_paths") {
      state.all_model_checkpoint_paths.push_back(resolve(unescaped));
    }
  }
  if (state.model_checkpoint_path.empty()) {
    return absl::DataLossError(
        absl::StrCat(index_path, ": no model_checkpoint_path"));
  }
  return state;
}

absl::StatusOr<std::string> latest_checkpoint(
    const std::string& checkpoint_dir, const std::string& latest_filename) {
  MINITF_ASSIGN_OR_RETURN(
      CheckpointState state,
      get_checkpoint_state(checkpoint_dir, latest_filename));
  if (!checkpoint_exists(state.model_checkpoint_path)) {
    return absl::NotFoundError(
        absl::StrCat("the checkpoint index of ", checkpoint_dir, " names ",
                     state.model_checkpoint_path, ", which does not exist"));
  }
  return state.model_checkpoint_path;
}

bool checkpoint_exists(const std::string& path) {
  return IsRegularFile(path) || IsRegularFile(path + kCheckpointSuffix);
}

}  // namespace minitf::train
