#include "kdbench/train/prepared_data.h"

#include <algorithm>

namespace kdbench::train {
namespace {

// The same float32 factors as datasets::normalize, so a batch normalised here equals the rows
// of the CPU's normalised tensors bit for bit.
torch::Tensor channel_factors(const std::vector<double>& values, const torch::Device& device) {
  std::vector<float> f(values.begin(), values.end());
  return torch::tensor(f).view({1, static_cast<int64_t>(f.size()), 1, 1}).to(device);
}

torch::Tensor normalised(const PreparedData& d, const torch::Tensor& rows) {
  if (!d.uint8) return rows;
  return rows.to(torch::kFloat).mul_(d.scale).add_(d.shift);
}

// ids/types/lengths of some rows -> the model's int64 tensors, cut to the longest row.
models::Inputs token_batch(const torch::Tensor& ids, const torch::Tensor& types,
                           const torch::Tensor& lengths) {
  models::Inputs in;
  const int64_t width =
      lengths.numel() == 0 ? 1 : std::max<int64_t>(1, lengths.max().item<int64_t>());
  in.input_ids = ids.slice(1, 0, width).to(torch::kLong);
  in.token_type_ids = types.slice(1, 0, width).to(torch::kLong);
  in.attention_mask = torch::arange(width, lengths.options())
                          .unsqueeze(0)
                          .lt(lengths.unsqueeze(1))
                          .to(torch::kLong);
  return in;
}

Split token_split(const datasets::TokenSet& t, const torch::Device& device) {
  return {t.ids.to(device), t.labels.to(device), t.token_types.to(device), t.lengths.to(device)};
}

}  // namespace

PreparedData prepare(const datasets::Splits& s) {
  PreparedData d;
  d.train = {datasets::normalize(s.train.images, s.mean, s.std), s.train.labels, {}, {}};
  d.val = {datasets::normalize(s.val.images, s.mean, s.std), s.val.labels, {}, {}};
  d.test = {datasets::normalize(s.test.images, s.mean, s.std), s.test.labels, {}, {}};
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.mean = s.mean;
  d.std = s.std;
  return d;
}

PreparedData prepare_uint8(const datasets::Splits& s, const torch::Device& device) {
  PreparedData d;
  d.uint8 = true;
  d.train = {s.train.images.to(device), s.train.labels.to(device), {}, {}};
  d.val = {s.val.images.to(device), s.val.labels.to(device), {}, {}};
  d.test = {s.test.images.to(device), s.test.labels.to(device), {}, {}};
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.mean = s.mean;
  d.std = s.std;
  std::vector<double> scale, shift;
  for (size_t c = 0; c < s.mean.size(); ++c) {
    scale.push_back(1.0 / (255.0 * s.std[c]));
    shift.push_back(-s.mean[c] / s.std[c]);
  }
  d.scale = channel_factors(scale, device);
  d.shift = channel_factors(shift, device);
  return d;
}

PreparedData prepare_text(const datasets::TextSplits& s, const torch::Device& device) {
  PreparedData d;
  d.text = true;
  d.train = token_split(s.train, device);
  d.val = token_split(s.val, device);
  d.test = token_split(s.test, device);
  d.num_classes = s.num_classes;
  d.shape = s.shape;
  d.metric = s.metric;
  d.pad_id = s.pad_id, d.cls_id = s.cls_id, d.sep_id = s.sep_id, d.mask_id = s.mask_id;
  return d;
}

PreparedData load_prepared(const datasets::DataConfig& cfg, const torch::Device& device) {
  if (datasets::info(cfg.dataset).is_text()) return prepare_text(datasets::load_text(cfg), device);
  return device.is_cpu() ? prepare(datasets::load(cfg))
                         : prepare_uint8(datasets::load(cfg), device);
}

models::Inputs batch(const PreparedData& d, const Split& s, const torch::Tensor& idx) {
  if (d.text)
    return token_batch(s.x.index_select(0, idx), s.token_types.index_select(0, idx),
                       s.lengths.index_select(0, idx));
  return normalised(d, s.x.index_select(0, idx));
}

models::Inputs batch(const PreparedData& d, const Split& s, int64_t begin, int64_t end) {
  if (d.text)
    return token_batch(s.x.slice(0, begin, end), s.token_types.slice(0, begin, end),
                       s.lengths.slice(0, begin, end));
  return normalised(d, s.x.slice(0, begin, end));
}

torch::Tensor bucket_by_length(const torch::Tensor& order, const torch::Tensor& lengths,
                               int64_t batch_size) {
  auto out = order.clone();
  auto o = out.accessor<int64_t, 1>();
  const auto len = lengths.accessor<int64_t, 1>();
  const int64_t n = out.size(0), mega = kBucketBatches * batch_size;
  for (int64_t begin = 0; begin < n; begin += mega) {
    int64_t* first = o.data() + begin;
    std::stable_sort(first, first + std::min(mega, n - begin),
                     [&](int64_t a, int64_t b) { return len[a] > len[b]; });
  }
  return out;
}

}  // namespace kdbench::train
