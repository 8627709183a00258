#pragma once
// The text steps of the corpus converter (kdbench/text/corpora.h), public for tests and reuse:
// making a string safe as one field of a GLUE TSV file, splitting an address into sentences, and
// the deterministic train/dev/test assignment.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kdbench::text {

// One TSV field: invalid UTF-8 replaced by U+FFFD (each maximal invalid sequence, as in
// decode_utf8), every run of ASCII whitespace or control characters (tab, CR, LF, NUL, ...)
// made one space, leading and trailing spaces dropped, then cut to at most `max_bytes` bytes
// without splitting a UTF-8 character (and trimmed again).
std::string clean_field(std::string_view text, std::size_t max_bytes);

// The longest prefix of valid UTF-8 `text` of at most `max_bytes` bytes that ends on a
// character boundary.
std::string_view cut_utf8(std::string_view text, std::size_t max_bytes);

// Whitespace-separated words of `text`.
std::size_t count_words(std::string_view text);

// Sentences of running prose, for the State of the Union addresses. A sentence ends at '.', '!'
// or '?' (and any closing quotes or brackets right after it) when whitespace and then an
// upper-case ASCII letter (possibly after an opening quote or bracket) follow. Not after an
// abbreviation it knows: a single capital letter ("John Q. Adams", "U.S. Government") or a title
// (Mr. Mrs. Messrs. Dr. Gen. Hon. Gov. Rev. St. Jr. Sr. No. Jan. Feb. ...). Its limits, accepted:
// a sentence ending in such an abbreviation is joined to the next; one ending in a number or a
// lower-case word ("... in 1850. the") is not split; other abbreviations before a capital
// ("Co. Treasury") split too early. Sentences come back with whitespace runs collapsed.
std::vector<std::string> split_sentences(std::string_view text);

enum class CorpusSplit { kTrain, kDev, kTest };
const char* split_name(CorpusSplit split);  // "train", "dev", "test"

// A stable 64-bit hash of an item's identity (a mail's file name, an address's file name, a
// sentence): FNV-1a with a splitmix64 finish (kdbench/core/hash.h's derive_seed with base 0),
// the same on every machine and library version.
uint64_t identity_hash(std::string_view identity);

// 80 / 10 / 10 by identity_hash(identity) % 10: 0..7 train, 8 dev, 9 test. Depends on nothing
// but the identity, so not on file order or on which other items exist.
CorpusSplit split_of(std::string_view identity);

}  // namespace kdbench::text
