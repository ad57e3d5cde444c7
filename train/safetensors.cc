#include "minitf/train/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "nlohmann/json.hpp"

namespace minitf::train {
namespace {

// safetensors stores little-endian data; minitf tensors are in host order.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host");

struct DtypeInfo {
  const char* name;
  size_t size;
  // The position in the reference implementation's Dtype enum, which
  // lists dtypes by increasing alignment; the writer sorts by it.
  int rank;
};
constexpr DtypeInfo kDtypes[] = {
    {"BOOL", 1, 0},    {"U8", 1, 1},   {"I8", 1, 2},   {"F8_E5M2", 1, 3},
    {"F8_E4M3", 1, 4}, {"I16", 2, 5},  {"U16", 2, 6},  {"F16", 2, 7},
    {"BF16", 2, 8},    {"I32", 4, 9},  {"U32", 4, 10}, {"F32", 4, 11},
    {"F64", 8, 12},    {"I64", 8, 13}, {"U64", 8, 14},
};

const DtypeInfo* FindDtype(absl::string_view name) {
  for (const DtypeInfo& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

absl::Status Corrupt(absl::string_view source, absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat(source, ": invalid safetensors file: ", what));
}

uint64_t LoadLittleEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Reads a non-negative JSON integer that fits int64.
bool AsSize(const nlohmann::json& v, uint64_t* out) {
  if (!v.is_number_unsigned()) return false;
  *out = v.get<uint64_t>();
  return *out <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

// Parses and validates a header against a data section of `data_size`
// bytes.
absl::StatusOr<SafetensorsFile> ParseHeader(absl::string_view header,
                                            uint64_t data_size,
                                            absl::string_view source) {
  using nlohmann::json;
  if (header.empty() || header[0] != '{') {
    return Corrupt(source, "the header does not start with '{'");
  }
  // nlohmann keeps the last of duplicate keys; the format forbids them, so
  // a callback tracks the keys of every open object.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  json::parser_callback_t callback = [&](int, json::parse_event_t event,
                                         json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty() &&
               parsed.is_string() &&
               !open_objects.back().insert(parsed.get<std::string>()).second &&
               duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  const json root = json::parse(header.begin(), header.end(), callback,
                                /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return Corrupt(source, "the header is not a valid JSON object");
  }
  if (!duplicate.empty()) {
    return Corrupt(
        source, absl::StrCat("the header repeats the key \"", duplicate, "\""));
  }
  SafetensorsFile file;
  file.source = std::string(source);
  for (const auto& [name, value] : root.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) {
        return Corrupt(source, "\"__metadata__\" is not an object");
      }
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) {
          return Corrupt(source, absl::StrCat("\"__metadata__\" value \"", key,
                                              "\" is not a string"));
        }
        file.metadata[key] = text.get<std::string>();
      }
      continue;
    }
    const std::string where = absl::StrCat("tensor \"", name, "\"");
    if (!value.is_object() || value.size() != 3 || !value.contains("dtype") ||
        !value.contains("shape") || !value.contains("data_offsets")) {
      return Corrupt(source,
                     absl::StrCat(where,
                                  " must be an object of exactly \"dtype\", "
                                  "\"shape\" and \"data_offsets\""));
    }
    SafetensorsEntry entry;
    entry.name = name;
    const json& dtype = value["dtype"];
    const DtypeInfo* info =
        dtype.is_string() ? FindDtype(dtype.get<std::string>()) : nullptr;
    if (info == nullptr) {
      return Corrupt(
          source, absl::StrCat(where, " has an unknown dtype ", dtype.dump()));
    }
    entry.dtype = info->name;
    const json& shape = value["shape"];
    if (!shape.is_array()) {
      return Corrupt(source, absl::StrCat(where,
                                          " has a shape that is not "
                                          "an array"));
    }
    // Bytes = size * prod(shape), with overflow detected on the way.
    unsigned __int128 bytes = info->size;
    bool overflow = false;
    for (const json& d : shape) {
      uint64_t dim = 0;
      if (!AsSize(d, &dim)) {
        return Corrupt(source, absl::StrCat(where, " has an invalid dimension ",
                                            d.dump()));
      }
      entry.shape.push_back(static_cast<int64_t>(dim));
      bytes *= dim;
      if (bytes > std::numeric_limits<uint64_t>::max()) {
        overflow = true;
        bytes = 0;
      }
    }
    const json& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 ||
        !AsSize(offsets[0], &entry.begin) || !AsSize(offsets[1], &entry.end) ||
        entry.end < entry.begin) {
      return Corrupt(source, absl::StrCat(where, " has invalid data_offsets ",
                                          offsets.dump()));
    }
    if (overflow) {
      return Corrupt(source,
                     absl::StrCat(where, " has a shape whose size overflows"));
    }
    if (entry.end > data_size) {
      return Corrupt(
          source, absl::StrCat(where, " has data_offsets [", entry.begin, ", ",
                               entry.end, "] outside the data section of ",
                               data_size, " bytes"));
    }
    if (entry.end - entry.begin != static_cast<uint64_t>(bytes)) {
      return Corrupt(
          source,
          absl::StrCat(where, " of dtype ", entry.dtype, " and shape [",
                       absl::StrJoin(entry.shape, ","), "] needs ",
                       static_cast<uint64_t>(bytes),
                       " bytes but its data_offsets [", entry.begin, ", ",
                       entry.end, "] hold ", entry.end - entry.begin));
    }
    file.entries.push_back(std::move(entry));
  }
  std::sort(file.entries.begin(), file.entries.end(),
            [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
              return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
            });
  uint64_t position = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry& e : file.entries) {
    if (e.begin < position) {
      return Corrupt(source,
                     absl::StrCat("tensor \"", e.name, "\" overlaps tensor \"",
                                  previous->name, "\""));
    }
    if (e.begin > position) {
      return Corrupt(source,
                     absl::StrCat("the data has a hole of ", e.begin - position,
                                  " bytes before "
                                  "tensor \"",
                                  e.name, "\""));
    }
    position = e.end;
    previous = &e;
  }
  if (position != data_size) {
    return Corrupt(source,
                   absl::StrCat("the data section has ", data_size,
                                " bytes but the tensors cover ", position));
  }
  return file;
}

// A BOOL holds 0 or 1: another byte would be an invalid C++ bool.
absl::Status CheckBools(const SafetensorsFile& file) {
  for (const SafetensorsEntry& e : file.entries) {
    if (e.dtype != "BOOL") continue;
    for (uint64_t i = e.begin; i < e.end; ++i) {
      const auto byte = static_cast<unsigned char>(file.data[i]);
      if (byte > 1) {
        return Corrupt(file.source,
                       absl::StrCat("BOOL tensor \"", e.name,
                                    "\" holds the byte ", int{byte}));
      }
    }
  }
  return absl::OkStatus();
}

// Reads exactly `size` bytes at `offset`.
absl::Status ReadAt(int fd, uint64_t offset, size_t size, char* out,
                    const std::string& path) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, out + done, size - done, offset + done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": read failed: ", std::strerror(errno)));
    }
    if (n == 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": truncated while reading (file shrank)"));
    }
    done += n;
  }
  return absl::OkStatus();
}

}  // namespace

const SafetensorsEntry* SafetensorsFile::Find(absl::string_view name) const {
  for (const SafetensorsEntry& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<Tensor> SafetensorsFile::tensor(absl::string_view name) const {
  const SafetensorsEntry* e = Find(name);
  if (e == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Key ", name, " not found in checkpoint ", source));
  }
  const DataType dtype = DataTypeOfSafetensors(e->dtype);
  if (dtype == DataType::kInvalid) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor \"", name, "\" in ", source, " has dtype ",
                     e->dtype, ", which minitf has no counterpart for"));
  }
  if (e->shape.size() > static_cast<size_t>(Shape::kMaxRank)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor \"", name, "\" in ", source, " has rank ", e->shape.size(),
        ", more than minitf's ", Shape::kMaxRank));
  }
  Tensor t(dtype, Shape(absl::MakeConstSpan(e->shape)));
  std::memcpy(t.raw_data(), data.data() + e->begin, e->end - e->begin);
  return t;
}

absl::string_view SafetensorsDtype(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat:
      return "F32";
    case DataType::kInt32:
      return "I32";
    case DataType::kInt64:
      return "I64";
    case DataType::kBool:
      return "BOOL";
    case DataType::kBFloat16:
      return "BF16";
    case DataType::kInvalid:
      break;
  }
  return "";
}

DataType DataTypeOfSafetensors(absl::string_view dtype) {
  for (DataType d : {float32, bfloat16, int32, int64, bool_}) {
    if (dtype == SafetensorsDtype(d)) return d;
  }
  return DataType::kInvalid;
}

size_t SafetensorsDtypeSize(absl::string_view dtype) {
  const DtypeInfo* info = FindDtype(dtype);
  return info == nullptr ? 0 : info->size;
}

std::string SafetensorsHeader(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata,
    std::vector<size_t>* order) {
  order->resize(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) (*order)[i] = i;
  auto rank = [&](size_t i) {
    return FindDtype(SafetensorsDtype(tensors[i].second.dtype()))->rank;
  };
  // As the reference writer: decreasing alignment keeps every tensor aligned
  // to its element size; ties are broken by name.
  std::sort(order->begin(), order->end(), [&](size_t a, size_t b) {
    if (rank(a) != rank(b)) return rank(a) > rank(b);
    return tensors[a].first < tensors[b].first;
  });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (size_t i : *order) {
    const Tensor& t = tensors[i].second;
    nlohmann::ordered_json entry;
    entry["dtype"] = std::string(SafetensorsDtype(t.dtype()));
    entry["shape"] =
        std::vector<int64_t>(t.shape().dims().begin(), t.shape().dims().end());
    entry["data_offsets"] = {offset, offset + t.TotalBytes()};
    offset += t.TotalBytes();
    header[tensors[i].first] = std::move(entry);
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  return out + json;
}

std::string SerializeSafetensors(
    const NamedTensors& tensors,
    const std::map<std::string, std::string>& metadata) {
  std::vector<size_t> order;
  std::string out = SafetensorsHeader(tensors, metadata, &order);
  for (size_t i : order) {
    const Tensor& t = tensors[i].second;
    out.append(static_cast<const char*>(t.raw_data()), t.TotalBytes());
  }
  return out;
}

absl::StatusOr<SafetensorsFile> ParseSafetensors(absl::string_view bytes,
                                                 absl::string_view source) {
  if (bytes.size() < 8) {
    return Corrupt(source, absl::StrCat("truncated: ", bytes.size(),
                                        " bytes, fewer than the 8-byte "
                                        "header length"));
  }
  const uint64_t n = LoadLittleEndian64(bytes.data());
  if (n > kSafetensorsMaxHeaderBytes) {
    return Corrupt(
        source, absl::StrCat("the header length ", n, " exceeds the limit of ",
                             kSafetensorsMaxHeaderBytes, " bytes"));
  }
  if (n > bytes.size() - 8) {
    return Corrupt(
        source, absl::StrCat("truncated: the header length is ", n,
                             " bytes but only ", bytes.size() - 8, " follow"));
  }
  MINITF_ASSIGN_OR_RETURN(
      SafetensorsFile file,
      ParseHeader(bytes.substr(8, n), bytes.size() - 8 - n, source));
  file.data = std::string(bytes.substr(8 + n));
  MINITF_RETURN_IF_ERROR(CheckBools(file));
  return file;
}

absl::StatusOr<SafetensorsFile> ReadSafetensors(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return absl::Status(
        absl::ErrnoToStatusCode(error),
        absl::StrCat(path, ": cannot open: ", std::strerror(error)));
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a regular file"));
  }
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size < 8) {
    return Corrupt(path, absl::StrCat("truncated: ", size,
                                      " bytes, fewer than the 8-byte header "
                                      "length"));
  }
  char length[8];
  MINITF_RETURN_IF_ERROR(ReadAt(fd, 0, 8, length, path));
  const uint64_t n = LoadLittleEndian64(length);
  if (n > kSafetensorsMaxHeaderBytes) {
    return Corrupt(
        path, absl::StrCat("the header length ", n, " exceeds the limit of ",
                           kSafetensorsMaxHeaderBytes, " bytes"));
  }
  if (n > size - 8) {
    return Corrupt(path, absl::StrCat("truncated: the header length is ", n,
                                      " bytes but only ", size - 8, " follow"));
  }
  std::string header(n, '\0');
  MINITF_RETURN_IF_ERROR(ReadAt(fd, 8, n, header.data(), path));
  MINITF_ASSIGN_OR_RETURN(SafetensorsFile file,
                          ParseHeader(header, size - 8 - n, path));
  file.data.resize(size - 8 - n);
  MINITF_RETURN_IF_ERROR(
      ReadAt(fd, 8 + n, file.data.size(), file.data.data(), path));
  MINITF_RETURN_IF_ERROR(CheckBools(file));
  return file;
}

}  // namespace minitf::train
