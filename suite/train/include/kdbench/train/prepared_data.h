#pragma once
// The dataset as the trainer uses it, built once per process and shared by every task that
// process runs (the grid's data is the same for all of its tasks). Images on the CPU: normalised
// float tensors. Images on a GPU: the raw uint8 images, uploaded once (a quarter of the bytes)
// and normalised batch by batch on the device, into exactly the floats the CPU layout holds.
// Text: padded int32 token ids with their lengths; a batch is cut to its longest row (dynamic
// padding) and becomes the int64 input_ids / attention_mask / token_type_ids of models::Inputs.
#include <torch/torch.h>

#include <string>

#include "kdbench/datasets/data_config.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/datasets/text_data.h"
#include "kdbench/models/models.h"

namespace kdbench::train {

// One split. y: int64 labels (float32 targets for regression). x: float N×C×H×W normalised images,
// or (PreparedData::uint8) the raw images, or (PreparedData::text) int32 N×L token ids padded with
// the pad id.
struct Split {
  torch::Tensor x, y;
  torch::Tensor token_types, lengths;  // text only: uint8 N×L, int64 N
  int64_t size() const { return y.defined() ? y.size(0) : 0; }
};

struct PreparedData {
  Split train, val, test;
  int64_t num_classes = 10;
  InputShape shape;
  std::vector<double> mean, std;  // images only
  bool uint8 = false;
  torch::Tensor scale, shift;  // uint8 only: 1×C×1×1 floats on the device; x·scale + shift
  bool text = false;
  // The tokenizer's special ids (text only; Combined-KD's generator masks around them).
  int64_t pad_id = 0, cls_id = -1, sep_id = -1, mask_id = -1;
  // The task's reported metric, the one that selects the best epoch (kdbench/text/metrics.h
  // names): "accuracy" for images and most text tasks, "matthews" (CoLA), "f1" (MRPC, QQP),
  // "pearson" (STS-B).
  std::string metric = "accuracy";
  // One real-valued output regressed on float targets (STS-B): no class, so no accuracy.
  bool regression() const { return num_classes == 1; }
  torch::Device device() const { return train.y.device(); }
};

// Float tensors on the CPU (what the CPU path has always trained on).
PreparedData prepare(const datasets::Splits& splits);
// uint8 images and labels on `device`; normalised by batch().
PreparedData prepare_uint8(const datasets::Splits& splits, const torch::Device& device);
// Token ids, types, lengths and labels on `device`.
PreparedData prepare_text(const datasets::TextSplits& splits, const torch::Device& device);
// The grid's data for a rank training on `device`: prepare() on the CPU, prepare_uint8() on a
// GPU, prepare_text() for a text dataset.
PreparedData load_prepared(const datasets::DataConfig& cfg, const torch::Device& device);

// Rows idx (on the data's device) or [begin, end) of split `s` as the networks read them:
// normalised float images, or token tensors cut to the batch's longest row. A text batch reads
// its longest length from the device once (one small synchronisation per step on a GPU).
models::Inputs batch(const PreparedData& d, const Split& s, const torch::Tensor& idx);
models::Inputs batch(const PreparedData& d, const Split& s, int64_t begin, int64_t end);

// Length-bucketed batching (`length_buckets = true`, Hugging Face's group_by_length): the random
// order is cut into megabatches of kBucketBatches batches, each sorted by length, longest first
// (ties keep the random order), so a batch holds rows of similar length and pads little. Uses no
// randomness of its own: `order` (CPU int64) carries the epoch's shuffle. `lengths`: CPU int64.
constexpr int64_t kBucketBatches = 50;
torch::Tensor bucket_by_length(const torch::Tensor& order, const torch::Tensor& lengths,
                               int64_t batch_size);

}  // namespace kdbench::train
