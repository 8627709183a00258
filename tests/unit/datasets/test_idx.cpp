// IDX reader: round trips (raw and gzip) and every kind of malformed file.
#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets::testing {
namespace {

constexpr uint32_t kRows = 3, kCols = 4;  // not square, so a transposed read would show

class IdxRoundTrip : public ::testing::TestWithParam<bool> {};

TEST_P(IdxRoundTrip, ValuesShapesAndTypesSurvive) {
  const bool gzip = GetParam();
  TempDir dir;
  const Bytes labels = {3, 0, 9, 1, 7};
  write_file(dir.file("img"), idx_images(5, kRows, kCols, fixture_pixels(5, kRows * kCols)), gzip);
  write_file(dir.file("lbl"), idx_labels(labels), gzip);

  const ImageSet set = read_idx(dir.file("img"), dir.file("lbl"));
  ASSERT_EQ(set.size(), 5);
  EXPECT_EQ(set.images.sizes(), (std::vector<int64_t>{5, 1, kRows, kCols}));
  EXPECT_EQ(set.images.scalar_type(), torch::kUInt8);
  EXPECT_EQ(set.labels.scalar_type(), torch::kInt64);
  const auto img = set.images.accessor<uint8_t, 4>();
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(set.labels[i].item<int64_t>(), labels[i]);
    for (uint32_t r = 0; r < kRows; ++r) {
      for (uint32_t c = 0; c < kCols; ++c) {
        ASSERT_EQ(img[i][0][r][c], fixture_pixel(i, r * kCols + c)) << i << " " << r << " " << c;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RawAndGzip, IdxRoundTrip, ::testing::Bool());

TEST(Idx, CompressionIsDetectedFromContentNotName) {
  TempDir dir;
  // A gzip stream under a plain name and a plain file under a .gz name.
  write_file(dir.file("images"), idx_images(2, kRows, kCols, fixture_pixels(2, 12)), true);
  write_file(dir.file("labels.gz"), idx_labels({4, 5}), false);
  const ImageSet set = read_idx(dir.file("images"), dir.file("labels.gz"));
  EXPECT_EQ(set.size(), 2);
  EXPECT_EQ(set.images[1][0][0][0].item<uint8_t>(), fixture_pixel(1, 0));
  EXPECT_EQ(set.labels[1].item<int64_t>(), 5);
}

class IdxBadInput : public ::testing::Test {
 protected:
  // Writes images/labels (gzip for images, to exercise the error paths through zlib) and reads.
  std::string read_error(const Bytes& images, const Bytes& labels, bool gzip = true) {
    write_file(images_path(), images, gzip);
    write_file(labels_path(), labels, false);
    return error_message<DataError>([&] { read_idx(images_path(), labels_path()); });
  }
  std::string images_path() const { return dir.file("train-images-idx3-ubyte.gz"); }
  std::string labels_path() const { return dir.file("train-labels-idx1-ubyte"); }
  Bytes good_images(uint32_t n = 4) const {
    return idx_images(n, kRows, kCols, fixture_pixels(n, kRows * kCols));
  }
  Bytes good_labels(uint32_t n = 4) const { return idx_labels(fixture_labels(n, 10)); }
  TempDir dir;
};

TEST_F(IdxBadInput, WrongMagicInImagesFile) {
  const auto msg =
      read_error(idx_images(4, kRows, kCols, fixture_pixels(4, 12), 0x00000801), good_labels());
  EXPECT_EQ(msg, images_path() +
                     ": bad magic number: expected 0x00000803 (IDX images, unsigned bytes, 3 "
                     "dimensions), found 0x00000801");
}

TEST_F(IdxBadInput, LabelsFileGivenWhereImagesExpectedAndViceVersa) {
  auto msg = read_error(good_labels(), good_labels());
  EXPECT_NE(msg.find(images_path() + ": bad magic number"), std::string::npos) << msg;
  msg = read_error(good_images(), good_images());
  EXPECT_NE(msg.find(labels_path() + ": bad magic number: expected 0x00000801"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("found 0x00000803"), std::string::npos) << msg;
}

TEST_F(IdxBadInput, WrongDimensions) {
  auto msg = read_error(idx_images(4, 0, kCols, {}), good_labels());
  EXPECT_EQ(msg.rfind(images_path() + ": bad dimensions: expected", 0), 0u) << msg;
  EXPECT_NE(msg.find("found 4 x 0 x 4"), std::string::npos) << msg;
  msg = read_error(idx_images(0, kRows, kCols, {}), good_labels());
  EXPECT_NE(msg.find("found 0 x 3 x 4"), std::string::npos) << msg;
}

TEST_F(IdxBadInput, TruncatedData) {
  Bytes images = good_images(4);
  images.resize(images.size() - 5);
  const auto msg = read_error(images, good_labels());
  EXPECT_EQ(msg, images_path() + ": truncated: expected 64 bytes of data, found 59");
  // The same through a raw file.
  EXPECT_EQ(read_error(images, good_labels(), false),
            images_path() + ": truncated: expected 64 bytes of data, found 59");
}

TEST_F(IdxBadInput, HeaderPromisingMoreThanTheFileCanHold) {
  // 2^29 images of 1024×1024 would be 512 TiB: rejected as truncated, without allocating it.
  const Bytes images = idx_images(1u << 29, 1024, 1024, {1, 2, 3});
  const std::string expected = images_path() + ": truncated: expected " +
                               std::to_string(16 + (uint64_t{1} << 49)) +
                               " bytes of data, found 19";
  EXPECT_EQ(read_error(images, good_labels(), true), expected);
  EXPECT_EQ(read_error(images, good_labels(), false), expected);
}

TEST_F(IdxBadInput, TruncatedHeader) {
  Bytes images = good_images(4);
  images.resize(10);
  EXPECT_EQ(read_error(images, good_labels()),
            images_path() + ": truncated: expected an IDX header of 16 bytes, found 10");
  EXPECT_EQ(read_error({}, good_labels()),
            images_path() + ": truncated: expected an IDX header of 16 bytes, found 0");
}

TEST_F(IdxBadInput, TrailingBytes) {
  Bytes labels = good_labels(4);
  labels.insert(labels.end(), {1, 2, 3});
  EXPECT_EQ(read_error(good_images(4), labels),
            labels_path() + ": trailing bytes: expected 12 bytes of data, found 15");
}

TEST_F(IdxBadInput, ImageAndLabelCountsDiffer) {
  const auto msg = read_error(good_images(4), good_labels(3));
  EXPECT_EQ(msg, labels_path() + ": count mismatch: expected 4 labels (one per image in " +
                     images_path() + "), found 3");
}

TEST_F(IdxBadInput, LabelOutOfRange) {
  const auto msg = read_error(good_images(4), idx_labels({1, 9, 10, 2}));
  EXPECT_EQ(msg, labels_path() + ": label out of range at index 2: expected 0..9, found 10");
}

TEST_F(IdxBadInput, MissingFile) {
  write_file(labels_path(), good_labels());
  const auto msg = error_message<DataError>([&] { read_idx(dir.file("nope"), labels_path()); });
  EXPECT_EQ(msg.rfind(dir.file("nope") + ": cannot open", 0), 0u) << msg;
}

TEST_F(IdxBadInput, CutOffGzipStream) {
  write_file(images_path(), good_images(200), true);
  const auto size = std::filesystem::file_size(images_path());
  std::filesystem::resize_file(images_path(), size / 2);
  write_file(labels_path(), good_labels(200));
  const auto msg = error_message<DataError>([&] { read_idx(images_path(), labels_path()); });
  EXPECT_EQ(msg.rfind(images_path() + ": corrupt or incomplete gzip data", 0), 0u) << msg;
}

}  // namespace
}  // namespace kdbench::datasets::testing
