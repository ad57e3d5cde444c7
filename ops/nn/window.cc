#include "minitf/ops/nn/window.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"

namespace minitf::nn {
namespace {

using dnnl::memory;

// One spatial dim of WindowGeometry.
struct SpatialGeometry {
  int64_t out = -1, pad_before = 0, pad_after = 0;
};

absl::StatusOr<SpatialGeometry> Geometry(int64_t in, int64_t k, int64_t s,
                                         int64_t d, bool same) {
  SpatialGeometry g;
  if (in < 0 || k < 0) return g;
  const int64_t dk = (k - 1) * d + 1;
  if (same) {
    g.out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>((g.out - 1) * s + dk - in, 0);
    g.pad_before = total / 2;
    g.pad_after = total - g.pad_before;
  } else {
    if (in < dk) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Negative dimension size caused by subtracting ", dk, " from ", in));
    }
    g.out = (in - dk) / s + 1;
  }
  return g;
}

memory::format_tag DataTag(int spatial, bool channels_first) {
  using tag = memory::format_tag;
  if (spatial == 1) return channels_first ? tag::ncw : tag::nwc;
  if (spatial == 2) return channels_first ? tag::nchw : tag::nhwc;
  return channels_first ? tag::ncdhw : tag::ndhwc;
}

}  // namespace

const char* DefaultDataFormat(int spatial) {
  return spatial == 1 ? "NWC" : spatial == 2 ? "NHWC" : "NDHWC";
}

std::string ChannelsFirstFormat(int spatial) {
  std::string first = DefaultDataFormat(spatial);
  first.erase(first.end() - 1);
  first.insert(first.begin() + 1, 'C');
  return first;
}

std::vector<int64_t> FullRank(const std::vector<int64_t>& spatial_values,
                              bool channels_first) {
  std::vector<int64_t> full = {1};
  if (channels_first) full.push_back(1);
  full.insert(full.end(), spatial_values.begin(), spatial_values.end());
  if (!channels_first) full.push_back(1);
  return full;
}

absl::StatusOr<Window> Window::Parse(int spatial, const std::string& padding,
                                     const std::string& data_format) {
  const std::string last = DefaultDataFormat(spatial);
  const std::string first = ChannelsFirstFormat(spatial);
  if (data_format != last && data_format != first) {
    return absl::InvalidArgumentError(
        absl::StrCat("Value for attr 'data_format' of \"", data_format,
                     "\" is not in the list of allowed values: \"", last,
                     "\", \"", first, "\""));
  }
  if (padding != "SAME" && padding != "VALID") {
    return absl::InvalidArgumentError(absl::StrCat(
        "Value for attr 'padding' of \"", padding,
        "\" is not in the list of allowed values: \"SAME\", \"VALID\""));
  }
  return Window{.spatial = spatial,
                .channels_first = data_format == first,
                .same = padding == "SAME"};
}

absl::StatusOr<std::vector<int64_t>> Window::SpatialField(
    const std::vector<int64_t>& field, absl::string_view name) const {
  if (static_cast<int>(field.size()) != rank()) {
    return absl::InvalidArgumentError(absl::StrCat("Sliding window ", name,
                                                   " field must specify ",
                                                   rank(), " dimensions"));
  }
  std::vector<int64_t> values;
  for (int i = 0; i < spatial; ++i) values.push_back(field[spatial_axis(i)]);
  return values;
}

absl::StatusOr<WindowGeometry> Window::Slide(
    const Shape& x, const std::vector<int64_t>& kernel,
    const std::vector<int64_t>& strides,
    const std::vector<int64_t>& dilations) const {
  WindowGeometry geometry{.output = x};
  for (int i = 0; i < spatial; ++i) {
    MINITF_ASSIGN_OR_RETURN(
        SpatialGeometry g,
        Geometry(x.dim(spatial_axis(i)), kernel[i], strides[i],
                 dilations.empty() ? 1 : dilations[i], same));
    geometry.output.set_dim(spatial_axis(i), g.out);
    geometry.pad_before.push_back(g.pad_before);
    geometry.pad_after.push_back(g.pad_after);
  }
  return geometry;
}

absl::Status Window::CheckRank(const Shape& s) const {
  if (s.has_rank() && s.rank() != rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank ", rank(), " but is rank ", s.rank()));
  }
  return absl::OkStatus();
}

memory::desc Window::PlainDesc(const Shape& s) const {
  return memory::desc(ToNcxOrder(ToDnnlDims(s), channels_first),
                      memory::data_type::f32, DataTag(spatial, channels_first));
}

memory::desc Window::AnyDesc(const Shape& s) const {
  return memory::desc(ToNcxOrder(ToDnnlDims(s), channels_first),
                      memory::data_type::f32, memory::format_tag::any);
}

}  // namespace minitf::nn
