#pragma once
// A crude, deterministic reader of raw RFC 822 mail (the SpamAssassin corpus, docs/text.md): the
// subject and the readable body text, for a spam classifier. Not a MIME library: it reads
// headers, multipart boundaries, quoted-printable and base64, a few charsets and strips HTML.
#include <string>
#include <string_view>

namespace kdbench::text {

struct Mail {
  std::string subject;  // RFC 2047 encoded-words decoded, UTF-8
  std::string body;     // text/plain parts, or the text of text/html parts when none is plain
};

// Throws DataError when `raw` does not start with a header block ("Name: value" lines; an mbox
// "From " line before them is allowed).
Mail parse_mail(std::string_view raw);

// The pieces, for tests and reuse. Bytes in, bytes out; invalid input is kept, never rejected.
std::string decode_quoted_printable(std::string_view text);
std::string decode_base64(std::string_view text);
// Bytes in `charset` → UTF-8: ISO-8859-1/US-ASCII and Windows-1252 are converted, UTF-8 and
// unknown charsets pass through (the tokenizer drops what is not valid UTF-8).
std::string charset_to_utf8(std::string_view bytes, std::string_view charset);
// "=?charset?B|Q?...?=" words of a header value decoded to UTF-8.
std::string decode_header_value(std::string_view value);
// Tags, comments, <script> and <style> removed, entities decoded, whitespace runs collapsed.
std::string strip_html(std::string_view html);

}  // namespace kdbench::text
