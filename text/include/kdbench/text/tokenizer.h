#pragma once
// What a text model needs from a tokenizer (docs/text.md): ids of a text, the special ids, and
// [CLS] a [SEP] (b [SEP]) encodings with "longest_first" truncation. BertTokenizer (WordPiece on
// bert-base-uncased's vocabulary) and SentencePieceTokenizer (a unigram model trained on a task's
// own text) implement it; the encoding and truncation rules live here once, for both.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kdbench::text {

struct Encoding {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;  // 0 for [CLS] a [SEP], 1 for b [SEP]
  std::vector<int32_t> attention_mask;  // all 1: nothing is padded yet
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // The ids of `text`, without [CLS]/[SEP].
  virtual std::vector<int32_t> token_ids(std::string_view text) const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual int32_t pad_id() const = 0;
  virtual int32_t unk_id() const = 0;
  virtual int32_t cls_id() const = 0;
  virtual int32_t sep_id() const = 0;
  virtual int32_t mask_id() const = 0;
  // Says which tokenizer and vocabulary, for logs and results ("wordpiece:vocab.txt").
  virtual std::string name() const = 0;

  // At most max_length ids, [CLS] and [SEP]s included; throws ConfigError when max_length cannot
  // hold the special tokens (2 for one segment, 3 for a pair). A single segment loses tokens from
  // its end; a pair loses one token at a time from the end of the currently longer segment, b on
  // a tie (Hugging Face's truncate_sequences, "longest_first").
  Encoding encode(std::string_view a, std::size_t max_length = 512) const;
  Encoding encode(std::string_view a, std::string_view b, std::size_t max_length = 512) const;

 protected:
  Tokenizer() = default;
  Tokenizer(const Tokenizer&) = default;
  Tokenizer(Tokenizer&&) = default;
  Tokenizer& operator=(const Tokenizer&) = default;
  Tokenizer& operator=(Tokenizer&&) = default;
};

}  // namespace kdbench::text
