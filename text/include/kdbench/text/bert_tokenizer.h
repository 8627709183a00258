#pragma once
// BERT's tokenizer (Hugging Face's BertTokenizer with its defaults): BasicTokenizer, then
// WordPiece on each word, then [CLS] a [SEP] (b [SEP]) with segment ids and "longest_first"
// truncation. No padding: batches pad dynamically.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdbench/text/basic_tokenizer.h"
#include "kdbench/text/tokenizer.h"
#include "kdbench/text/vocab.h"
#include "kdbench/text/wordpiece.h"

namespace kdbench::text {

struct BertTokenizerOptions {
  bool lower_case = true;  // bert-base-uncased; false for the cased models
  std::size_t max_input_chars_per_word = 100;
};

class BertTokenizer : public Tokenizer {
 public:
  explicit BertTokenizer(Vocab vocab, BertTokenizerOptions options = {});
  static BertTokenizer from_file(const std::string& vocab_path, BertTokenizerOptions options = {});

  const Vocab& vocab() const { return vocab_; }
  // WordPiece tokens of `text`, without [CLS]/[SEP].
  std::vector<std::string> tokenize(std::string_view text) const;
  std::vector<int32_t> token_ids(std::string_view text) const override;

  int64_t vocab_size() const override { return static_cast<int64_t>(vocab_.size()); }
  int32_t pad_id() const override { return vocab_.pad_id(); }
  int32_t unk_id() const override { return vocab_.unk_id(); }
  int32_t cls_id() const override { return vocab_.cls_id(); }
  int32_t sep_id() const override { return vocab_.sep_id(); }
  int32_t mask_id() const override { return vocab_.mask_id(); }
  std::string name() const override { return "wordpiece"; }
  // encode(a) and encode(a, b): Tokenizer's.

 private:
  Vocab vocab_;
  BasicTokenizer basic_;
  std::size_t max_chars_;
};

}  // namespace kdbench::text
