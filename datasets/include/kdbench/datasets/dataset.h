#pragma once
// Image datasets kept in memory as uint8 (docs/design.md §4): readers for IDX (MNIST/Fashion-MNIST,
// gzip or raw) and the CIFAR-10/100 binary format, a deterministic train/val split, per-channel
// normalization and batched augmentation as tensor ops.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/core/shape.h"
#include "kdbench/datasets/data_config.h"
#include "kdbench/datasets/dataset_info.h"  // known_datasets(), info()

namespace kdbench::datasets {

struct ImageSet {
  torch::Tensor images;  // uint8, N×C×H×W
  torch::Tensor labels;  // int64, N
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct Splits {
  ImageSet train, val, test;
  int64_t num_classes = 10;
  InputShape shape;
  std::vector<double> mean, std;  // per channel, of the training split, in [0,1] pixel units
};

// The files a dataset needs under data_dir; throws DataError naming the first one missing, and
// ConfigError for an unknown dataset name. Used by grid validation before anything runs.
void check_files(const DataConfig& cfg);
// Reads the train and test files. Validation = the first round(val_fraction·n) rows of a
// permutation of the n training rows that depends only on (n, split_seed); train = the rest, cut
// to its first train_subset rows (in permutation order) when > 0. Both splits keep file order.
// ConfigError for a bad val_fraction/subset, DataError for bad or inconsistent files.
Splits load(const DataConfig& cfg);

// Readers. Every malformed input is a DataError naming the file, what was expected and found.
ImageSet read_idx(const std::string& images_path, const std::string& labels_path);
// CIFAR binary records: [label][3072 pixels] (cifar10) or [coarse][fine][3072] (cifar100).
ImageSet read_cifar_bin(const std::vector<std::string>& files, bool cifar100);

// Per-channel mean and population standard deviation of uint8 N×C×H×W images, in [0,1] pixel
// units (exact: accumulated in integers).
struct ChannelStats {
  std::vector<double> mean, std;
};
ChannelStats channel_stats(const torch::Tensor& images_u8);

// uint8 N×C×H×W -> float, (x/255 - mean) / std per channel.
torch::Tensor normalize(const torch::Tensor& images_u8, const std::vector<double>& mean,
                        const std::vector<double>& std);
// Random crop with zero padding `pad` and horizontal flip (p = 0.5), per image, as batched
// tensor ops on the batch's device; all randomness from `gen` (a CPU generator): first N crop
// rows, then N crop columns (each uniform in [0, 2*pad]), then N flip draws.
torch::Tensor crop_flip(const torch::Tensor& batch, int64_t pad, torch::Generator& gen);

}  // namespace kdbench::datasets
