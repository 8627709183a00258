#pragma once
// File writing shared by the vocabulary trainer and the corpus converter: nothing half-written is
// ever visible under the final name.
#include <string>

namespace kdbench::text::text_files {

// A name beside `path` unique to this process ("<path>.tmp-<pid>").
std::string temporary_name(const std::string& path);

// Writes `bytes` to `path` (created or truncated); throws IoError naming it on failure.
void write_bytes(const std::string& path, const std::string& bytes);

// write_bytes to temporary_name(path), then rename onto `path`; the temporary is removed on
// failure.
void write_atomically(const std::string& path, const std::string& bytes);

}  // namespace kdbench::text::text_files
