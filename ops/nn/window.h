// What the sliding-window ops (convolution and pooling, 1 to 3 spatial
// dims) share: the data formats of each spatial rank, the parsing of their
// `padding` and `data_format` attrs, TF's output-size and SAME-padding rule,
// and the oneDNN descriptors of their data tensors. Internal to ops/nn; each
// op keeps its own per-dimension attrs and TF's messages about them.
//
//   MINITF_ASSIGN_OR_RETURN(Window w, Window::Parse(2, "SAME", "NCHW"));
//   MINITF_ASSIGN_OR_RETURN(std::vector<int64_t> strides,
//                           w.SpatialField(node_strides, "strides"));
//   MINITF_ASSIGN_OR_RETURN(WindowGeometry g,
//                           w.Slide(x, ksize, strides, /*dilations=*/{}));
//
// Plain values and pure functions: thread-compatible.
#ifndef MINITF_OPS_NN_WINDOW_H_
#define MINITF_OPS_NN_WINDOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "minitf/core/onednn.h"
#include "minitf/core/shape.h"

namespace minitf::nn {

// The channels-last format of `spatial` (1 to 3) dims, each op's default:
// "NWC", "NHWC" or "NDHWC".
const char* DefaultDataFormat(int spatial);
// Its channels-first counterpart: "NCW", "NCHW" or "NCDHW".
std::string ChannelsFirstFormat(int spatial);

// A full-rank per-dimension attr from its `spatial` values: ones at the
// batch and channel axes.
std::vector<int64_t> FullRank(const std::vector<int64_t>& spatial_values,
                              bool channels_first);

// TF's output size and SAME padding along all spatial dims (the odd pixel of
// padding goes after).
struct WindowGeometry {
  Shape output;  // the input with each spatial dim at its output size
  dnnl::memory::dims pad_before, pad_after;
};

// The layout and padding of a sliding-window op's data tensors.
struct Window {
  int spatial = 2;
  bool channels_first = false;
  bool same = false;  // padding "SAME"; else "VALID"

  // Validates `data_format` (DefaultDataFormat(spatial) or its channels-first
  // counterpart) and `padding` ("SAME" or "VALID"), in that order, with
  // op_def_library's messages ("Value for attr 'data_format' of ...").
  static absl::StatusOr<Window> Parse(int spatial, const std::string& padding,
                                      const std::string& data_format);

  int rank() const { return spatial + 2; }
  int channel_axis() const { return channels_first ? 1 : spatial + 1; }
  int spatial_axis(int i) const { return channels_first ? 2 + i : 1 + i; }

  // The spatial entries of a full-rank per-dimension attr; InvalidArgument
  // "Sliding window <name> field must specify <rank> dimensions" unless it
  // has rank() entries.
  absl::StatusOr<std::vector<int64_t>> SpatialField(
      const std::vector<int64_t>& field, absl::string_view name) const;

  // The geometry of sliding a window of `kernel` (spatial dims, -1 unknown)
  // over `x`. `dilations` empty means none. An unknown input or kernel dim
  // gives an unknown output dim. VALID padding with a (dilated) window larger
  // than the input is InvalidArgument "Negative dimension size caused by
  // subtracting <window> from <input>". REQUIRES: x.rank() == rank().
  absl::StatusOr<WindowGeometry> Slide(
      const Shape& x, const std::vector<int64_t>& kernel,
      const std::vector<int64_t>& strides,
      const std::vector<int64_t>& dilations) const;

  // InvalidArgument "Shape must be rank <rank()> but is rank <r>" when `s`
  // has another known rank.
  absl::Status CheckRank(const Shape& s) const;

  // The float data tensor of shape `s` as oneDNN sees it: dims
  // {N, C, spatial...}, in the tensor's own layout (nwc/nhwc/ndhwc or
  // ncw/nchw/ncdhw) or left to the primitive (format_tag::any).
  dnnl::memory::desc PlainDesc(const Shape& s) const;
  dnnl::memory::desc AnyDesc(const Shape& s) const;
};

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_WINDOW_H_
