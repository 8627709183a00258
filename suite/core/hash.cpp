#include "kdbench/core/hash.h"

#include <cstdio>

namespace kdbench {
namespace {

uint64_t fnv1a(const std::string& text, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// splitmix64 finalizer: spreads FNV's weak low bits.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string content_key(const std::string& text) {
  const uint64_t a = mix(fnv1a(text, 0xcbf29ce484222325ULL));
  const uint64_t b = mix(fnv1a(text, 0x84222325cbf29ce4ULL) ^ text.size());
  char buf[25];
  std::snprintf(buf, sizeof buf, "%016llx%08llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b >> 32));
  return buf;
}

uint64_t derive_seed(uint64_t base, const std::string& key) {
  return mix(fnv1a(key, 0xcbf29ce484222325ULL) ^ mix(base));
}

}  // namespace kdbench
