#include "kdbench/train/logit_cache.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <list>
#include <mutex>
#include <optional>

#include "kdbench/core/errors.h"
#include "kdbench/core/hash.h"
#include "kdbench/core/log.h"
#include "kdbench/results/build_lock.h"

// The values are written as they lie in memory; the header says little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "logit cache files are little-endian");

namespace kdbench::train {
namespace {

constexpr const char kLogitFormat[] = "KDBLOGITS1";
// Two entries: a rank alternating between the checkpoints of one teacher (or two teachers) keeps
// both; CIFAR-100's 45,000 × 100 float32 logits are 18 MB each.
constexpr size_t kFilesInMemory = 2;

using LogitClock = std::chrono::steady_clock;

double seconds_since(LogitClock::time_point t) {
  return std::chrono::duration<double>(LogitClock::now() - t).count();
}

at::ScalarType scalar_type(LogitDtype d) { return d == LogitDtype::Fp16 ? at::kHalf : at::kFloat; }

struct MemoryEntry {
  std::string identity;  // path, header and device
  torch::Tensor logits;
};

struct LogitMemory {
  std::mutex mutex;
  std::list<MemoryEntry> entries;  // most recently used first
  LogitCacheStats stats;
};

LogitMemory& memory() {
  static LogitMemory m;
  return m;
}

// A header that does not describe what the reader needs is a damaged file for it.
void check_header(const std::string& path, const nlohmann::json& found,
                  const nlohmann::json& expected) {
  for (const auto& [name, value] : expected.items()) {
    if (!found.contains(name))
      throw results::CorruptFile(path + ": header mismatch: no field '" + name + "'");
    if (found.at(name) != value)
      throw results::CorruptFile(path + ": header mismatch: " + name + " is " +
                                 found.at(name).dump() + ", expected " + value.dump());
  }
}

}  // namespace

LogitDtype parse_logit_dtype(const std::string& text, const std::string& where) {
  if (text == "fp32") return LogitDtype::Fp32;
  if (text == "fp16") return LogitDtype::Fp16;
  throw ConfigError(where + ": '" + text + "' is not a logit storage type (fp32 or fp16)");
}

std::string to_string(LogitDtype d) { return d == LogitDtype::Fp16 ? "fp16" : "fp32"; }

nlohmann::json LogitCacheId::header() const {
  return {{"format", kLogitFormat},
          {"teacher_key", teacher_key},
          {"checkpoint", checkpoint < 0 ? std::string("final") : std::to_string(checkpoint)},
          {"checkpoint_seal", checkpoint_seal},
          {"precision", precision},
          {"eval_batch", eval_batch},
          {"samples", samples},
          {"classes", classes},
          {"dtype", to_string(dtype)},
          {"byte_order", "little"},
          {"data_fingerprint", data_fingerprint}};
}

std::string logit_cache_name(const LogitCacheId& id) {
  const std::string checkpoint =
      id.checkpoint < 0 ? std::string("final") : "epoch-" + std::to_string(id.checkpoint);
  return "logits-" + checkpoint + "-" + id.precision + "-eval" + std::to_string(id.eval_batch) +
         "." + to_string(id.dtype);
}

std::string data_fingerprint(const PreparedData& d) {
  const int64_t n = d.train.size();
  const int64_t picked = std::min<int64_t>(n, 256);
  std::string text = "n=" + std::to_string(n) + ";classes=" + std::to_string(d.num_classes);
  for (int64_t s : d.train.x.sizes()) text += ";" + std::to_string(s);
  const auto labels = d.train.y.to(torch::kCPU, torch::kLong).contiguous();
  text.append(static_cast<const char*>(labels.data_ptr()), labels.nbytes());
  if (picked > 0) {
    const auto idx = torch::linspace(0, static_cast<double>(n - 1), picked, torch::kDouble)
                         .round()
                         .to(torch::kLong)
                         .to(d.device());
    const models::Inputs rows = batch(d, d.train, idx);
    // Images: the normalised pixels; text: the token ids and segment ids.
    for (const auto& t : {rows.images, rows.input_ids, rows.token_type_ids}) {
      if (!t.defined()) continue;
      const auto cpu =
          t.to(torch::kCPU, t.is_floating_point() ? torch::kFloat : torch::kLong).contiguous();
      text.append(static_cast<const char*>(cpu.data_ptr()), cpu.nbytes());
    }
  }
  return content_key(text);
}

std::string seal_of(const std::string& path) {
  constexpr std::streamoff kKeyChars = 24;  // the trailer ends in the 24-character content key
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw IoError(path + ": cannot open: " + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < kKeyChars) throw results::CorruptFile(path + ": too short to carry a checksum");
  std::string key(static_cast<size_t>(kKeyChars), '\0');
  in.seekg(size - kKeyChars);
  in.read(key.data(), kKeyChars);
  if (!in) throw IoError(path + ": read failed");
  return key;
}

void write_logit_file(const std::string& path, const LogitCacheId& id,
                      const torch::Tensor& logits) {
  const auto values = logits.to(torch::kCPU, scalar_type(id.dtype)).contiguous();
  if (values.dim() != 2 || values.size(0) != id.samples || values.size(1) != id.classes)
    throw Error(path + ": logits of shape " + std::to_string(values.size(0)) + "x" +
                std::to_string(values.dim() > 1 ? values.size(1) : 0) + ", the header says " +
                std::to_string(id.samples) + "x" + std::to_string(id.classes));
  std::string bytes = std::string(kLogitFormat) + "\n" + id.header().dump() + "\n";
  bytes.append(static_cast<const char*>(values.data_ptr()), values.nbytes());
  results::write_bytes(path, bytes);
}

torch::Tensor read_logit_file(const std::string& path, const LogitCacheId& id) {
  const std::string content = results::read_sealed(path);
  const std::string tag = std::string(kLogitFormat) + "\n";
  if (content.compare(0, tag.size(), tag) != 0)
    throw results::CorruptFile(path + ": not a teacher-logit file (no " + kLogitFormat + " tag)");
  const size_t header_end = content.find('\n', tag.size());
  if (header_end == std::string::npos)
    throw results::CorruptFile(path + ": header mismatch: the header line is not terminated");
  const auto header =
      nlohmann::json::parse(content.begin() + static_cast<std::ptrdiff_t>(tag.size()),
                            content.begin() + static_cast<std::ptrdiff_t>(header_end), nullptr,
                            /*allow_exceptions=*/false);
  if (!header.is_object())
    throw results::CorruptFile(path + ": header mismatch: the header is not a JSON object");
  check_header(path, header, id.header());
  const auto type = scalar_type(id.dtype);
  const size_t expected = static_cast<size_t>(id.samples * id.classes) * c10::elementSize(type);
  const size_t body = content.size() - header_end - 1;
  if (body != expected)
    throw results::CorruptFile(path + ": " + std::to_string(body) + " bytes of logits, the " +
                               "header needs " + std::to_string(expected));
  auto values = torch::empty({id.samples, id.classes}, torch::TensorOptions().dtype(type));
  if (expected > 0) std::memcpy(values.data_ptr(), content.data() + header_end + 1, expected);
  return values;
}

torch::Tensor teacher_logits_cached(const results::Artifacts& artifacts, const LogitCacheId& id,
                                    const torch::Device& device,
                                    const std::function<torch::Tensor()>& compute) {
  const std::string name = logit_cache_name(id);
  const std::string path = artifacts.path_for(id.teacher_key, name);
  const std::string identity = path + "\n" + id.header().dump() + "\n" + device.str();
  auto& m = memory();
  std::lock_guard<std::mutex> lock(m.mutex);
  for (auto it = m.entries.begin(); it != m.entries.end(); ++it)
    if (it->identity == identity) {
      m.entries.splice(m.entries.begin(), m.entries, it);
      ++m.stats.from_memory;
      spdlog::info("teacher logits: {} held in memory", path);
      return it->logits;
    }
  torch::Tensor stored;  // as the file holds them (id.dtype), on the CPU
  // Ranks that start students of one teacher together would each compute the same logits: the
  // first builds the file under the lock, the others wait for it and read it.
  std::optional<results::BuildLock> build_lock;
  if (!artifacts.exists(id.teacher_key, name)) {
    const auto t = LogitClock::now();
    build_lock.emplace(path);
    if (!build_lock->held())
      spdlog::debug("teacher logits: no build lock ({})", build_lock->why_not());
    if (const double waited = seconds_since(t); waited > 0.5)
      spdlog::info("teacher logits: {} waited {:.3f} s for the rank building it", path, waited);
  }
  if (artifacts.exists(id.teacher_key, name)) {
    const auto t = LogitClock::now();
    try {
      stored = read_logit_file(path, id);
      ++m.stats.read_from_file;
      spdlog::info("teacher logits: {} read in {:.3f} s", path, seconds_since(t));
    } catch (const IoError& e) {
      spdlog::warn("damaged teacher-logit cache, rebuilding it: {}", e.what());
      ++m.stats.rebuilt_damaged;
    }
    m.stats.read_seconds += seconds_since(t);
  }
  if (!stored.defined()) {
    const auto t = LogitClock::now();
    stored = compute().to(torch::kCPU, scalar_type(id.dtype));
    ++m.stats.computed;
    const double took = seconds_since(t);
    m.stats.compute_seconds += took;
    // Two ranks building the same file write the same bytes; the rename makes either one whole.
    try {
      artifacts.write_sealed(id.teacher_key, name,
                             [&](const std::string& tmp) { write_logit_file(tmp, id, stored); });
      spdlog::info("teacher logits: {} computed in {:.3f} s and written", path, took);
    } catch (const IoError& e) {
      spdlog::warn("teacher logits kept in memory only: {}", e.what());
    }
  }
  auto logits = stored.to(device).to(torch::kFloat);
  m.entries.push_front({identity, logits});
  if (m.entries.size() > kFilesInMemory) m.entries.pop_back();
  return logits;
}

LogitCacheStats logit_cache_stats() {
  std::lock_guard<std::mutex> lock(memory().mutex);
  return memory().stats;
}

void forget_cached_logits() {
  std::lock_guard<std::mutex> lock(memory().mutex);
  memory().entries.clear();
}

}  // namespace kdbench::train
