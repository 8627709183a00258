#pragma once
// Reader and writer of the safetensors format (Hugging Face's weight files): how pretrained text
// encoders enter kdbench (`init = DIR`, models/bert.h) and how its masked-LM pretraining saves
// them (save_hf_dir, models/bert_mlm.h). Layout: an
// 8-byte little-endian header length N, N bytes of JSON {"tensor name": {"dtype", "shape",
// "data_offsets": [begin, end]}, ..., optional "__metadata__": {string: string}}, then the data
// buffer; offsets are relative to the buffer, data little-endian and row-major.
//
// Everything is validated before a tensor is handed out: header length within the file, JSON
// an object of well-formed entries, a supported dtype (F32, F16, BF16; I64 for index buffers such
// as BERT's position_ids), non-negative shapes whose byte size equals the entry's span, every span
// inside the buffer, no two spans overlapping and no unindexed bytes (the format's rule). A bad
// file is one DataError naming the file and the tensor (exit 2).
//
// The writer (write_safetensors) produces files this reader and Hugging Face's accept: tensors in
// the order given, tiling the buffer, the header padded with spaces to a multiple of 8 bytes.
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kdbench::models {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;  // as written: "F32", "F16", "BF16", "I64"
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte span within the data buffer
};

class SafetensorsFile {
 public:
  // Reads and validates the whole file (weights are loaded once, at task start).
  static SafetensorsFile read(const std::string& path);
  // The same checks on bytes already in memory; `path` only names the source in errors.
  static SafetensorsFile parse(std::string bytes, const std::string& path);

  const std::string& path() const { return path_; }
  // Entries in file order of their data (ascending offsets).
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  // The tensor as stored, converted to float32 (F16/BF16/F32) or int64 (I64); a copy that owns
  // its memory. DataError naming the file when `name` is absent.
  torch::Tensor tensor(const std::string& name) const;

 private:
  std::string path_, bytes_;
  size_t data_start_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Named tensors in the order they are to be stored. Names must be unique and not "__metadata__".
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The bytes of a safetensors file holding `tensors` (float32, float16, bfloat16 or int64, on any
// device, of any layout: stored as contiguous little-endian copies) and `metadata` (the header's
// "__metadata__", left out when empty). Another dtype or a repeated name throws Error naming the
// tensor: a caller's bug, not bad input.
std::string safetensors_bytes(const NamedTensors& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// Writes safetensors_bytes(...) to `path` atomically: a temporary file beside it, flushed to disk
// and renamed over `path`, so a reader sees the old file or the whole new one, never a part.
// IoError naming the path when it cannot be written (the temporary is removed).
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});
// The same atomic replacement for any bytes (the config.json beside the weights).
void write_file_replacing(const std::string& path, const std::string& bytes);

}  // namespace kdbench::models
