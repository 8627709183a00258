#include "kdbench/models/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kdbench/core/errors.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this reader copies it without swapping"
#endif

namespace kdbench::models {
namespace {

// The format's own limit on the header (Hugging Face's reader refuses larger ones).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

[[noreturn]] void bad_file(const std::string& path, const std::string& what) {
  throw DataError(path + ": not a valid safetensors file: " + what);
}

struct DtypeInfo {
  const char* name;
  size_t bytes;
  torch::Dtype stored;
};

constexpr DtypeInfo kDtypes[] = {{"F32", 4, torch::kFloat32},
                                 {"F16", 2, torch::kFloat16},
                                 {"BF16", 2, torch::kBFloat16},
                                 {"I64", 8, torch::kInt64}};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

SafetensorsEntry parse_entry(const std::string& path, const std::string& name,
                             const nlohmann::json& j, uint64_t buffer_bytes) {
  const auto fail = [&](const std::string& what) {
    bad_file(path, "tensor '" + name + "': " + what);
  };
  if (!j.is_object()) fail("entry is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!j.contains(field)) fail(std::string("no \"") + field + "\"");
  SafetensorsEntry e;
  e.name = name;
  if (!j["dtype"].is_string()) fail("\"dtype\" is not a string");
  e.dtype = j["dtype"].get<std::string>();
  const DtypeInfo* dtype = find_dtype(e.dtype);
  if (!dtype) fail("dtype " + e.dtype + " is not supported (F32, F16, BF16, I64)");
  if (!j["shape"].is_array()) fail("\"shape\" is not an array");
  uint64_t numel = 1;
  for (const auto& d : j["shape"]) {
    if (!d.is_number_unsigned())
      fail("shape " + j["shape"].dump() + " has a negative or non-integer size");
    const uint64_t n = d.get<uint64_t>();
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(numel, n, &numel))
      fail("shape " + j["shape"].dump() + " is too large");
    e.shape.push_back(static_cast<int64_t>(n));
  }
  const auto& offsets = j["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail("\"data_offsets\" is not two non-negative integers");
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  if (e.begin > e.end || e.end > buffer_bytes)
    fail("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
         "] lie outside the data (" + std::to_string(buffer_bytes) + " bytes)");
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, dtype->bytes, &bytes) || bytes != e.end - e.begin)
    fail("shape " + j["shape"].dump() + " of " + e.dtype + " needs " +
         (bytes ? std::to_string(bytes) : std::string("more")) + " bytes, data_offsets span " +
         std::to_string(e.end - e.begin));
  return e;
}

}  // namespace

SafetensorsFile SafetensorsFile::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open safetensors file: " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw DataError(path + ": cannot read safetensors file");
  return parse(std::move(bytes).str(), path);
}

SafetensorsFile SafetensorsFile::parse(std::string bytes, const std::string& path) {
  if (bytes.size() < 8)
    bad_file(path,
             std::to_string(bytes.size()) + " bytes; the file starts with an 8-byte header length");
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes.data(), 8);
  if (header_bytes > kMaxHeaderBytes || header_bytes > bytes.size() - 8)
    bad_file(path, "header length " + std::to_string(header_bytes) + " exceeds the file (" +
                       std::to_string(bytes.size()) + " bytes) or the format's limit");
  const auto header =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_bytes),
                            nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    bad_file(path, "the header is not a JSON object");

  SafetensorsFile f;
  f.path_ = path;
  f.data_start_ = 8 + header_bytes;
  const uint64_t buffer_bytes = bytes.size() - f.data_start_;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) bad_file(path, "\"__metadata__\" is not a JSON object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) bad_file(path, "\"__metadata__\" value of '" + k + "' is not a string");
        f.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    f.entries_.push_back(parse_entry(path, name, value, buffer_bytes));
  }
  // The format requires the entries to tile the buffer: no overlaps (two tensors sharing bytes
  // would alias after loading) and no holes (unindexed bytes mean a damaged or foreign file).
  std::sort(f.entries_.begin(), f.entries_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;
  for (size_t i = 0; i < f.entries_.size(); ++i) {
    const auto& e = f.entries_[i];
    if (e.begin < covered)
      bad_file(path, "tensor '" + e.name + "' overlaps tensor '" + f.entries_[i - 1].name + "'");
    if (e.begin > covered)
      bad_file(path, "data bytes " + std::to_string(covered) + ".." + std::to_string(e.begin) +
                         " belong to no tensor");
    covered = e.end;
  }
  if (covered != buffer_bytes)
    bad_file(path, "data bytes " + std::to_string(covered) + ".." + std::to_string(buffer_bytes) +
                       " belong to no tensor");
  for (size_t i = 0; i < f.entries_.size(); ++i) f.index_[f.entries_[i].name] = i;
  f.bytes_ = std::move(bytes);
  return f;
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) throw DataError(path_ + ": no tensor '" + name + "' in this file");
  const SafetensorsEntry& e = entries_[it->second];
  const DtypeInfo* dtype = find_dtype(e.dtype);
  // Copied (not from_blob'd) so the tensor owns aligned memory; the offsets need not be aligned.
  torch::Tensor stored = torch::empty(e.shape, torch::TensorOptions().dtype(dtype->stored));
  if (e.end > e.begin)
    std::memcpy(stored.data_ptr(), bytes_.data() + data_start_ + e.begin, e.end - e.begin);
  if (dtype->stored == torch::kInt64 || dtype->stored == torch::kFloat32) return stored;
  return stored.to(torch::kFloat32);
}

std::string safetensors_bytes(const NamedTensors& tensors,
                              const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  std::string data;
  for (const auto& [name, tensor] : tensors) {
    // A structured binding cannot be captured in C++17 (clang refuses it): capture the type.
    const auto type = tensor.scalar_type();
    const auto stored = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                     [&](const auto& d) { return d.stored == type; });
    if (stored == std::end(kDtypes))
      throw Error("safetensors: tensor '" + name + "' is " +
                  std::string(c10::toString(tensor.scalar_type())) +
                  "; the writer stores float32, float16, bfloat16 and int64");
    if (name == "__metadata__" || header.contains(name))
      throw Error("safetensors: tensor name '" + name + "' is reserved or repeated");
    const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    const size_t bytes = static_cast<size_t>(cpu.numel()) * stored->bytes;
    header[name] = {{"dtype", stored->name},
                    {"shape", cpu.sizes().vec()},
                    {"data_offsets", {data.size(), data.size() + bytes}}};
    data.append(static_cast<const char*>(cpu.data_ptr()), bytes);
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned, as HF writes
  const uint64_t length = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  return out + text + data;
}

void write_file_replacing(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw IoError(path + ": cannot write (" + what + "): " + reason);
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create " + tmp);
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("fsync");
  }
  if (::close(fd) != 0) fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename");
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_replacing(path, safetensors_bytes(tensors, metadata));
}

}  // namespace kdbench::models
