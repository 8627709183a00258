#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kdbench/core/errors.h"
#include "kdbench/text/vocab.h"

using namespace kdbench;
using namespace kdbench::text;

namespace {

std::string write_vocab(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::path(KDBENCH_BINARY_DIR) / "test_text_vocab";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// The error message of loading `path`, or "" when it loads.
std::string load_error(const std::string& path) {
  try {
    Vocab::load(path);
  } catch (const DataError& e) {
    EXPECT_EQ(e.exit_code(), kExitUserError);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Vocab, IdsAreLineNumbers) {
  const Vocab vocab =
      Vocab::load(write_vocab("good.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n##lo\n"));
  EXPECT_EQ(vocab.size(), 7u);
  EXPECT_EQ(vocab.pad_id(), 0);
  EXPECT_EQ(vocab.unk_id(), 1);
  EXPECT_EQ(vocab.cls_id(), 2);
  EXPECT_EQ(vocab.sep_id(), 3);
  EXPECT_EQ(vocab.mask_id(), 4);
  EXPECT_EQ(vocab.find("hello"), 5);
  EXPECT_EQ(vocab.find("##lo"), 6);
  EXPECT_EQ(vocab.find("lo"), -1);
  EXPECT_EQ(vocab.token(6), "##lo");
}

TEST(Vocab, CrLfLinesAndNoFinalNewline) {
  const Vocab vocab =
      Vocab::load(write_vocab("crlf.txt", "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]"));
  EXPECT_EQ(vocab.size(), 5u);
  EXPECT_EQ(vocab.find("[MASK]"), 4);
}

TEST(Vocab, BadFilesNameTheFileAndTheProblem) {
  const std::string missing =
      (std::filesystem::path(KDBENCH_BINARY_DIR) / "no-such-vocab.txt").string();
  EXPECT_NE(load_error(missing).find(missing + ": cannot open"), std::string::npos);

  const std::string empty = write_vocab("empty.txt", "");
  EXPECT_NE(load_error(empty).find(empty + ": empty"), std::string::npos);

  const std::string no_unk = write_vocab("no_unk.txt", "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhello\n");
  EXPECT_NE(load_error(no_unk).find(no_unk + ": lacks the special token(s) [UNK] "),
            std::string::npos)
      << load_error(no_unk);

  const std::string two_missing = write_vocab("two_missing.txt", "[PAD]\n[UNK]\n[SEP]\nhello\n");
  EXPECT_NE(load_error(two_missing).find("lacks the special token(s) [CLS] [MASK] "),
            std::string::npos)
      << load_error(two_missing);

  const std::string duplicate =
      write_vocab("duplicate.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nhello\n");
  EXPECT_NE(load_error(duplicate).find("token 'hello' on line 7 repeats line 6"), std::string::npos)
      << load_error(duplicate);

  const std::string blank = write_vocab("blank.txt", "[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n[MASK]\n");
  EXPECT_NE(load_error(blank).find(blank + ": line 3 is empty"), std::string::npos)
      << load_error(blank);
}
