#pragma once
// Artifacts directory (docs/design.md §6.2): checkpoints and caches addressed by task key, written
// atomically (write to a temporary name in the same directory, then rename), so a reader never
// sees half a file and a crash never leaves one behind under the real name.
#include <functional>
#include <string>

#include "kdbench/core/errors.h"

namespace kdbench::results {

// Writes `final_path` atomically: calls write(tmp_path) with tmp_path =
// "<final_path>.tmp.<pid>.<random hex>" in the same directory (created on demand), optionally
// fsyncs the file and its directory, then renames it over final_path. If `write` throws or leaves
// no file, the temporary is removed and the error propagates (IoError for a missing file or a
// failed rename); final_path is never left half-written. Used for artifacts and report files.
void write_file_atomic(const std::string& final_path,
                       const std::function<void(const std::string& tmp_path)>& write,
                       bool fsync = true);

// Creates or truncates `path` and writes `bytes`; IoError naming the path and the OS error
// ("No space left on device", "File too large", "Read-only file system") when any write fails.
void write_bytes(const std::string& path, const std::string& bytes);

// Same, writing `content` as the whole file.
void write_text_atomic(const std::string& final_path, const std::string& content,
                       bool fsync = true);

// Checksummed ("sealed") files: checkpoints and resume states end in a 32-byte trailer
// "KDBSUM1:" + content_key (kdbench/core/hash.h, 96 bits) of everything before it. FNV-1a's
// steps are bijective, so any change of one byte (a flipped bit) and any truncation is detected.
// Written inside the atomic write, so file and checksum appear together under the final name.
class CorruptFile : public IoError {
 public:
  using IoError::IoError;
};
// Appends the trailer to `path` (a complete file, e.g. a temporary before its rename).
void seal_file(const std::string& path);
// The file's content without the trailer; IoError when it cannot be read, CorruptFile (naming the
// file) when the trailer is missing or does not match.
std::string read_sealed(const std::string& path);
// True when the file exists and its checksum matches; otherwise false with the reason in `why`.
bool sealed_file_intact(const std::string& path, std::string* why = nullptr);

class Artifacts {
 public:
  // fsync = false trades durability across power loss for speed (tests, scratch studies).
  explicit Artifacts(std::string root, bool fsync = true);
  const std::string& root() const { return root_; }
  // <root>/<key>/ (created on demand by write_atomic). Keys and names must be non-empty and
  // contain no '/' and not be "." or ".." (IoError otherwise), so nothing escapes the root.
  std::string dir_for(const std::string& key) const;
  // <root>/<key>/<name>
  std::string path_for(const std::string& key, const std::string& name) const;
  bool exists(const std::string& key, const std::string& name) const;
  // Calls write(tmp_path) then renames tmp_path to the final path; removes tmp on failure.
  void write_atomic(const std::string& key, const std::string& name,
                    const std::function<void(const std::string& tmp_path)>& write) const;
  // write_atomic, sealed (see seal_file) before the rename.
  void write_sealed(const std::string& key, const std::string& name,
                    const std::function<void(const std::string& tmp_path)>& write) const;
  // Removes the file if present (no error when it is already gone).
  void remove(const std::string& key, const std::string& name) const;

 private:
  std::string root_;
  bool fsync_;
};

// Checkpoint file names: "epoch-<e>.pt" for kept epochs, "final.pt" for the last weights.
std::string checkpoint_name(int epoch);  // epoch < 0 -> "final.pt"

}  // namespace kdbench::results
