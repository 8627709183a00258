// Handwritten mails, one per path of the parser.
#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/text/mail.h"

using namespace kdbench;
using namespace kdbench::text;

TEST(Mail, PlainMailWithMboxLineAndFoldedSubject) {
  const Mail mail = parse_mail(
      "From someone@example.com  Thu Aug 22 12:36:23 2002\n"
      "Return-Path: <someone@example.com>\n"
      "Subject: Re: New Sequences\n"
      "\tWindow\n"
      "From: Someone <someone@example.com>\n"
      "\n"
      "Date: not a header, the body starts above\n"
      "Second line\n");
  EXPECT_EQ(mail.subject, "Re: New Sequences Window");
  EXPECT_EQ(mail.body, "Date: not a header, the body starts above\nSecond line\n");
}

TEST(Mail, CrLfLinesAndNoBlankLineBeforeBody) {
  EXPECT_EQ(parse_mail("Subject: hi\r\n\r\nline one\r\nline two\r\n").body, "line one\nline two\n");
  EXPECT_EQ(parse_mail("Subject: hi\nbody without a blank line\n").body,
            "body without a blank line\n");
  EXPECT_EQ(parse_mail("Subject: only headers\n").body, "");
}

TEST(Mail, NoHeaderBlockIsADataError) {
  EXPECT_THROW(parse_mail("just some text\n\nmore"), DataError);
  EXPECT_THROW(parse_mail(""), DataError);
  EXPECT_THROW(parse_mail("\nSubject: after a blank line"), DataError);
}

TEST(Mail, EncodedWordSubjects) {
  EXPECT_EQ(decode_header_value("=?iso-8859-1?Q?Caf=E9_au_lait?= =?utf-8?B?w6k=?="),
            "Caf\u00E9 au lait\u00E9");  // the space between two encoded words goes
  EXPECT_EQ(decode_header_value("Re: =?ISO-8859-1?q?na=EFve?= plan"), "Re: na\u00EFve plan");
  EXPECT_EQ(decode_header_value("broken =?utf-8?X"), "broken =?utf-8?X");
  EXPECT_EQ(decode_header_value("8-bit caf\xE9"), "8-bit caf\u00E9");  // not UTF-8: Windows-1252
  EXPECT_EQ(parse_mail("Subject: =?us-ascii?B?SGVsbG8=?=\n\nx").subject, "Hello");
}

TEST(Mail, QuotedPrintable) {
  EXPECT_EQ(decode_quoted_printable("na=EFve soft=\nbreak =3D ok =ZZ end=  \nx=4"),
            "na\xEFve softbreak = ok =ZZ endx=4");
  const Mail mail = parse_mail(
      "Subject: qp\n"
      "Content-Type: text/plain; charset=\"ISO-8859-1\"\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "na=EFve =93quoted=94 soft=\n"
      "break\n");
  EXPECT_EQ(mail.body, "na\u00EFve \u201Cquoted\u201D softbreak\n");
}

TEST(Mail, Base64) {
  EXPECT_EQ(decode_base64("aGVs\nbG8g\r\nd29y bGQ="), "hello world");
  EXPECT_EQ(decode_base64("w6k="), "\xC3\xA9");
  const Mail mail = parse_mail(
      "Subject: b64\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "Content-Transfer-Encoding: BASE64\n"
      "\n"
      "aGVsbG8gd8O2cmxk\n");
  EXPECT_EQ(mail.body, "hello w\u00F6rld\n");
}

TEST(Mail, Charsets) {
  EXPECT_EQ(charset_to_utf8("caf\xE9 \x93q\x94 \x80", "windows-1252"),
            "caf\u00E9 \u201Cq\u201D \u20AC");
  EXPECT_EQ(charset_to_utf8("caf\xE9", "ISO-8859-1"), "caf\u00E9");
  EXPECT_EQ(charset_to_utf8("caf\xC3\xA9", ""), "caf\u00E9");    // valid UTF-8 stays
  EXPECT_EQ(charset_to_utf8("caf\xE9", ""), "caf\u00E9");        // else Windows-1252
  EXPECT_EQ(charset_to_utf8("\xB0\xA1", "gb2312"), "\xB0\xA1");  // unknown: bytes as they are
}

TEST(Mail, StripHtml) {
  EXPECT_EQ(strip_html("<html><head><title>T</title><style>p {color: red}</style>"
                       "<SCRIPT type=x>if (a<b) x();</SCRIPT></head>\n<body><p>Hi &amp; bye"
                       "&nbsp;&lt;3 &#233;&#xE9; &bogus; a < b<!-- hidden <p> --></p>"
                       "<br/>caf\u00E9</body></html>"),
            "T Hi & bye <3 \u00E9\u00E9 &bogus; a < b caf\u00E9");
  EXPECT_EQ(strip_html("&#0; &#xD800; &#99999999;"), "\uFFFD \uFFFD &#99999999;");
  EXPECT_EQ(strip_html("<unclosed"), "");
}

TEST(Mail, MultipartAlternativePrefersPlainText) {
  const Mail mail = parse_mail(
      "Subject: alt\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/alternative;\n"
      "\tboundary=\"----=_NextPart_000\"\n"
      "\n"
      "This is a multi-part message in MIME format.\n"
      "\n"
      "------=_NextPart_000\n"
      "Content-Type: text/plain; charset=us-ascii\n"
      "\n"
      "plain version\n"
      "------=_NextPart_000\n"
      "Content-Type: text/html\n"
      "\n"
      "<p>html version</p>\n"
      "------=_NextPart_000--\n"
      "epilogue\n");
  EXPECT_EQ(mail.body, "plain version\n");
}

TEST(Mail, HtmlOnlyNestedMultipartSkipsAttachments) {
  const Mail mail = parse_mail(
      "Subject: spam\n"
      "Content-Type: multipart/mixed; boundary=outer\n"
      "\n"
      "--outer\n"
      "Content-Type: multipart/related; boundary=\"inner\"\n"
      "\n"
      "--inner\n"
      "Content-Type: text/html; charset=iso-8859-1\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "<b>Buy</b> n=F6w!\n"
      "--inner\n"
      "Content-Type: image/gif\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: text/plain; name=\"notes.txt\"\n"
      "Content-Disposition: attachment; filename=\"notes.txt\"\n"
      "\n"
      "attached text\n"
      "--outer--\n");
  EXPECT_EQ(mail.subject, "spam");
  EXPECT_EQ(mail.body, "Buy n\u00F6w!\n");
}

TEST(Mail, MultipartWithoutItsBoundaryIsReadAsText) {
  EXPECT_EQ(parse_mail("Content-Type: multipart/mixed; boundary=\"gone\"\n\nno parts here\n").body,
            "no parts here\n");
  EXPECT_EQ(parse_mail("Content-Type: multipart/mixed\n\nno boundary\n").body, "no boundary\n");
}

TEST(Mail, ForwardedMessageAndNonTextTopLevel) {
  EXPECT_EQ(
      parse_mail("Subject: fwd\nContent-Type: message/rfc822\n\nSubject: inner\n\nhello\n").body,
      "hello\n");
  EXPECT_EQ(parse_mail("Subject: pic\nContent-Type: image/jpeg\n\n\xFF\xD8\xFF").body, "");
}
