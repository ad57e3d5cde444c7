// train::Saver: TF1's tf.train.Saver, writing safetensors checkpoints (see
// safetensors.h) that NumPy and PyTorch read directly. Like TF's, it builds
// its ops when constructed (under the name scope "save"): a save fetches the
// variables' values, a restore feeds the checkpoint's tensors through
// placeholders into one group of assign ops ("save/restore_all").
//
//   tf::train::Saver saver;                        // all global variables
//   absl::Status s = saver.save(sess, "/tmp/model/ckpt", /*global_step=*/100);
//   // wrote /tmp/model/ckpt-100.safetensors and /tmp/model/checkpoint
//   auto latest = tf::train::latest_checkpoint("/tmp/model");
//   if (latest.ok()) s = saver.restore(sess, *latest);
//
//   tf::train::Saver subset({.var_list = {w, b}, .max_to_keep = 3});
//   tf::train::Saver renamed({.var_list = {{{"old/w", w}}}});  // key -> var
//
// Checkpoint keys are the variables' op names ("dense/kernel"); metadata
// holds "minitf_format_version" and "global_step". A save writes a temporary
// file in the same directory, fsyncs it, renames it over the target and
// fsyncs the directory, so a crash never leaves a partial checkpoint nor
// loses the previous one. A restore validates the whole file and matches
// every variable's dtype and shape before it assigns anything: a missing,
// truncated, corrupted, hostile or mismatched checkpoint is NotFound /
// DataLoss / InvalidArgument and leaves every variable untouched.
//
// Thread-compatible: one thread uses a Saver at a time.
#ifndef MINITF_TRAIN_SAVER_H_
#define MINITF_TRAIN_SAVER_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/graph/session.h"
#include "minitf/variables/variable.h"

namespace minitf::train {

// The version written into "__metadata__"; a restore refuses newer ones.
inline constexpr int kCheckpointFormatVersion = 1;
// The file name extension of checkpoints.
inline constexpr char kCheckpointSuffix[] = ".safetensors";
// TF's collection of objects saved besides GLOBAL_VARIABLES.
inline constexpr char kSaveableObjects[] = "saveable_objects";

// TF's var_list: None (every global and saveable variable), a list of
// variables (keyed by their op names) or a map of keys to variables.
class VarList {
 public:
  VarList() = default;
  VarList(std::vector<Variable> list) : list_(std::move(list)) {}  // NOLINT
  VarList(std::initializer_list<Variable> list) : list_(list) {}   // NOLINT
  VarList(std::map<std::string, Variable> map)                     // NOLINT
      : map_(std::move(map)) {}

  // The (key, variable) pairs, in no particular order. Throws TypeError
  // "Variable to save is not a Variable: <name>" for a non-variable.
  std::vector<std::pair<std::string, Variable>> Resolve() const;

 private:
  std::optional<std::vector<Variable>> list_;
  std::optional<std::map<std::string, Variable>> map_;
};

// Arguments of tf.train.Saver, in TF's order (those minitf has).
struct SaverOptions {
  VarList var_list;
  // Keep this many most recent checkpoints, deleting older ones; 0 or less
  // keeps all files (and the index lists only the latest), as in TF.
  int max_to_keep = 5;
  // The name scope of the Saver's ops.
  std::string name = "save";
  // When false, a Saver of no variables is a ValueError "No variables to
  // save".
  bool allow_empty = false;
  // Zero-pad the step in file names to 8 digits ("ckpt-00000100").
  bool pad_step_number = false;
};

// Arguments of Saver.save after global_step, in TF's order.
struct SaveOptions {
  // The index file in the checkpoint's directory.
  std::string latest_filename = "checkpoint";
  // When false, neither the index file nor max_to_keep is updated.
  bool write_state = true;
};

class Saver {
 public:
  // Builds the save and restore ops of options.var_list. Throws ValueError
  // "No variables to save" when there are none (unless allow_empty), and
  // "At least two variables have the same name: <name>" for a repeated key.
  explicit Saver(const SaverOptions& options = {});

  // Writes the variables to "<save_path>-<global_step>.safetensors" (or
  // "<save_path>.safetensors" without a step), updates the index file and
  // deletes checkpoints beyond max_to_keep. last_checkpoints().back() is the
  // path written. Fails when a variable is uninitialized or on I/O errors.
  [[nodiscard]] absl::Status save(Session& sess, const std::string& save_path,
                                  std::optional<int64_t> global_step = {},
                                  const SaveOptions& options = {});
  // As above, the step read from `global_step` (an integer scalar variable).
  [[nodiscard]] absl::Status save(Session& sess, const std::string& save_path,
                                  const Variable& global_step,
                                  const SaveOptions& options = {});

  // Restores every variable of the Saver from the checkpoint at
  // `save_path` (the file, or its name without ".safetensors"). Tensors of
  // the file that the Saver does not know are ignored.
  [[nodiscard]] absl::Status restore(Session& sess,
                                     const std::string& save_path);

  // The checkpoints this Saver wrote and still keeps, oldest first.
  const std::vector<std::string>& last_checkpoints() const {
    return last_checkpoints_;
  }
  // Takes over `paths` (oldest first) as if this Saver had written them, so
  // that max_to_keep also deletes checkpoints of a previous run.
  void recover_last_checkpoints(const std::vector<std::string>& paths);

  // The checkpoint keys in sorted order, and the restore op.
  std::vector<std::string> keys() const;
  Operation restore_op() const { return restore_op_; }

 private:
  struct Item {
    std::string key;
    Variable variable;
    Output placeholder;
  };
  absl::Status CheckSession(const Session& sess) const;
  absl::Status UpdateState(const std::string& path, const SaveOptions& options);

  SaverOptions options_;
  Graph* graph_ = nullptr;
  std::vector<Item> items_;  // sorted by key
  Operation restore_op_;
  std::vector<std::string> last_checkpoints_;
};

// The index file of a checkpoint directory (TF's CheckpointState).
struct CheckpointState {
  std::string model_checkpoint_path;                    // the latest
  std::vector<std::string> all_model_checkpoint_paths;  // oldest first
};

// Reads `<checkpoint_dir>/<latest_filename>`: NotFound when it is absent,
// DataLoss when malformed. Relative paths are made relative to the
// directory.
[[nodiscard]] absl::StatusOr<CheckpointState> get_checkpoint_state(
    const std::string& checkpoint_dir,
    const std::string& latest_filename = "checkpoint");

// Returns the path of the latest checkpoint of `checkpoint_dir`: NotFound
// when there is no index file or the checkpoint it names is gone.
[[nodiscard]] absl::StatusOr<std::string> latest_checkpoint(
    const std::string& checkpoint_dir,
    const std::string& latest_filename = "checkpoint");

// True when `path` (with or without ".safetensors") names a checkpoint file.
bool checkpoint_exists(const std::string& path);

// Writes `pieces`, concatenated, to `path` atomically: a temporary file in
// the same directory, fsync, rename, fsync of the directory.
[[nodiscard]] absl::Status WriteFileAtomically(
    const std::string& path, const std::vector<absl::string_view>& pieces);

}  // namespace minitf::train

#endif  // MINITF_TRAIN_SAVER_H_
