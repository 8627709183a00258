#pragma once
// BERT's basic tokenizer, step for step Hugging Face's BasicTokenizer (docs/text.md): clean the
// text, space out CJK ideographs, NFC, split on whitespace, lower-case and strip accents, split
// off punctuation. Its words go to WordPiece.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace kdbench::text {

struct BasicTokenizerOptions {
  bool lower_case = true;
  // Unset: strip accents exactly when lower-casing (Hugging Face's strip_accents=None).
  std::optional<bool> strip_accents;
  bool tokenize_chinese_chars = true;
  bool split_on_punctuation = true;
  // Whitespace-separated words kept whole: not lower-cased, not split ([CLS], [SEP], ...).
  std::vector<std::string> never_split;
};

class BasicTokenizer {
 public:
  explicit BasicTokenizer(BasicTokenizerOptions options = {});
  // `text` is UTF-8; invalid sequences count as U+FFFD, which cleaning drops.
  std::vector<std::string> tokenize(std::string_view text) const;

 private:
  BasicTokenizerOptions options_;
  std::unordered_set<std::u32string> never_split_;
};

}  // namespace kdbench::text
