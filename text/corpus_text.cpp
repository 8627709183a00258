#include "kdbench/text/corpus_text.h"

#include <array>
#include <string_view>

#include "kdbench/core/hash.h"
#include "kdbench/text/unicode.h"

namespace kdbench::text {
namespace {

// Characters that would break a TSV row or that readers may take for a line break: C0 and C1
// controls (tab, CR, LF, NUL, NEL, ...), DEL, the Unicode line and paragraph separators, and the
// space itself (so that runs collapse).
bool is_field_break(char32_t c) {
  return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }

// Quotes and brackets that may close a sentence after its '.', or open the next one; the UTF-8
// curly quotes are three bytes each.
constexpr std::array<std::string_view, 6> kClosers = {"\"", "'", ")", "]", "\u201D", "\u2019"};
constexpr std::array<std::string_view, 5> kOpeners = {"\"", "'", "(", "[", "\u201C"};

template <std::size_t N>
std::size_t skip_any(std::string_view text, std::size_t pos,
                     const std::array<std::string_view, N>& marks) {
  for (bool moved = true; moved;) {
    moved = false;
    for (std::string_view mark : marks) {
      if (text.substr(pos, mark.size()) == mark) {
        pos += mark.size();
        moved = true;
      }
    }
  }
  return pos;
}

// Abbreviations whose '.' usually does not end a sentence in the addresses.
constexpr std::array<std::string_view, 24> kTitles = {
    "Mr",  "Mrs", "Messrs", "Dr",  "Gen", "Hon", "Gov",  "Rev", "St",  "Jr",  "Sr",  "No",
    "Jan", "Feb", "Mar",    "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Col", "Capt"};

// Whether the word ending at `dot` (exclusive) is an abbreviation: a single capital letter
// after a space, an opening bracket or another '.' ("U.S"), or one of kTitles.
bool ends_abbreviation(std::string_view text, std::size_t dot) {
  std::size_t start = dot;
  while (start > 0 && text[start - 1] != ' ' && text[start - 1] != '.' && text[start - 1] != '(' &&
         text[start - 1] != '"') {
    --start;
  }
  const std::string_view word = text.substr(start, dot - start);
  if (word.size() == 1 && is_ascii_upper(word[0])) return true;
  if (start > 0 && text[start - 1] == '.') return false;  // "etc.Mr" is not a title
  for (std::string_view title : kTitles) {
    if (word == title) return true;
  }
  return false;
}

}  // namespace

std::string_view cut_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string clean_field(std::string_view text, std::size_t max_bytes) {
  // decode_utf8 turns each invalid sequence into U+FFFD, so the result is valid UTF-8.
  const std::u32string chars = decode_utf8(text);
  std::u32string cleaned;
  cleaned.reserve(chars.size());
  bool pending_space = false;
  for (char32_t c : chars) {
    if (is_field_break(c)) {
      pending_space = !cleaned.empty();
      continue;
    }
    if (pending_space) cleaned.push_back(U' ');
    pending_space = false;
    cleaned.push_back(c);
  }
  std::string out = encode_utf8(cleaned);
  out = std::string(cut_utf8(out, max_bytes));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::vector<std::string> split_sentences(std::string_view raw) {
  const std::string text = clean_field(raw, std::string::npos);
  std::vector<std::string> sentences;
  std::size_t begin = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '.' && c != '!' && c != '?') continue;
    const std::size_t end = skip_any(text, i + 1, kClosers);
    if (end >= text.size() || text[end] != ' ') continue;
    const std::size_t next = skip_any(text, end + 1, kOpeners);
    if (next >= text.size() || !is_ascii_upper(text[next])) continue;
    if (c == '.' && ends_abbreviation(text, i)) continue;
    sentences.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
    i = end;
  }
  if (begin < text.size()) sentences.emplace_back(text.substr(begin));
  return sentences;
}

const char* split_name(CorpusSplit split) {
  switch (split) {
    case CorpusSplit::kTrain:
      return "train";
    case CorpusSplit::kDev:
      return "dev";
    case CorpusSplit::kTest:
      return "test";
  }
  return "?";
}

uint64_t identity_hash(std::string_view identity) { return derive_seed(0, std::string(identity)); }

CorpusSplit split_of(std::string_view identity) {
  const uint64_t bucket = identity_hash(identity) % 10;
  if (bucket < 8) return CorpusSplit::kTrain;
  return bucket == 8 ? CorpusSplit::kDev : CorpusSplit::kTest;
}

}  // namespace kdbench::text
