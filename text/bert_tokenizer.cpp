#include "kdbench/text/bert_tokenizer.h"

#include "kdbench/core/errors.h"

namespace kdbench::text {
namespace {

constexpr std::string_view kSpecialTokens[] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};

BasicTokenizerOptions basic_options(const BertTokenizerOptions& options) {
  BasicTokenizerOptions basic;
  basic.lower_case = options.lower_case;
  basic.never_split.assign(std::begin(kSpecialTokens), std::end(kSpecialTokens));
  return basic;
}

void append_segment(const std::vector<int32_t>& ids, int32_t type, int32_t sep, Encoding& out) {
  out.input_ids.insert(out.input_ids.end(), ids.begin(), ids.end());
  out.input_ids.push_back(sep);
  out.token_type_ids.insert(out.token_type_ids.end(), ids.size() + 1, type);
}

void check_room(std::size_t max_length, std::size_t specials) {
  if (max_length < specials) {
    throw ConfigError("tokenizer max_length " + std::to_string(max_length) + " cannot hold the " +
                      std::to_string(specials) + " special tokens of " +
                      (specials == 2 ? "[CLS] a [SEP]" : "[CLS] a [SEP] b [SEP]") +
                      " (allowed: >= " + std::to_string(specials) + ")");
  }
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

Encoding BertTokenizer::encode(std::string_view a, std::size_t max_length) const {
  check_room(max_length, 2);
  std::vector<int32_t> ids = token_ids(a);
  if (ids.size() > max_length - 2) ids.resize(max_length - 2);
  Encoding out;
  out.input_ids.push_back(vocab_.cls_id());
  out.token_type_ids.push_back(0);
  append_segment(ids, 0, vocab_.sep_id(), out);
  out.attention_mask.assign(out.input_ids.size(), 1);
  return out;
}

Encoding BertTokenizer::encode(std::string_view a, std::string_view b,
                               std::size_t max_length) const {
  check_room(max_length, 3);
  std::vector<int32_t> first = token_ids(a);
  std::vector<int32_t> second = token_ids(b);
  while (first.size() + second.size() > max_length - 3) {
    if (first.size() > second.size()) {
      first.pop_back();
    } else {
      second.pop_back();
    }
  }
  Encoding out;
  out.input_ids.push_back(vocab_.cls_id());
  out.token_type_ids.push_back(0);
  append_segment(first, 0, vocab_.sep_id(), out);
  append_segment(second, 1, vocab_.sep_id(), out);
  out.attention_mask.assign(out.input_ids.size(), 1);
  return out;
}

}  // namespace kdbench::text
