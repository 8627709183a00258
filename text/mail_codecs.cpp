// The decoders of the mail reader (kdbench/text/mail.h): transfer encodings, charsets, RFC 2047
// header words and HTML.
#include <cctype>
#include <cstdint>

#include "kdbench/text/mail.h"
#include "kdbench/text/unicode.h"
#include "mail_strings.h"

namespace kdbench::text {
namespace {

using mail_strings::hex_value;
using mail_strings::lower_ascii;
using mail_strings::trim;

char32_t windows_1252(unsigned char b) {
  // WHATWG's windows-1252 for 0x80-0x9F; the five unassigned bytes map to themselves.
  static constexpr char16_t kHigh[32] = {
      0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021, 0x2C6,  0x2030, 0x160,
      0x2039, 0x152,  0x8D,   0x17D,  0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};
  return b >= 0x80 && b < 0xA0 ? kHigh[b - 0x80] : b;
}

std::string windows_1252_to_utf8(std::string_view bytes) {
  std::u32string text;
  text.reserve(bytes.size());
  for (char b : bytes) text.push_back(windows_1252(static_cast<unsigned char>(b)));
  return encode_utf8(text);
}

// Invalid sequences decode to U+FFFD, whose encoding differs from the bytes it replaced.
bool is_valid_utf8(std::string_view bytes) { return encode_utf8(decode_utf8(bytes)) == bytes; }

std::string decode_encoded_word(std::string_view charset, char encoding, std::string_view text) {
  std::string bytes;
  if (encoding == 'b' || encoding == 'B') {
    bytes = decode_base64(text);
  } else {
    std::string q(text);
    for (char& c : q) {
      if (c == '_') c = ' ';
    }
    bytes = decode_quoted_printable(q);
  }
  return charset_to_utf8(bytes, charset.substr(0, charset.find('*')));
}

}  // namespace

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out.push_back(text[i]);
      continue;
    }
    // "=" + optional trailing blanks + line end: a soft line break.
    std::size_t j = i + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
    if (j == text.size() || text[j] == '\n' ||
        (text[j] == '\r' && j + 1 < text.size() && text[j + 1] == '\n')) {
      i = j == text.size() ? j : (text[j] == '\r' ? j + 1 : j);
      continue;
    }
    const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high >= 0 && low >= 0) {
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back('=');  // not an escape: kept as written
    }
  }
  return out;
}

std::string decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else {
      continue;  // line breaks, padding, junk
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string charset_to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string name = lower_ascii(trim(charset));
  // As browsers do (WHATWG Encoding), ISO-8859-1 and US-ASCII labels mean Windows-1252: mail
  // marked Latin-1 routinely holds Windows "smart quotes".
  if (name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" || name == "us-ascii" ||
      name == "windows-1252" || name == "cp1252" || name == "ascii") {
    return windows_1252_to_utf8(bytes);
  }
  if (name.empty()) return is_valid_utf8(bytes) ? std::string(bytes) : windows_1252_to_utf8(bytes);
  return std::string(bytes);
}

std::string decode_header_value(std::string_view value) {
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  while (pos < value.size()) {
    const std::size_t start = value.find("=?", pos);
    std::size_t q1 = start == std::string_view::npos ? start : value.find('?', start + 2);
    std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos || q2 != q1 + 2) {
      out += charset_to_utf8(value.substr(pos), "");
      break;
    }
    const std::string_view gap = value.substr(pos, start - pos);
    // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
    if (!(last_was_word && trim(gap).empty())) out += charset_to_utf8(gap, "");
    out += decode_encoded_word(value.substr(start + 2, q1 - start - 2), value[q1 + 1],
                               value.substr(q2 + 1, end - q2 - 1));
    last_was_word = true;
    pos = end + 2;
  }
  return out;
}

std::string strip_html(std::string_view html) {
  const std::string lower = lower_ascii(html);
  std::u32string out;
  const auto skip_past = [&](std::size_t from, std::string_view marker) {
    const std::size_t at = lower.find(marker, from);
    return at == std::string::npos ? html.size() : at + marker.size();
  };
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    if (c == '<' && lower.compare(i, 4, "<!--") == 0) {
      i = skip_past(i + 4, "-->");
      out.push_back(U' ');
    } else if (c == '<' && (std::isalpha(static_cast<unsigned char>(next)) || next == '/' ||
                            next == '!' || next == '?')) {
      const bool script = lower.compare(i, 7, "<script") == 0;
      const bool style = lower.compare(i, 6, "<style") == 0;
      i = skip_past(i, ">");
      if (script) i = skip_past(skip_past(i, "</script"), ">");
      if (style) i = skip_past(skip_past(i, "</style"), ">");
      out.push_back(U' ');
    } else if (c == '&') {
      const std::size_t semicolon = html.find(';', i);
      const std::string_view name = semicolon == std::string_view::npos || semicolon - i > 10
                                        ? std::string_view()
                                        : std::string_view(lower).substr(i + 1, semicolon - i - 1);
      char32_t decoded = 0;
      if (name == "amp") decoded = U'&';
      if (name == "lt") decoded = U'<';
      if (name == "gt") decoded = U'>';
      if (name == "quot") decoded = U'"';
      if (name == "apos") decoded = U'\'';
      if (name == "nbsp") decoded = U' ';
      if (name.size() > 1 && name[0] == '#') {
        const bool hex = name[1] == 'x';
        unsigned long value = 0;
        bool digits = name.size() > (hex ? 2u : 1u);
        for (char d : name.substr(hex ? 2 : 1)) {
          const int v =
              hex ? hex_value(d) : (std::isdigit(static_cast<unsigned char>(d)) ? d - '0' : -1);
          if (v < 0 || value > 0x10FFFF) {
            digits = false;
            break;
          }
          value = value * (hex ? 16 : 10) + static_cast<unsigned long>(v);
        }
        if (digits) {
          const bool valid = value > 0 && value <= 0x10FFFF && (value < 0xD800 || value > 0xDFFF);
          decoded = valid ? static_cast<char32_t>(value) : 0xFFFD;
        }
      }
      if (decoded != 0) {
        out.push_back(decoded);
        i = semicolon + 1;
      } else {
        out.push_back(U'&');
        ++i;
      }
    } else {
      // Copy one UTF-8 sequence as it is.
      std::size_t j = i + 1;
      while (j < html.size() && (static_cast<unsigned char>(html[j]) & 0xC0) == 0x80) ++j;
      for (char32_t cp : decode_utf8(html.substr(i, j - i))) out.push_back(cp);
      i = j;
    }
  }
  // Collapse whitespace as a browser renders it.
  std::u32string collapsed;
  for (char32_t cp : out) {
    const bool space = cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\f';
    if (space) {
      if (!collapsed.empty() && collapsed.back() != U' ') collapsed.push_back(U' ');
    } else {
      collapsed.push_back(cp);
    }
  }
  while (!collapsed.empty() && collapsed.back() == U' ') collapsed.pop_back();
  return encode_utf8(collapsed);
}

}  // namespace kdbench::text
