// The safetensors reader: values of every dtype from hand-written bit patterns, and every kind of
// damaged file refused with one DataError naming the file and what is wrong.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/models/safetensors.h"

namespace kdbench::models {
namespace {

// A file from a header (JSON text) and a data buffer, laid out as the format says.
std::string file_bytes(const std::string& header, const std::string& data) {
  const uint64_t n = header.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

template <typename T>
std::string raw(std::initializer_list<T> values) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

// The DataError text of parsing `bytes` ("" when it parses).
std::string error_of(const std::string& bytes) {
  try {
    SafetensorsFile::parse(bytes, "w.safetensors");
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, ReadsEveryDtypeFromItsBitPatterns) {
  // F32 {1.5, -2}; F16 1.5 = 0x3E00, -0.25 = 0xB400; BF16 1.5 = 0x3FC0, -3 = 0xC040; I64 {7, -1}.
  const std::string data = raw<float>({1.5f, -2.0f}) + raw<uint16_t>({0x3E00, 0xB400}) +
                           raw<uint16_t>({0x3FC0, 0xC040}) + raw<int64_t>({7, -1});
  const std::string header = R"({"a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},
    "h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},
    "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[12,16]},
    "i":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},
    "__metadata__":{"format":"pt"}})";
  const auto f = SafetensorsFile::parse(file_bytes(header, data), "w.safetensors");
  ASSERT_EQ(f.entries().size(), 4u);
  EXPECT_EQ(f.entries()[0].name, "a");  // ascending offsets
  EXPECT_EQ(f.metadata().at("format"), "pt");

  const auto a = f.tensor("a");
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(a.scalar_type(), torch::kFloat32);
  EXPECT_EQ(a[0][0].item<float>(), 1.5f);
  EXPECT_EQ(a[1][0].item<float>(), -2.0f);
  const auto h = f.tensor("h");
  EXPECT_EQ(h.scalar_type(), torch::kFloat32);
  EXPECT_EQ(h[0].item<float>(), 1.5f);
  EXPECT_EQ(h[1].item<float>(), -0.25f);
  const auto b = f.tensor("b");
  EXPECT_EQ(b.sizes(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(b[0][0].item<float>(), 1.5f);
  EXPECT_EQ(b[0][1].item<float>(), -3.0f);
  const auto i = f.tensor("i");
  EXPECT_EQ(i.scalar_type(), torch::kInt64);
  EXPECT_EQ(i[0].item<int64_t>(), 7);
  EXPECT_EQ(i[1].item<int64_t>(), -1);
}

TEST(Safetensors, UnalignedDataAndScalarsAndEmptyTensors) {
  // A 3-byte header puts the data at offset 11 (unaligned); shape [] is a scalar, [0] empty.
  const std::string header =
      R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F16","shape":[0],"data_offsets":[4,4]}})";
  const auto f = SafetensorsFile::parse(file_bytes(header + "   ", raw<float>({0.125f})), "x");
  EXPECT_EQ(f.tensor("s").dim(), 0);
  EXPECT_EQ(f.tensor("s").item<float>(), 0.125f);
  EXPECT_EQ(f.tensor("e").numel(), 0);
}

TEST(Safetensors, ReadsAFileFromDisk) {
  const auto path = std::filesystem::temp_directory_path() / "kdbench_test_read.safetensors";
  {
    std::ofstream out(path, std::ios::binary);
    out << file_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                      raw<float>({3.0f}));
  }
  const auto f = SafetensorsFile::read(path.string());
  EXPECT_EQ(f.tensor("w").item<float>(), 3.0f);
  EXPECT_TRUE(f.contains("w"));
  EXPECT_FALSE(f.contains("v"));
  std::filesystem::remove(path);
  try {
    SafetensorsFile::read(path.string());
    FAIL() << "a missing file must be a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(Safetensors, AMissingTensorNamesTheFileAndTheTensor) {
  const auto f = SafetensorsFile::parse(
      file_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", raw<float>({1})),
      "m.safetensors");
  try {
    f.tensor("bert.pooler.dense.weight");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "m.safetensors: no tensor 'bert.pooler.dense.weight' in this file");
  }
}

struct BadCase {
  const char* what;
  std::string bytes;
  const char* expected;  // substring of the one error line
};

TEST(Safetensors, DamagedFilesAreOneDataErrorNamingFileAndTensor) {
  const std::string one = raw<float>({1.0f});
  const auto entry = [](const std::string& name, const std::string& body) {
    return "{\"" + name + "\":" + body + "}";
  };
  std::string huge_length(8, '\0');
  const uint64_t big = 1ull << 40;
  std::memcpy(huge_length.data(), &big, 8);
  const BadCase cases[] = {
      {"empty", "", "0 bytes; the file starts with an 8-byte header length"},
      {"7 bytes", std::string(7, '\0'), "7 bytes"},
      {"header longer than the file", huge_length + "{}", "header length 1099511627776 exceeds"},
      {"truncated header", file_bytes("{\"w\":{", "").substr(0, 12), "exceeds the file"},
      {"not JSON", file_bytes("{nope", ""), "the header is not a JSON object"},
      {"JSON array", file_bytes("[1,2]", ""), "the header is not a JSON object"},
      {"entry not an object", file_bytes(entry("w", "3"), ""), "tensor 'w': entry is not"},
      {"no dtype", file_bytes(entry("w", R"({"shape":[1],"data_offsets":[0,4]})"), one),
       "tensor 'w': no \"dtype\""},
      {"unsupported dtype",
       file_bytes(entry("w", R"({"dtype":"F64","shape":[1],"data_offsets":[0,8]})"), one + one),
       "tensor 'w': dtype F64 is not supported (F32, F16, BF16, I64)"},
      {"negative size",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})"), one),
       "tensor 'w': shape [-1] has a negative or non-integer size"},
      {"overflowing shape",
       file_bytes(
           entry("w", R"({"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]})"),
           one),
       "is too large"},
      {"size mismatch",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[2],"data_offsets":[0,4]})"), one),
       "tensor 'w': shape [2] of F32 needs 8 bytes, data_offsets span 4"},
      {"offsets past the end",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})"), one),
       "tensor 'w': data_offsets [4, 8] lie outside the data (4 bytes)"},
      {"reversed offsets",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[0],"data_offsets":[4,0]})"), one),
       "lie outside the data"},
      {"offsets not integers",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[1],"data_offsets":[0]})"), one),
       "tensor 'w': \"data_offsets\" is not two non-negative integers"},
      {"overlap",
       file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
                      "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                  one + one),
       "tensor 'b' overlaps tensor 'a'"},
      {"hole",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})"), one + one),
       "data bytes 0..4 belong to no tensor"},
      {"trailing bytes",
       file_bytes(entry("w", R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})"), one + "xy"),
       "data bytes 4..6 belong to no tensor"},
      {"metadata not strings", file_bytes(R"({"__metadata__":{"n":1}})", ""),
       "\"__metadata__\" value of 'n' is not a string"},
  };
  for (const auto& c : cases) {
    const std::string error = error_of(c.bytes);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << c.what << ": got \"" << error << "\", expected it to contain \"" << c.expected << "\"";
    EXPECT_EQ(error.rfind("w.safetensors: ", 0), 0u) << c.what << ": " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << c.what;
  }
}

}  // namespace
}  // namespace kdbench::models
