#include "kdbench/text/mail.h"

#include <cctype>
#include <utility>
#include <vector>

#include "kdbench/core/errors.h"
#include "mail_strings.h"

namespace kdbench::text {
namespace {

using mail_strings::lower_ascii;
using mail_strings::trim;

constexpr int kMaxMimeDepth = 8;  // nested multiparts deeper than this are read as plain text

using Headers = std::vector<std::pair<std::string, std::string>>;  // lower-case name, value

// The next line of `text` from `pos` without its "\n"; advances pos past it.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t end = text.find('\n', pos);
  const std::size_t stop = end == std::string_view::npos ? text.size() : end;
  std::string_view line = text.substr(pos, stop - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  return line;
}

bool is_header_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (char c : line.substr(0, colon)) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// Reads "Name: value" lines (folded continuation lines joined) up to the first empty line.
// Returns the offset of the body; `headers` stays empty when the text starts with no header.
std::size_t read_headers(std::string_view text, Headers& headers) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t line_start = pos;
    const std::string_view line = next_line(text, pos);
    if (line.empty()) return pos;
    if ((line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
      headers.back().second += ' ';
      headers.back().second += trim(line);
    } else if (is_header_line(line)) {
      const std::size_t colon = line.find(':');
      headers.emplace_back(lower_ascii(line.substr(0, colon)),
                           std::string(trim(line.substr(colon + 1))));
    } else {
      return line_start;  // no blank line before the body: it starts here
    }
  }
  return pos;
}

std::string header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

// The value of parameter `name` in a Content-Type value (quoted or not), or "".
std::string content_parameter(std::string_view value, std::string_view name) {
  const std::string lower = lower_ascii(value);
  std::size_t at = 0;
  while ((at = lower.find(name, at)) != std::string::npos) {
    const bool starts =
        at == 0 || lower[at - 1] == ';' || std::isspace(static_cast<unsigned char>(lower[at - 1]));
    std::size_t eq = at + name.size();
    while (eq < lower.size() && lower[eq] == ' ') ++eq;
    if (!starts || eq >= lower.size() || lower[eq] != '=') {
      at += name.size();
      continue;
    }
    std::size_t begin = eq + 1;
    while (begin < value.size() && value[begin] == ' ') ++begin;
    if (begin < value.size() && value[begin] == '"') {
      const std::size_t close = value.find('"', begin + 1);
      return std::string(value.substr(
          begin + 1, close == std::string_view::npos ? std::string_view::npos : close - begin - 1));
    }
    std::size_t end = begin;
    while (end < value.size() && value[end] != ';' &&
           !std::isspace(static_cast<unsigned char>(value[end])))
      ++end;
    return std::string(value.substr(begin, end - begin));
  }
  return "";
}

std::string media_type(std::string_view content_type) {
  const std::size_t semicolon = content_type.find(';');
  return lower_ascii(trim(content_type.substr(0, semicolon)));
}

struct Collected {
  std::string plain, html;
};

void collect(std::string_view part, Collected& out, int depth);

// The parts between "--boundary" lines; none when the body holds no delimiter.
std::vector<std::string_view> split_multipart(std::string_view body, const std::string& boundary) {
  const std::string delimiter = "--" + boundary;
  std::vector<std::string_view> parts;
  std::size_t pos = 0, part_start = std::string_view::npos;
  while (pos < body.size()) {
    const std::size_t line_start = pos;
    const std::string_view line = trim(next_line(body, pos));
    if (line.substr(0, delimiter.size()) != delimiter) continue;
    const std::string_view rest = line.substr(delimiter.size());
    if (!rest.empty() && rest != "--") continue;
    if (part_start != std::string_view::npos) {
      parts.push_back(body.substr(part_start, line_start - part_start));
    }
    if (rest == "--") return parts;
    part_start = pos;
  }
  if (part_start != std::string_view::npos) parts.push_back(body.substr(part_start));
  return parts;
}

void collect_parsed(const Headers& headers, std::string_view body, Collected& out, int depth) {
  const std::string content_type = header(headers, "content-type");
  const std::string type = content_type.empty() ? "text/plain" : media_type(content_type);
  if (type.rfind("multipart/", 0) == 0 && depth < kMaxMimeDepth) {
    const std::string boundary = content_parameter(content_type, "boundary");
    const std::vector<std::string_view> parts =
        boundary.empty() ? std::vector<std::string_view>{} : split_multipart(body, boundary);
    if (!parts.empty()) {
      for (std::string_view part : parts) collect(part, out, depth + 1);
      return;
    }
    // No delimiter found: read the body as plain text rather than lose it.
  } else if (type == "message/rfc822" && depth < kMaxMimeDepth) {
    collect(body, out, depth + 1);
    return;
  } else if (type.rfind("text/", 0) != 0 && type.rfind("multipart/", 0) != 0) {
    return;  // images, applications: no text for a classifier
  }
  if (lower_ascii(header(headers, "content-disposition")).rfind("attachment", 0) == 0) return;
  const std::string encoding = lower_ascii(trim(header(headers, "content-transfer-encoding")));
  std::string bytes;
  if (encoding == "quoted-printable") {
    bytes = decode_quoted_printable(body);
  } else if (encoding == "base64") {
    bytes = decode_base64(body);
  } else {
    bytes = std::string(body);
  }
  const std::string text = charset_to_utf8(bytes, content_parameter(content_type, "charset"));
  if (type == "text/html") {
    out.html += strip_html(text);
    out.html += '\n';
  } else {
    out.plain += text;
    if (!text.empty() && text.back() != '\n') out.plain += '\n';
  }
}

void collect(std::string_view part, Collected& out, int depth) {
  Headers headers;
  const std::size_t body = read_headers(part, headers);
  collect_parsed(headers, part.substr(body), out, depth);
}

}  // namespace

Mail parse_mail(std::string_view raw) {
  // CR LF → LF, so that every rule below deals with "\n" only.
  std::string normalized;
  normalized.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    normalized.push_back(raw[i]);
  }
  std::string_view view(normalized);
  if (view.rfind("From ", 0) == 0) {  // mbox envelope line
    std::size_t pos = 0;
    next_line(view, pos);
    view.remove_prefix(pos);
  }
  Headers headers;
  const std::size_t body = read_headers(view, headers);
  if (headers.empty()) {
    throw DataError("mail: no header block at its start (want RFC 822 'Name: value' lines)");
  }
  Collected collected;
  collect_parsed(headers, view.substr(body), collected, 0);
  Mail mail;
  mail.subject = decode_header_value(header(headers, "subject"));
  mail.body = collected.plain.empty() ? std::move(collected.html) : std::move(collected.plain);
  return mail;
}

}  // namespace kdbench::text
