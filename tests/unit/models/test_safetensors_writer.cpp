// The safetensors writer: every dtype back through the reader bit for bit, metadata, refusals of
// what it cannot store, atomic replacement, and an independent Python reader (json + struct only)
// agreeing with the file.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/models/safetensors.h"

namespace kdbench::models {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(KDBENCH_BINARY_DIR) / "tests" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

NamedTensors every_dtype() {
  torch::manual_seed(7);
  return {{"weights", torch::randn({3, 5})},
          {"scalar", torch::tensor(2.5f)},
          {"empty", torch::zeros({0, 4})},
          {"halves", torch::randn({7}).to(torch::kFloat16)},
          {"bfloats", torch::randn({2, 3}).to(torch::kBFloat16)},
          {"position_ids", torch::arange(9, torch::kLong).view({1, 9})},
          {"strided", torch::arange(12, torch::kFloat32).view({3, 4}).t()}};  // not contiguous
}

TEST(SafetensorsWriter, EveryDtypeRoundTripsThroughTheReader) {
  const auto tensors = every_dtype();
  const auto file = SafetensorsFile::parse(safetensors_bytes(tensors, {{"format", "pt"}}), "mem");
  EXPECT_EQ(file.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
  ASSERT_EQ(file.entries().size(), tensors.size());
  const std::map<std::string, std::string> dtypes = {
      {"weights", "F32"},  {"scalar", "F32"},       {"empty", "F32"},  {"halves", "F16"},
      {"bfloats", "BF16"}, {"position_ids", "I64"}, {"strided", "F32"}};
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& [name, tensor] = tensors[i];
    EXPECT_EQ(file.entries()[i].name, name) << "stored in the order given";
    EXPECT_EQ(file.entries()[i].dtype, dtypes.at(name));
    const auto back = file.tensor(name);
    EXPECT_EQ(back.sizes(), tensor.sizes()) << name;
    // The reader widens F16/BF16 to float32: equal to the same widening of what was written.
    const auto expected = tensor.scalar_type() == torch::kLong ? tensor : tensor.to(torch::kFloat);
    EXPECT_TRUE(torch::equal(back, expected)) << name;
  }
  // No metadata: no "__metadata__" entry at all.
  EXPECT_TRUE(SafetensorsFile::parse(safetensors_bytes(tensors), "mem").metadata().empty());
}

TEST(SafetensorsWriter, TheHeaderIsPaddedSoTheDataIsAligned) {
  for (const char* name : {"a", "ab", "abc", "abcd", "abcde"}) {
    const std::string bytes = safetensors_bytes({{name, torch::ones({1})}});
    uint64_t header = 0;
    std::memcpy(&header, bytes.data(), 8);
    EXPECT_EQ(header % 8, 0u) << name;
    EXPECT_EQ(bytes.size(), 8 + header + 4) << name;
  }
}

TEST(SafetensorsWriter, RefusesWhatItCannotStore) {
  EXPECT_THROW(safetensors_bytes({{"ids", torch::zeros({2}, torch::kInt32)}}), Error);
  EXPECT_THROW(safetensors_bytes({{"x", torch::zeros({2}, torch::kDouble)}}), Error);
  EXPECT_THROW(safetensors_bytes({{"x", torch::ones({1})}, {"x", torch::ones({1})}}), Error);
  EXPECT_THROW(safetensors_bytes({{"__metadata__", torch::ones({1})}}), Error);
  try {
    safetensors_bytes({{"ids", torch::zeros({2}, torch::kInt32)}});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'ids' is Int"), std::string::npos) << e.what();
  }
}

TEST(SafetensorsWriter, WritesAtomicallyAndReplaces) {
  const fs::path dir = fresh_dir("safetensors_writer");
  const std::string path = (dir / "w.safetensors").string();
  write_safetensors(path, {{"x", torch::ones({2})}});
  write_safetensors(path, {{"y", torch::zeros({3})}});
  const auto file = SafetensorsFile::read(path);
  EXPECT_FALSE(file.contains("x"));
  EXPECT_TRUE(torch::equal(file.tensor("y"), torch::zeros({3})));
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) entries += e.is_regular_file();
  EXPECT_EQ(entries, 1) << "no temporary file is left behind";
  // A directory that does not exist: IoError naming the path, nothing written.
  const std::string missing = (dir / "no" / "w.safetensors").string();
  try {
    write_safetensors(missing, {{"x", torch::ones({2})}});
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "no"));
}

TEST(SafetensorsWriter, APythonReaderWithoutPackagesAgrees) {
  const fs::path dir = fresh_dir("safetensors_python");
  const std::string path = (dir / "w.safetensors").string(), out = (dir / "w.json").string();
  NamedTensors tensors;
  for (const auto& t : every_dtype())
    if (t.second.scalar_type() != torch::kBFloat16) tensors.push_back(t);  // struct has no BF16
  write_safetensors(path, tensors, {{"format", "pt"}});
  const std::string command = "/usr/bin/python3 " + std::string(KDBENCH_SOURCE_DIR) +
                              "/tests/unit/models/read_safetensors.py " + path + " > " + out;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["metadata"], (nlohmann::json{{"format", "pt"}}));
  ASSERT_EQ(j["tensors"].size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const auto& e = j["tensors"][name];
    EXPECT_EQ(e["shape"].get<std::vector<int64_t>>(), tensor.sizes().vec()) << name;
    EXPECT_NEAR(e["sum"].get<double>(), tensor.to(torch::kDouble).sum().item<double>(), 1e-4)
        << name;
  }
}

}  // namespace
}  // namespace kdbench::models
