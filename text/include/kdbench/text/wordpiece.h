#pragma once
// WordPiece (Hugging Face's WordpieceTokenizer): greedy longest-match-first over a word's code
// points; pieces after the first carry the "##" prefix. A word with no full segmentation, or
// longer than max_input_chars_per_word code points, becomes the single piece [UNK].
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdbench/text/vocab.h"

namespace kdbench::text {

class WordPiece {
 public:
  // `vocab` must outlive the WordPiece.
  explicit WordPiece(const Vocab& vocab, std::size_t max_input_chars_per_word = 100);
  // Appends the ids of one word (no whitespace in it) to `ids`.
  void append_ids(std::string_view word, std::vector<int32_t>& ids) const;
  // The pieces of each whitespace-separated word of `text`, as tokens.
  std::vector<std::string> tokenize(std::string_view text) const;

 private:
  const Vocab* vocab_;
  std::size_t max_chars_;
};

}  // namespace kdbench::text
