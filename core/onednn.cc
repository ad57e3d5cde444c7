#include "minitf/core/onednn.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"

namespace minitf {

dnnl::engine& CpuEngine() {
  static auto* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::stream& CpuStream() {
  thread_local dnnl::stream stream(CpuEngine());
  return stream;
}

dnnl::memory::data_type ToDnnl(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
      return dnnl::memory::data_type::f32;
    case DataType::kBFloat16:
      return dnnl::memory::data_type::bf16;
    case DataType::kInt32:
      return dnnl::memory::data_type::s32;
    case DataType::kBool:
      return dnnl::memory::data_type::u8;
    default:
      return dnnl::memory::data_type::undef;
  }
}

dnnl::memory::dims ToDnnlDims(const Shape& shape) {
  return dnnl::memory::dims(shape.dims().begin(), shape.dims().end());
}

dnnl::memory::dims RowMajorStrides(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * dims[i + 1];
  }
  return strides;
}

dnnl::memory::dims ToNcxOrder(const dnnl::memory::dims& per_axis,
                              bool channels_first) {
  const int rank = static_cast<int>(per_axis.size());
  const int c_axis = channels_first ? 1 : rank - 1;
  dnnl::memory::dims ncx = {per_axis[0], per_axis[c_axis]};
  for (int i = 1; i < rank; ++i) {
    if (i != c_axis) ncx.push_back(per_axis[i]);
  }
  return ncx;
}

void PrimitiveArgs::Add(int arg, const dnnl::memory& mem) {
  memories_.push_back(mem);
  args_.push_back({arg, mem.get()});
}

namespace {
thread_local bool inside_execute = false;
}  // namespace

bool InsideOneDnnExecute() { return inside_execute; }

void PrimitiveArgs::Execute(const dnnl::primitive& primitive) const {
  inside_execute = true;
  const dnnl_status_t status =
      dnnl_primitive_execute(primitive.get(), CpuStream().get(),
                             static_cast<int>(args_.size()), args_.data());
  inside_execute = false;
  dnnl::error::wrap_c_api(status, "could not execute a primitive");
}

namespace {
thread_local ScratchArena* current_arena = nullptr;
constexpr size_t kScratchAlignment = 64;
}  // namespace

dnnl::memory ScratchMemory(const dnnl::memory::desc& desc) {
  if (current_arena != nullptr) return current_arena->Request(desc);
  return dnnl::memory(desc, CpuEngine());
}

dnnl::primitive_attr UserScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

ScratchArena::Scope::Scope(ScratchArena& arena) : previous_(current_arena) {
  current_arena = &arena;
  arena.kernel_bytes_ = 0;
}

ScratchArena::Scope::~Scope() { current_arena = previous_; }

dnnl::memory ScratchArena::Request(const dnnl::memory::desc& desc) {
  dnnl::memory memory(desc, CpuEngine(), nullptr);
  pieces_.push_back({memory, kernel_bytes_});
  const size_t bytes = desc.get_size();
  kernel_bytes_ +=
      (bytes + kScratchAlignment - 1) / kScratchAlignment * kScratchAlignment;
  size_ = std::max(size_, kernel_bytes_);
  return memory;
}

absl::Status ScratchArena::Allocate() {
  if (size_ == 0) return absl::OkStatus();
  void* data = std::aligned_alloc(kScratchAlignment, size_);
  if (data == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "OOM when allocating the plan's scratch memory of ", size_, " bytes"));
  }
  buffer_ = std::shared_ptr<void>(data, std::free);
  for (Piece& piece : pieces_) {
    piece.memory.set_data_handle(static_cast<char*>(data) + piece.offset);
  }
  return absl::OkStatus();
}

std::string ImplementationOf(const dnnl::primitive& primitive) {
  const char* info = nullptr;
  if (dnnl_primitive_desc_query(primitive.get_primitive_desc(),
                                dnnl_query_impl_info_str, 0,
                                &info) != dnnl_success ||
      info == nullptr) {
    return "unknown";
  }
  return info;
}

std::string LayoutName(const dnnl::memory::desc& desc) {
  const dnnl_memory_desc_t& md = desc.data;
  if (md.format_kind == dnnl_format_kind_any) return "any";
  if (md.format_kind != dnnl_blocked) return "undef";
  const dnnl_blocking_desc_t& blk = md.format_desc.blocking;
  std::vector<int> order(md.ndims);
  for (int d = 0; d < md.ndims; ++d) order[d] = d;
  // Outermost first: larger strides first, ties in logical order.
  // (std::sort, not stable_sort: libstdc++ 12's temporary buffer reads as
  // an allocation mismatch to AddressSanitizer.)
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return blk.strides[a] != blk.strides[b] ? blk.strides[a] > blk.strides[b]
                                            : a < b;
  });
  std::string name;
  for (int d : order) {
    bool blocked = false;
    for (int i = 0; i < blk.inner_nblks; ++i) blocked |= blk.inner_idxs[i] == d;
    name += static_cast<char>((blocked ? 'A' : 'a') + d);
  }
  for (int i = 0; i < blk.inner_nblks; ++i) {
    name += std::to_string(blk.inner_blks[i]);
    name += static_cast<char>('a' + blk.inner_idxs[i]);
  }
  if (desc.data_type() == dnnl::memory::data_type::bf16) name += ":bf16";
  return name;
}

dnnl::memory::desc ComputeOperand(const dnnl::memory::desc& given, bool bf16) {
  return bf16 ? dnnl::memory::desc(given.dims(), dnnl::memory::data_type::bf16,
                                   dnnl::memory::format_tag::any)
              : given;
}

bool HasBFloat16Instructions() {
  // cpu_isa values are feature masks: a wider ISA contains a narrower one.
  const auto mask = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & mask) == mask;
}

std::string DnnlPort::DebugString() const {
  const std::string plain = LayoutName(plain_.get_desc());
  if (!needs_reorder_) return plain;
  const std::string chosen = LayoutName(chosen_.get_desc());
  return is_input_ ? plain + "->" + chosen : chosen + "->" + plain;
}

bool SameLayout(const BlockedLayout* a, const BlockedLayout* b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  return a->blocked == b->blocked && a->plain == b->plain;
}

absl::Status ConvertLayout(const Tensor& value, const BlockedLayout* from,
                           const BlockedLayout* to) {
  if (SameLayout(from, to)) return absl::OkStatus();
  const size_t bytes = value.TotalBytes();
  std::unique_ptr<char[]> copy(new (std::nothrow) char[bytes]);
  if (copy == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "OOM when converting a variable of ", bytes, " bytes to its layout"));
  }
  void* data = value.raw_data();
  std::memcpy(copy.get(), data, bytes);
  // Through row-major when the two describe it in different dims.
  auto reorder = [&](const dnnl::memory::desc& src,
                     const dnnl::memory::desc& dst) {
    dnnl::memory in(src, CpuEngine(), copy.get()), out(dst, CpuEngine(), data);
    dnnl::reorder(in, out).execute(CpuStream(), in, out);
    CpuStream().wait();
  };
  try {
    if (from != nullptr && to != nullptr && from->plain == to->plain) {
      reorder(from->blocked, to->blocked);
    } else {
      if (from != nullptr) reorder(from->blocked, from->plain);
      if (from != nullptr && to != nullptr)
        std::memcpy(copy.get(), data, bytes);
      if (to != nullptr) reorder(to->plain, to->blocked);
    }
  } catch (const dnnl::error& e) {
    return absl::InternalError(
        absl::StrCat("oneDNN could not reorder a variable: ", e.what()));
  }
  return absl::OkStatus();
}

void DnnlPort::Init(const dnnl::memory::desc& plain,
                    const dnnl::memory::desc& chosen, bool is_input) {
  plain_ = dnnl::memory(plain, CpuEngine(), nullptr);
  is_input_ = is_input;
  needs_reorder_ = plain != chosen;
  if (!needs_reorder_) return;
  chosen_ = ScratchMemory(chosen);
  const dnnl::memory& from = is_input ? plain_ : chosen_;
  const dnnl::memory& to = is_input ? chosen_ : plain_;
  reorder_ = dnnl::reorder(from, to);
  reorder_args_.Add(DNNL_ARG_FROM, from);
  reorder_args_.Add(DNNL_ARG_TO, to);
}

void DnnlPort::InitInput(const dnnl::memory::desc& plain,
                         const BlockedLayout* arriving,
                         const dnnl::memory::desc& chosen) {
  Init(arriving != nullptr ? arriving->blocked : plain, chosen,
       /*is_input=*/true);
}

void DnnlPort::InitOutput(const dnnl::memory::desc& plain,
                          const dnnl::memory::desc& chosen, bool may_block) {
  written_.reset();
  if (may_block && chosen != plain && chosen.get_size() == plain.get_size()) {
    written_ = BlockedLayout{.plain = plain, .blocked = chosen};
    Init(chosen, chosen, /*is_input=*/false);
  } else {
    Init(plain, chosen, /*is_input=*/false);
  }
}

void DnnlPort::BindInput(const void* data) {
  plain_.set_data_handle(const_cast<void*>(data));
  if (needs_reorder_) reorder_args_.Execute(reorder_);
}

void DnnlPort::BindInputInto(const void* data, void* copy) {
  chosen_.set_data_handle(copy);
  BindInput(data);
}

void DnnlPort::FinishOutput() {
  if (needs_reorder_) reorder_args_.Execute(reorder_);
}

}  // namespace minitf
