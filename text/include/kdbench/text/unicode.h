#pragma once
// The Unicode steps of BERT's tokenizer (docs/text.md), on code points (std::u32string). The
// character classes follow Hugging Face's BasicTokenizer; the Unicode data is utf8proc's.
#include <string>
#include <string_view>

namespace kdbench::text {

// UTF-8 → code points. Each invalid or truncated sequence becomes U+FFFD, as Python's
// bytes.decode("utf-8", errors="replace") does; the bytes after it are decoded again.
std::u32string decode_utf8(std::string_view bytes);
std::string encode_utf8(std::u32string_view text);
// ISO-8859-1: every byte is the code point of the same value.
std::u32string decode_latin1(std::string_view bytes);

// Python's str.isspace() characters that BasicTokenizer's cleaning keeps: space, U+2028, U+2029.
bool is_split_space(char32_t c);
// BasicTokenizer's _is_whitespace: space, \t, \n, \r and category Zs.
bool is_bert_whitespace(char32_t c);
// BasicTokenizer's _is_control: category C* (Cc, Cf, Cs, Co, Cn) except \t, \n, \r.
bool is_bert_control(char32_t c);
// BasicTokenizer's _is_punctuation: ASCII 33-47, 58-64, 91-96, 123-126 and category P*.
bool is_bert_punctuation(char32_t c);
// BasicTokenizer's _is_chinese_char: the CJK Unified Ideographs blocks (not Hangul, kana).
bool is_cjk_ideograph(char32_t c);
// Unicode category Mn (nonspacing mark): what accent stripping removes after NFD.
bool is_nonspacing_mark(char32_t c);

std::u32string nfc(std::u32string_view text);
std::u32string nfd(std::u32string_view text);
// Python's str.lower(): simple lower-case mappings, U+0130 → "i\u0307" and the final sigma rule.
std::u32string lower_python(std::u32string_view text);

}  // namespace kdbench::text
