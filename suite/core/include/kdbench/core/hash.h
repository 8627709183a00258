#pragma once
// Content keys (docs/design.md §3.2): a task's key is a hash of the canonical text of everything
// that determines its result. 128 bits (two independent 64-bit FNV-1a lanes) printed as 16 hex
// chars of each lane's prefix keep keys short yet collision-free for any realistic grid.
#include <cstdint>
#include <string>

namespace kdbench {

// 24 lowercase hex characters (96 bits) of the content hash of `text`.
std::string content_key(const std::string& text);

// A 64-bit seed derived from a base seed and a key, so every task's randomness is reproducible
// and independent of which rank runs it.
uint64_t derive_seed(uint64_t base, const std::string& key);

}  // namespace kdbench
