#include "kdbench/text/bert_tokenizer.h"

namespace kdbench::text {
namespace {

constexpr std::string_view kSpecialTokens[] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};

BasicTokenizerOptions basic_options(const BertTokenizerOptions& options) {
  BasicTokenizerOptions basic;
  basic.lower_case = options.lower_case;
  basic.never_split.assign(std::begin(kSpecialTokens), std::end(kSpecialTokens));
  return basic;
}

}  // namespace

BertTokenizer::BertTokenizer(Vocab vocab, BertTokenizerOptions options)
    : vocab_(std::move(vocab)),
      basic_(basic_options(options)),
      max_chars_(options.max_input_chars_per_word) {}

BertTokenizer BertTokenizer::from_file(const std::string& vocab_path,
                                       BertTokenizerOptions options) {
  return BertTokenizer(Vocab::load(vocab_path), options);
}

std::vector<int32_t> BertTokenizer::token_ids(std::string_view text) const {
  const WordPiece wordpiece(vocab_, max_chars_);
  std::vector<int32_t> ids;
  const auto append_words = [&](std::string_view span) {
    for (const std::string& word : basic_.tokenize(span)) wordpiece.append_ids(word, ids);
  };
  // Special tokens written in the text stay whole wherever they stand ("a[SEP]b"), as Hugging
  // Face's PreTrainedTokenizer.tokenize splits them off before the basic tokenizer runs.
  std::size_t done = 0;
  while (done < text.size()) {
    std::size_t best = std::string_view::npos;
    std::string_view best_token;
    for (std::string_view special : kSpecialTokens) {
      const std::size_t at = text.find(special, done);
      if (at < best) {
        best = at;
        best_token = special;
      }
    }
    if (best == std::string_view::npos) break;
    append_words(text.substr(done, best - done));
    ids.push_back(vocab_.find(std::string(best_token)));
    done = best + best_token.size();
  }
  if (done < text.size()) append_words(text.substr(done));
  return ids;
}

std::vector<std::string> BertTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  for (int32_t id : token_ids(text)) tokens.push_back(vocab_.token(id));
  return tokens;
}

}  // namespace kdbench::text
