#pragma once
// Teacher logits over the unaugmented training set, computed once per teacher checkpoint and
// shared by every student of it (docs/design.md §3.4, "Teacher-logit cache"): a sealed file
// <artifacts>/<teacher key>/logits-..., written atomically by the first student that needs it
// (get-or-build), and a small per-process memory of the last files read, so consecutive students
// of one checkpoint on a rank read the file once. The file starts with a header naming what it
// holds; a file whose header does not match what the reader expects is treated like a corrupt one:
// one warning naming the file, rebuilt, and the run goes on.
#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "kdbench/results/artifacts.h"
#include "kdbench/train/prepared_data.h"

namespace kdbench::train {

// How the file stores the logits: fp32 (bitwise what the teacher computed) or fp16 (half the
// bytes, rounded; a student's [student] teacher_logits = fp16 is part of its task key).
enum class LogitDtype { Fp32, Fp16 };
// "fp32" or "fp16"; anything else throws ConfigError naming `where`.
LogitDtype parse_logit_dtype(const std::string& text, const std::string& where);
std::string to_string(LogitDtype d);

// Everything the logits depend on. Every field is in the file's header and must match.
struct LogitCacheId {
  std::string teacher_key;
  int checkpoint = -1;          // teacher epoch, -1 = final
  std::string checkpoint_seal;  // the checkpoint file's checksum: a retrained teacher differs
  std::string precision;        // the forward pass's autocast precision (the student's)
  int64_t eval_batch = 0;       // rows per forward pass (kernels may round differently)
  int64_t samples = 0, classes = 0;
  LogitDtype dtype = LogitDtype::Fp32;
  std::string data_fingerprint;  // see data_fingerprint()
  nlohmann::json header() const;
};

// The file's name in the teacher's artifacts directory, e.g. "logits-final-fp32-eval256.fp32".
std::string logit_cache_name(const LogitCacheId& id);

// Content key of the training split as a network sees it: sizes, every label and the normalised
// images of up to 256 evenly spaced samples (the same on the CPU and on a GPU).
std::string data_fingerprint(const PreparedData& d);

// The checksum in a sealed file's trailer (results::seal_file), read without the rest of the file.
std::string seal_of(const std::string& path);

// The file: a format tag line, the header as one JSON line, samples × classes little-endian
// values of id.dtype, the KDBSUM1 trailer. read_logit_file throws results::CorruptFile (naming
// the file) when the checksum, the size or any header field does not match `id`.
void write_logit_file(const std::string& path, const LogitCacheId& id, const torch::Tensor& logits);
torch::Tensor read_logit_file(const std::string& path, const LogitCacheId& id);

// Logits for `id` as float32 on `device`: from this process's memory, else from the file when
// intact and matching, else compute() (float32, samples × classes) stored as id.dtype and
// written. What is returned is always what the file holds (fp16: the rounded values), so the
// student that builds the file and the ones that read it train on the same numbers. A file that
// cannot be written (disk full, read-only artifacts) costs a warning, not the run.
torch::Tensor teacher_logits_cached(const results::Artifacts& artifacts, const LogitCacheId& id,
                                    const torch::Device& device,
                                    const std::function<torch::Tensor()>& compute);

// What this process did so far (tests and the bench read it; the log says it per event).
struct LogitCacheStats {
  int64_t computed = 0;         // compute() calls
  int64_t read_from_file = 0;   // intact files read
  int64_t from_memory = 0;      // served by the per-process memory
  int64_t rebuilt_damaged = 0;  // files found damaged or mismatched, rebuilt
  double compute_seconds = 0;   // time in compute()
  double read_seconds = 0;      // time reading and checking files
};
LogitCacheStats logit_cache_stats();
// Forgets the files held in memory (tests: make the next student read the file).
void forget_cached_logits();

}  // namespace kdbench::train
