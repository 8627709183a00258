#pragma once
// Shared by the results and reports tests: a scratch directory and fully populated run records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "kdbench/results/run_record.h"

namespace kdbench::fixtures {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("kdbench-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Every field differs from its default, so a field dropped by a writer or reader shows up.
inline results::RunRecord full_record(const std::string& key) {
  results::RunRecord r;
  r.key = key;
  r.kind = "student";
  r.model = "resnet8";
  r.method = "takd";
  r.method_params = {{"temperature", 5.0}, {"lambda", 0.5}, {"reduction", "elementmean"}};
  r.method_variant = "official-code";
  r.teacher_key = "t0000000000000000000000a";
  r.teacher_model = "resnet20";
  r.teacher_checkpoint = 20;
  r.chain = {"resnet110", "resnet20", "resnet8"};
  r.seed = 7;
  r.dataset = "cifar10";
  r.params_count = 78042;
  r.flops = 2.5e7;
  r.status = results::Status::Done;
  r.attempts = 2;
  r.rank = 3;
  r.host = "node-07";
  r.device = "cuda:1";
  r.device_name = "NVIDIA H200";
  r.device_memory = 150'000'000'000;
  r.started = "2026-01-02T03:04:05Z";
  r.finished = "2026-01-02T04:05:06Z";
  r.wall_seconds = 3661.5;
  r.threads = 4;
  r.best_val_acc = 0.8931;
  r.test_acc_at_best_val = 0.8875;
  r.final_test_acc = 0.8850;
  r.best_test_acc = 0.8902;
  r.best_epoch = 2;
  r.error = "first attempt: out of memory";
  r.config = {{"epochs", 3}, {"lr", 0.05}, {"optimizer", "sgd"}};
  r.checkpoints = {{"2", {{"val", 0.81}, {"test", 0.80}}}};
  r.curves.epoch = {1, 2, 3};
  r.curves.train_loss = {1.9, 1.2, 0.9};
  r.curves.train_acc = {0.41, 0.62, 0.71};
  r.curves.val_acc = {0.52, 0.8931, 0.88};
  r.curves.test_acc = {0.51, 0.8875, 0.885};
  r.curves.lr = {0.05, 0.05, 0.005};
  r.curves.seconds = {12.5, 12.25, 12.75};
  return r;
}

// Field-by-field, so a failure names the field that did not survive.
inline void expect_same_record(const results::RunRecord& a, const results::RunRecord& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.method_params, b.method_params);
  EXPECT_EQ(a.method_variant, b.method_variant);
  EXPECT_EQ(a.teacher_key, b.teacher_key);
  EXPECT_EQ(a.teacher_model, b.teacher_model);
  EXPECT_EQ(a.teacher_checkpoint, b.teacher_checkpoint);
  EXPECT_EQ(a.chain, b.chain);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.params_count, b.params_count);
  EXPECT_EQ(a.flops, b.flops);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.rank, b.rank);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.device, b.device);
  EXPECT_EQ(a.device_name, b.device_name);
  EXPECT_EQ(a.device_memory, b.device_memory);
  EXPECT_EQ(a.started, b.started);
  EXPECT_EQ(a.finished, b.finished);
  EXPECT_EQ(a.wall_seconds, b.wall_seconds);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.best_val_acc, b.best_val_acc);
  EXPECT_EQ(a.test_acc_at_best_val, b.test_acc_at_best_val);
  EXPECT_EQ(a.final_test_acc, b.final_test_acc);
  EXPECT_EQ(a.best_test_acc, b.best_test_acc);
  EXPECT_EQ(a.best_epoch, b.best_epoch);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.config, b.config);
  EXPECT_EQ(a.checkpoints, b.checkpoints);
  EXPECT_EQ(a.curves.epoch, b.curves.epoch);
  EXPECT_EQ(a.curves.train_loss, b.curves.train_loss);
  EXPECT_EQ(a.curves.train_acc, b.curves.train_acc);
  EXPECT_EQ(a.curves.val_acc, b.curves.val_acc);
  EXPECT_EQ(a.curves.test_acc, b.curves.test_acc);
  EXPECT_EQ(a.curves.lr, b.curves.lr);
  EXPECT_EQ(a.curves.seconds, b.curves.seconds);
}

}  // namespace kdbench::fixtures
