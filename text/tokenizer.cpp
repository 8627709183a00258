#include "kdbench/text/tokenizer.h"

#include "kdbench/core/errors.h"

namespace kdbench::text {
namespace {

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

Encoding Tokenizer::encode(std::string_view a, std::size_t max_length) const {
  check_room(max_length, 2);
  std::vector<int32_t> ids = token_ids(a);
  if (ids.size() > max_length - 2) ids.resize(max_length - 2);
  Encoding out;
  out.input_ids.push_back(cls_id());
  out.token_type_ids.push_back(0);
  append_segment(ids, 0, sep_id(), out);
  out.attention_mask.assign(out.input_ids.size(), 1);
  return out;
}

Encoding Tokenizer::encode(std::string_view a, std::string_view b, std::size_t max_length) const {
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
  out.input_ids.push_back(cls_id());
  out.token_type_ids.push_back(0);
  append_segment(first, 0, sep_id(), out);
  append_segment(second, 1, sep_id(), out);
  out.attention_mask.assign(out.input_ids.size(), 1);
  return out;
}

}  // namespace kdbench::text
