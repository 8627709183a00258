#include "kdbench/text/wordpiece.h"

#include "kdbench/text/unicode.h"

namespace kdbench::text {

WordPiece::WordPiece(const Vocab& vocab, std::size_t max_input_chars_per_word)
    : vocab_(&vocab), max_chars_(max_input_chars_per_word) {}

void WordPiece::append_ids(std::string_view word, std::vector<int32_t>& ids) const {
  // Byte offset of each code point, so that candidate pieces are substrings of the UTF-8 word.
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  const std::size_t chars = offsets.size();
  offsets.push_back(word.size());
  if (chars > max_chars_) {
    ids.push_back(vocab_->unk_id());
    return;
  }
  const std::size_t first = ids.size();
  std::string candidate;
  for (std::size_t start = 0; start < chars;) {
    int32_t match = -1;
    std::size_t end = chars;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? "##" : "");
      candidate.append(word.substr(offsets[start], offsets[end] - offsets[start]));
      match = vocab_->find(candidate);
      if (match >= 0) break;
    }
    if (match < 0) {
      ids.resize(first);
      ids.push_back(vocab_->unk_id());
      return;
    }
    ids.push_back(match);
    start = end;
  }
}

std::vector<std::string> WordPiece::tokenize(std::string_view text) const {
  std::vector<int32_t> ids;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) append_ids(word, ids);
    word.clear();
  };
  for (char32_t c : decode_utf8(text)) {
    if (is_split_space(c) || c == U'\t' || c == U'\n' || c == U'\r') {
      flush();
    } else {
      word += encode_utf8(std::u32string_view(&c, 1));
    }
  }
  flush();
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) tokens.push_back(vocab_->token(id));
  return tokens;
}

}  // namespace kdbench::text
