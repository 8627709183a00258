// Normalization and crop+flip augmentation.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets::testing {
namespace {

torch::Generator generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

TEST(Normalize, MatchesTheFormulaPerChannel) {
  auto gen = generator(1);
  const auto images = torch::randint(0, 256, {4, 3, 5, 5}, gen, torch::kUInt8);
  const std::vector<double> mean = {0.1, 0.5, 0.9}, std = {0.2, 0.25, 0.5};
  const auto out = normalize(images, mean, std);
  ASSERT_EQ(out.scalar_type(), torch::kFloat);
  const auto x = images.to(torch::kDouble) / 255.0;
  for (int64_t c = 0; c < 3; ++c) {
    const auto expected = (x.select(1, c) - mean[c]) / std[c];
    EXPECT_TRUE(torch::allclose(out.select(1, c).to(torch::kDouble), expected, 1e-6, 1e-6)) << c;
  }
}

TEST(Normalize, RejectsMismatchedInput) {
  const auto images = torch::zeros({2, 3, 4, 4}, torch::kUInt8);
  EXPECT_NE(error_message<DataError>([&] { normalize(images, {0.5}, {0.5}); }).find("3 channel"),
            std::string::npos);
  EXPECT_NE(error_message<DataError>([&] {
              normalize(images.to(torch::kFloat), {0, 0, 0}, {1, 1, 1});
            }).find("uint8"),
            std::string::npos);
  EXPECT_NE(error_message<DataError>([&] {
              normalize(images, {0, 0, 0}, {1, 0, 1});
            }).find("positive std for channel 1"),
            std::string::npos);
}

TEST(CropFlip, WithoutPaddingOnlyFlips) {
  auto data_gen = generator(2);
  const auto batch = torch::rand({64, 2, 5, 6}, data_gen);
  auto gen = generator(3);
  const auto out = crop_flip(batch, 0, gen);
  ASSERT_EQ(out.sizes(), batch.sizes());
  int flipped = 0;
  for (int64_t k = 0; k < 64; ++k) {
    const bool same = torch::equal(out[k], batch[k]);
    const bool mirrored = torch::equal(out[k], batch[k].flip({2}));
    EXPECT_TRUE(same != mirrored) << k;
    flipped += mirrored;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 64);
}

TEST(CropFlip, SameSeedSameOutputAndShapeKept) {
  const auto batch = torch::rand({32, 3, 8, 8});
  auto gen_a = generator(9), gen_b = generator(9), gen_c = generator(10);
  const auto a = crop_flip(batch, 4, gen_a);
  const auto b = crop_flip(batch, 4, gen_b);
  const auto c = crop_flip(batch, 4, gen_c);
  EXPECT_EQ(a.sizes(), batch.sizes());
  EXPECT_TRUE(a.is_contiguous());
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
  EXPECT_EQ(crop_flip(torch::zeros({0, 3, 8, 8}), 4, gen_a).sizes(),
            (std::vector<int64_t>{0, 3, 8, 8}));
  EXPECT_NE(error_message<DataError>([&] { crop_flip(batch, -1, gen_a); }).find("pad >= 0"),
            std::string::npos);
}

// Every output image must be one of the (2·pad+1)² shifts × {plain, mirrored} of its own input,
// built here pixel by pixel; over many images every combination must occur.
TEST(CropFlip, EveryImageIsAManualShiftOfItself) {
  constexpr int64_t N = 2000, C = 2, H = 5, W = 6, pad = 2, side = 2 * pad + 1;
  // Image k holds k·1000 + (1 + position): positive and unique, so padding (0) and stray pixels
  // from another image are both recognisable.
  const auto position = torch::arange(1, C * H * W + 1, torch::kFloat).view({1, C, H, W});
  const auto offsets = (torch::arange(N, torch::kFloat) * 1000).view({N, 1, 1, 1});
  const auto batch = position + offsets;
  auto gen = generator(4);
  const auto out = crop_flip(batch, pad, gen);

  const auto base_image = position[0];
  const auto base = base_image.accessor<float, 3>();
  auto candidates = torch::zeros({side * side * 2, C, H, W});
  auto cand = candidates.accessor<float, 4>();
  for (int64_t dy = 0; dy < side; ++dy) {
    for (int64_t dx = 0; dx < side; ++dx) {
      for (int64_t f = 0; f < 2; ++f) {
        const int64_t k = (dy * side + dx) * 2 + f;
        for (int64_t c = 0; c < C; ++c) {
          for (int64_t i = 0; i < H; ++i) {
            for (int64_t j = 0; j < W; ++j) {
              const int64_t src_i = i + dy - pad, src_j = (f ? W - 1 - j : j) + dx - pad;
              const bool inside = src_i >= 0 && src_i < H && src_j >= 0 && src_j < W;
              cand[k][c][i][j] = inside ? base[c][src_i][src_j] : 0.0f;
            }
          }
        }
      }
    }
  }
  const auto relative = torch::where(out > 0, out - offsets, torch::zeros_like(out));
  const auto matches =
      (relative.view({N, 1, -1}) == candidates.view({1, side * side * 2, -1})).all(2);
  EXPECT_TRUE(torch::equal(matches.sum(1), torch::ones({N}, torch::kInt64)));
  const auto per_candidate = matches.sum(0);
  // 40 expected per combination; fewer than 10 would mean a broken distribution.
  EXPECT_GT(per_candidate.min().item<int64_t>(), 10) << per_candidate;
}

}  // namespace
}  // namespace kdbench::datasets::testing
