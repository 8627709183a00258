// Normalization statistics, normalization and crop+flip augmentation as batched tensor ops.
#include <algorithm>
#include <cmath>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/dataset.h"

namespace kdbench::datasets {

namespace {

void require_images(const torch::Tensor& t, const char* where, bool must_be_uint8) {
  if (!t.defined() || t.dim() != 4 || (must_be_uint8 && t.scalar_type() != torch::kUInt8)) {
    throw DataError(std::string(where) + ": expected " + (must_be_uint8 ? "uint8 " : "") +
                    "N×C×H×W images, found " +
                    (t.defined() ? std::string(c10::toString(t.scalar_type())) +
                                       " tensor of shape " + c10::str(t.sizes())
                                 : std::string("an undefined tensor")));
  }
}

// Sums of v and v² over n bytes. Chunks of 2^16 keep the uint32 accumulators from overflowing
// (2^16 · 255² < 2^32) and let the compiler vectorize the inner loop.
void accumulate(const uint8_t* p, int64_t n, uint64_t& sum, uint64_t& sum_sq) {
  constexpr int64_t kChunk = int64_t{1} << 16;
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t end = std::min(n, start + kChunk);
    uint32_t s = 0, q = 0;
    for (int64_t i = start; i < end; ++i) {
      const uint32_t v = p[i];
      s += v;
      q += v * v;
    }
    sum += s;
    sum_sq += q;
  }
}

}  // namespace

ChannelStats channel_stats(const torch::Tensor& images_u8) {
  require_images(images_u8, "channel_stats", true);
  const auto x = images_u8.to(torch::kCPU).contiguous();
  const int64_t n = x.size(0), channels = x.size(1), plane = x.size(2) * x.size(3);
  if (n == 0 || plane == 0)
    throw DataError("channel_stats: expected at least one pixel, found none");
  std::vector<uint64_t> sum(channels, 0), sum_sq(channels, 0);
  const uint8_t* data = x.data_ptr<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < channels; ++c) {
      accumulate(data + (i * channels + c) * plane, plane, sum[c], sum_sq[c]);
    }
  }
  ChannelStats stats;
  const long double count = static_cast<long double>(n) * plane;
  for (int64_t c = 0; c < channels; ++c) {
    const long double mean = sum[c] / count;
    const long double var = std::max(0.0L, sum_sq[c] / count - mean * mean);
    stats.mean.push_back(static_cast<double>(mean / 255.0L));
    stats.std.push_back(static_cast<double>(std::sqrt(var) / 255.0L));
  }
  return stats;
}

torch::Tensor normalize(const torch::Tensor& images_u8, const std::vector<double>& mean,
                        const std::vector<double>& std) {
  require_images(images_u8, "normalize", true);
  const int64_t channels = images_u8.size(1);
  if (static_cast<int64_t>(mean.size()) != channels ||
      static_cast<int64_t>(std.size()) != channels) {
    throw DataError("normalize: expected " + std::to_string(channels) +
                    " channel means and stds, found " + std::to_string(mean.size()) + " and " +
                    std::to_string(std.size()));
  }
  // (x/255 - mean)/std folded into one multiply-add per pixel.
  std::vector<float> scale, shift;
  for (int64_t c = 0; c < channels; ++c) {
    if (!(std[c] > 0.0)) {
      throw DataError("normalize: expected positive std for channel " + std::to_string(c) +
                      ", found " + std::to_string(std[c]));
    }
    scale.push_back(static_cast<float>(1.0 / (255.0 * std[c])));
    shift.push_back(static_cast<float>(-mean[c] / std[c]));
  }
  const auto device = images_u8.device();
  const auto scale_t = torch::tensor(scale).view({1, channels, 1, 1}).to(device);
  const auto shift_t = torch::tensor(shift).view({1, channels, 1, 1}).to(device);
  return images_u8.to(torch::kFloat).mul_(scale_t).add_(shift_t);
}

torch::Tensor crop_flip(const torch::Tensor& batch, int64_t pad, torch::Generator& gen) {
  require_images(batch, "crop_flip", false);
  if (pad < 0) throw DataError("crop_flip: expected pad >= 0, found " + std::to_string(pad));
  const int64_t n = batch.size(0), channels = batch.size(1), height = batch.size(2),
                width = batch.size(3);
  const auto longs = torch::TensorOptions().dtype(torch::kInt64);
  // Drawn on the CPU so the augmentation is the same whatever device the batch is on.
  const auto top = torch::randint(0, 2 * pad + 1, {n}, gen, longs);
  const auto left = torch::randint(0, 2 * pad + 1, {n}, gen, longs);
  const auto flip = torch::randint(0, 2, {n}, gen, longs).to(torch::kBool);

  // Output pixel (i, j) of image k reads padded pixel (top_k + i, left_k + j'), where j' is j or,
  // for flipped images, width-1-j: one gather over the flattened padded planes does every image.
  const auto j = torch::arange(width, longs);
  const auto cols = left.view({n, 1}) + torch::where(flip.view({n, 1}), (width - 1) - j, j);
  const auto rows = top.view({n, 1}) + torch::arange(height, longs);
  const int64_t padded_width = width + 2 * pad;
  const auto index = (rows.view({n, height, 1}) * padded_width + cols.view({n, 1, width}))
                         .view({n, 1, height * width})
                         .to(batch.device());
  const auto padded = pad > 0 ? torch::constant_pad_nd(batch, {pad, pad, pad, pad}) : batch;
  return padded.reshape({n, channels, (height + 2 * pad) * padded_width})
      .gather(2, index.expand({n, channels, height * width}))
      .view({n, channels, height, width});
}

}  // namespace kdbench::datasets
