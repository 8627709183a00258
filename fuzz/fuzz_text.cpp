// libFuzzer target: the text readers of outside input: the mail parser (parse_mail) and the BERT
// tokenizer (UTF-8 decoding, cleaning, normalization, WordPiece, pair truncation).
// Input: one byte choosing max_length (2..65), then the bytes, read as a mail and as text (split
// in two halves for the pair). A DataError from parse_mail is the expected answer to bad mail;
// anything else escaping, or an encoding that breaks its invariants, is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kdbench/core/errors.h"
#include "kdbench/text/bert_tokenizer.h"
#include "kdbench/text/mail.h"

namespace {

// A vocabulary with single characters (ASCII, accented, CJK), pieces and whole words, so that
// WordPiece both matches and fails.
const kdbench::text::BertTokenizer& tokenizer() {
  static const kdbench::text::BertTokenizer instance(kdbench::text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]",  "[SEP]",    "[MASK]", "a",      "b",       "e",
       "##a",   "##b",   "##e",    "ab",       "##ab",   "un",     "##want",  "##ed",
       "!",     ".",     "\u00E9", "##\u00E9", "\u4E2D", "\u03C2", "##\u03C2"},
      "fuzz vocabulary"));
  return instance;
}

void check(const kdbench::text::Encoding& e, std::size_t max_length) {
  const std::size_t n = e.input_ids.size();
  if (n > max_length || n < 2 || e.token_type_ids.size() != n || e.attention_mask.size() != n ||
      e.input_ids.front() != 2 || e.input_ids.back() != 3) {
    __builtin_trap();
  }
  for (int32_t id : e.input_ids) {
    if (id < 0 || id >= static_cast<int32_t>(tokenizer().vocab().size())) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::size_t max_length = 2 + data[0] % 64;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const kdbench::text::Mail mail = kdbench::text::parse_mail(text);
    tokenizer().token_ids(mail.subject + "\n" + mail.body);
  } catch (const kdbench::DataError&) {
  }
  check(tokenizer().encode(text, max_length), max_length);
  if (max_length >= 3) {
    const std::size_t half = text.size() / 2;
    check(tokenizer().encode(text.substr(0, half), text.substr(half), max_length), max_length);
  }
  return 0;
}
