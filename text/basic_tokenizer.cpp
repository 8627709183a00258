#include "kdbench/text/basic_tokenizer.h"

#include <algorithm>

#include "kdbench/text/unicode.h"

namespace kdbench::text {
namespace {

// _clean_text and _tokenize_chinese_chars in one pass: drop NUL, U+FFFD and control characters,
// turn whitespace into spaces, surround CJK ideographs with spaces.
std::u32string clean_text(const std::u32string& text, bool space_cjk) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c == 0 || c == 0xFFFD || is_bert_control(c)) continue;
    if (is_bert_whitespace(c)) {
      out.push_back(U' ');
    } else if (space_cjk && is_cjk_ideograph(c)) {
      out.push_back(U' ');
      out.push_back(c);
      out.push_back(U' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Python's str.split() on the cleaned text: only space, U+2028 and U+2029 are left to split on.
std::vector<std::u32string> split_words(const std::u32string& text) {
  std::vector<std::u32string> words;
  std::u32string word;
  for (char32_t c : text) {
    if (is_split_space(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool is_ascii(const std::u32string& text) {
  return std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0x80; });
}

std::u32string strip_accents(const std::u32string& word) {
  if (is_ascii(word)) return word;  // NFD leaves ASCII alone and it has no marks
  std::u32string out;
  for (char32_t c : nfd(word)) {
    if (!is_nonspacing_mark(c)) out.push_back(c);
  }
  return out;
}

// _run_split_on_punc: every punctuation character becomes a word of its own.
void split_punctuation(const std::u32string& word, std::vector<std::u32string>& out) {
  bool start_new = true;
  for (char32_t c : word) {
    if (is_bert_punctuation(c)) {
      out.push_back(std::u32string(1, c));
      start_new = true;
    } else {
      if (start_new) out.emplace_back();
      out.back().push_back(c);
      start_new = false;
    }
  }
}

}  // namespace

BasicTokenizer::BasicTokenizer(BasicTokenizerOptions options) : options_(std::move(options)) {
  for (const std::string& token : options_.never_split) never_split_.insert(decode_utf8(token));
}

std::vector<std::string> BasicTokenizer::tokenize(std::string_view text) const {
  std::u32string cleaned = clean_text(decode_utf8(text), options_.tokenize_chinese_chars);
  if (!is_ascii(cleaned)) cleaned = nfc(cleaned);  // NFC leaves ASCII alone
  const bool strip = options_.strip_accents.value_or(options_.lower_case);
  std::vector<std::u32string> pieces;
  for (std::u32string& word : split_words(cleaned)) {
    if (never_split_.count(word) > 0) {
      pieces.push_back(std::move(word));
      continue;
    }
    if (options_.lower_case) word = lower_python(word);
    if (strip) word = strip_accents(word);
    if (options_.split_on_punctuation) {
      split_punctuation(word, pieces);
    } else {
      pieces.push_back(std::move(word));
    }
  }
  // Hugging Face joins the pieces with spaces and splits again: a piece that became empty (a word
  // of accents only) vanishes.
  std::vector<std::string> tokens;
  for (const std::u32string& piece : pieces) {
    for (const std::u32string& word : split_words(piece)) tokens.push_back(encode_utf8(word));
  }
  return tokens;
}

}  // namespace kdbench::text
