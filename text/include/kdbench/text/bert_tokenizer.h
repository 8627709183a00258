#pragma once
// BERT's tokenizer (Hugging Face's BertTokenizer with its defaults): BasicTokenizer, then
// WordPiece on each word, then [CLS] a [SEP] (b [SEP]) with segment ids and "longest_first"
// truncation. No padding: batches pad dynamically.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdbench/text/basic_tokenizer.h"
#include "kdbench/text/vocab.h"
#include "kdbench/text/wordpiece.h"

namespace kdbench::text {

struct Encoding {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;  // 0 for [CLS] a [SEP], 1 for b [SEP]
  std::vector<int32_t> attention_mask;  // all 1: nothing is padded yet
};

struct BertTokenizerOptions {
  bool lower_case = true;  // bert-base-uncased; false for the cased models
  std::size_t max_input_chars_per_word = 100;
};

class BertTokenizer {
 public:
  explicit BertTokenizer(Vocab vocab, BertTokenizerOptions options = {});
  static BertTokenizer from_file(const std::string& vocab_path, BertTokenizerOptions options = {});

  const Vocab& vocab() const { return vocab_; }
  // WordPiece tokens of `text`, without [CLS]/[SEP].
  std::vector<std::string> tokenize(std::string_view text) const;
  std::vector<int32_t> token_ids(std::string_view text) const;

  // At most max_length ids, [CLS] and [SEP]s included; throws ConfigError when max_length cannot
  // hold the special tokens (2 for one segment, 3 for a pair). A single segment loses tokens from
  // its end; a pair loses one token at a time from the end of the currently longer segment, b on
  // a tie (Hugging Face's truncate_sequences, "longest_first").
  Encoding encode(std::string_view a, std::size_t max_length = 512) const;
  Encoding encode(std::string_view a, std::string_view b, std::size_t max_length = 512) const;

 private:
  Vocab vocab_;
  BasicTokenizer basic_;
  std::size_t max_chars_;
};

}  // namespace kdbench::text
