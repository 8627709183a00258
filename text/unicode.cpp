#include "kdbench/text/unicode.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace kdbench::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Continuation byte ranges of the second byte of a sequence, by lead byte (Unicode Table 3-7):
// they exclude overlong forms, surrogates and code points above U+10FFFF.
bool valid_second_byte(unsigned char lead, unsigned char b) {
  if (lead == 0xE0) return b >= 0xA0 && b <= 0xBF;
  if (lead == 0xED) return b >= 0x80 && b <= 0x9F;
  if (lead == 0xF0) return b >= 0x90 && b <= 0xBF;
  if (lead == 0xF4) return b >= 0x80 && b <= 0x8F;
  return b >= 0x80 && b <= 0xBF;
}

std::u32string normalize_with(std::u32string_view text, utf8proc_option_t options) {
  const std::string bytes = encode_utf8(text);
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(bytes.data()),
                   static_cast<utf8proc_ssize_t>(bytes.size()), &out, options);
  // Input comes from encode_utf8 of decoded code points, so utf8proc cannot reject it.
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(out, &std::free);
  if (n < 0) return std::u32string(text);
  return decode_utf8(std::string_view(reinterpret_cast<const char*>(out), n));
}

bool category_is(char32_t c, std::initializer_list<utf8proc_category_t> categories) {
  const utf8proc_category_t cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  for (utf8proc_category_t wanted : categories) {
    if (cat == wanted) return true;
  }
  return false;
}

// Python's Cased property, approximated by the letter case categories plus any character with a
// case mapping (Roman numerals, circled letters).
bool is_cased(char32_t c) {
  const auto i = static_cast<utf8proc_int32_t>(c);
  return category_is(c, {UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT}) ||
         utf8proc_tolower(i) != i || utf8proc_toupper(i) != i;
}

// Unicode's Case_Ignorable: marks, format characters, modifiers and the Word_Break MidLetter,
// MidNumLet and Single_Quote characters.
bool is_case_ignorable(char32_t c) {
  switch (c) {
    case 0x27:
    case 0x2E:
    case 0x3A:
    case 0xB7:
    case 0x387:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
      return true;
    default:
      return category_is(c, {UTF8PROC_CATEGORY_MN, UTF8PROC_CATEGORY_ME, UTF8PROC_CATEGORY_CF,
                             UTF8PROC_CATEGORY_LM, UTF8PROC_CATEGORY_SK});
  }
}

// CPython's handle_capital_sigma: Σ lowers to ς when a cased letter precedes it and none follows
// (skipping case-ignorable characters both ways).
char32_t lower_sigma(std::u32string_view text, std::size_t i) {
  std::size_t j = i;
  while (j > 0 && is_case_ignorable(text[j - 1])) --j;
  if (j == 0 || !is_cased(text[j - 1])) return 0x3C3;
  std::size_t k = i + 1;
  while (k < text.size() && is_case_ignorable(text[k])) ++k;
  return (k < text.size() && is_cased(text[k])) ? 0x3C3 : 0x3C2;
}

}  // namespace

std::u32string decode_utf8(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    int length = 0;
    char32_t c = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      c = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      c = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      c = lead & 0x07;
    }
    // Consume the longest valid prefix; a broken sequence becomes one U+FFFD (Python's "maximal
    // subpart" rule), and the byte that broke it starts the next sequence.
    int taken = 1;
    bool complete = length > 0;
    for (; complete && taken < length; ++taken) {
      if (i + taken >= bytes.size()) {
        complete = false;
        break;
      }
      const auto b = static_cast<unsigned char>(bytes[i + taken]);
      const bool ok = taken == 1 ? valid_second_byte(lead, b) : (b >= 0x80 && b <= 0xBF);
      if (!ok) {
        complete = false;
        break;
      }
      c = (c << 6) | (b & 0x3F);
    }
    out.push_back(complete ? c : kReplacement);
    i += taken;
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::u32string decode_latin1(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  for (char b : bytes) out.push_back(static_cast<unsigned char>(b));
  return out;
}

bool is_split_space(char32_t c) { return c == U' ' || c == 0x2028 || c == 0x2029; }

bool is_bert_whitespace(char32_t c) {
  if (c == U' ' || c == U'\t' || c == U'\n' || c == U'\r') return true;
  return category_is(c, {UTF8PROC_CATEGORY_ZS});
}

bool is_bert_control(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  return category_is(c, {UTF8PROC_CATEGORY_CC, UTF8PROC_CATEGORY_CF, UTF8PROC_CATEGORY_CS,
                         UTF8PROC_CATEGORY_CO, UTF8PROC_CATEGORY_CN});
}

bool is_bert_punctuation(char32_t c) {
  // BERT treats every non-alphanumeric ASCII character as punctuation, "$", "^" and "`" too.
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  return category_is(
      c, {UTF8PROC_CATEGORY_PC, UTF8PROC_CATEGORY_PD, UTF8PROC_CATEGORY_PS, UTF8PROC_CATEGORY_PE,
          UTF8PROC_CATEGORY_PI, UTF8PROC_CATEGORY_PF, UTF8PROC_CATEGORY_PO});
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_nonspacing_mark(char32_t c) { return category_is(c, {UTF8PROC_CATEGORY_MN}); }

std::u32string nfc(std::u32string_view text) {
  return normalize_with(text, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
}

std::u32string nfd(std::u32string_view text) {
  return normalize_with(text, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
}

std::u32string lower_python(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c == 0x130) {  // the one unconditional multi-character lower-case mapping
      out.push_back(U'i');
      out.push_back(0x307);
    } else if (c == 0x3A3) {
      out.push_back(lower_sigma(text, i));
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

}  // namespace kdbench::text
