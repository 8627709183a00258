#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kdbench/core/errors.h"
#include "kdbench/results/artifacts.h"
#include "record_fixtures.h"

using namespace kdbench;
using namespace kdbench::results;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

size_t entries_in(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST(Artifacts, WriteAtomicCreatesDirectoryAndTmpNameInSameDir) {
  fixtures::TempDir tmp;
  Artifacts artifacts(tmp.file("art"));
  std::string seen_tmp;
  artifacts.write_atomic("key1", checkpoint_name(5), [&](const std::string& path) {
    seen_tmp = path;
    write_text(path, "weights");
  });
  const std::string final_path = artifacts.path_for("key1", "epoch-5.pt");
  EXPECT_EQ(final_path, tmp.file("art/key1/epoch-5.pt"));
  EXPECT_EQ(slurp(final_path), "weights");
  EXPECT_TRUE(artifacts.exists("key1", "epoch-5.pt"));
  // <name>.tmp.<pid>.<hex> next to the final file, gone after the rename.
  EXPECT_EQ(fs::path(seen_tmp).parent_path(), fs::path(final_path).parent_path());
  EXPECT_EQ(seen_tmp.rfind(final_path + ".tmp." + std::to_string(::getpid()) + ".", 0), 0u)
      << seen_tmp;
  EXPECT_FALSE(fs::exists(seen_tmp));
  EXPECT_EQ(entries_in(artifacts.dir_for("key1")), 1u);
}

TEST(Artifacts, ThrowingWriterLeavesNeitherFileNorTmp) {
  fixtures::TempDir tmp;
  Artifacts artifacts(tmp.file("art"), /*fsync=*/false);
  std::string seen_tmp;
  EXPECT_THROW(artifacts.write_atomic("k", "final.pt",
                                      [&](const std::string& path) {
                                        seen_tmp = path;
                                        write_text(path, "half a file");
                                        throw std::runtime_error("disk full");
                                      }),
               std::runtime_error);
  EXPECT_FALSE(seen_tmp.empty());
  EXPECT_FALSE(fs::exists(seen_tmp));
  EXPECT_FALSE(artifacts.exists("k", "final.pt"));
  EXPECT_EQ(entries_in(artifacts.dir_for("k")), 0u);
}

TEST(Artifacts, FailedRewriteKeepsThePreviousVersion) {
  fixtures::TempDir tmp;
  Artifacts artifacts(tmp.file("art"), /*fsync=*/false);
  artifacts.write_atomic("k", "final.pt", [](const std::string& p) { write_text(p, "v1"); });
  EXPECT_THROW(artifacts.write_atomic("k", "final.pt",
                                      [](const std::string& p) {
                                        write_text(p, "v2-partial");
                                        throw IoError("interrupted");
                                      }),
               IoError);
  EXPECT_EQ(slurp(artifacts.path_for("k", "final.pt")), "v1");
  EXPECT_EQ(entries_in(artifacts.dir_for("k")), 1u);
  artifacts.write_atomic("k", "final.pt", [](const std::string& p) { write_text(p, "v3"); });
  EXPECT_EQ(slurp(artifacts.path_for("k", "final.pt")), "v3");
}

TEST(Artifacts, WriterThatWritesNothingIsAnError) {
  fixtures::TempDir tmp;
  Artifacts artifacts(tmp.file("art"), false);
  try {
    artifacts.write_atomic("k", "x.bin", [](const std::string&) {});
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("produced no file"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(artifacts.exists("k", "x.bin"));
}

TEST(Artifacts, RemoveAndNamesThatWouldEscapeTheRoot) {
  fixtures::TempDir tmp;
  Artifacts artifacts(tmp.file("art"), false);
  artifacts.write_atomic("k", "a", [](const std::string& p) { write_text(p, "x"); });
  artifacts.remove("k", "a");
  EXPECT_FALSE(artifacts.exists("k", "a"));
  EXPECT_NO_THROW(artifacts.remove("k", "a"));  // already gone
  EXPECT_THROW(artifacts.path_for("../k", "a"), IoError);
  EXPECT_THROW(artifacts.path_for("k", ".."), IoError);
  EXPECT_THROW(artifacts.path_for("", "a"), IoError);
  EXPECT_THROW(artifacts.path_for("k", "sub/a"), IoError);
}

TEST(Artifacts, CheckpointNames) {
  EXPECT_EQ(checkpoint_name(10), "epoch-10.pt");
  EXPECT_EQ(checkpoint_name(0), "epoch-0.pt");
  EXPECT_EQ(checkpoint_name(-1), "final.pt");
}

TEST(Artifacts, WriteTextAtomicReplacesContent) {
  fixtures::TempDir tmp;
  const std::string path = tmp.file("deep/dir/report.tex");
  write_text_atomic(path, "one");
  write_text_atomic(path, "two", /*fsync=*/false);
  EXPECT_EQ(slurp(path), "two");
  EXPECT_EQ(entries_in(tmp.path() / "deep/dir"), 1u);
}

TEST(SealedFiles, ReadBackTheirContentAndDetectEveryDamage) {
  const fs::path dir = fs::temp_directory_path() / ("kdbench-sealed-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "f.pt").string();
  const std::string body(1000, 'x');
  write_text_atomic(path, body, false);
  seal_file(path);
  EXPECT_EQ(read_sealed(path), body);
  EXPECT_TRUE(sealed_file_intact(path));
  const std::string sealed = slurp(path);
  for (size_t at : {size_t{0}, size_t{500}, body.size() + 10, sealed.size() - 1}) {
    std::string damaged = sealed;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    write_text(path, damaged);
    std::string why;
    EXPECT_FALSE(sealed_file_intact(path, &why)) << "flip at " << at;
    EXPECT_NE(why.find(path), std::string::npos) << why;
    EXPECT_THROW(read_sealed(path), CorruptFile);
  }
  for (size_t cut : {size_t{1}, size_t{31}, sealed.size() - 1}) {
    write_text(path, sealed.substr(0, sealed.size() - cut));
    EXPECT_THROW(read_sealed(path), CorruptFile) << "truncated by " << cut;
  }
  write_text(path, body);  // never sealed
  EXPECT_THROW(read_sealed(path), CorruptFile);
  EXPECT_FALSE(sealed_file_intact((dir / "missing.pt").string()));
  fs::remove_all(dir);
}
