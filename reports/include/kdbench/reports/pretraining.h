#pragma once
// The pretraining provenance of a study (docs/text.md, "Pretraining in the grid"): one row per
// finished `pretrain` run (model, corpus, steps, final validation masked-LM loss and accuracy,
// time), a caption line per model that drops into a paper ("bert-L4-H256: MLM-pretrained on spam
// for 400 steps, val. MLM acc. 31.2 %"), and a figure of the validation MLM accuracy per step.
#include <cstdint>
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/table_model.h"

namespace kdbench::reports {

struct PretrainRow {
  std::string key, model, corpus;
  int64_t steps = 0, batch_size = 0, train_sequences = 0;
  double val_loss = 0, val_accuracy = 0, seconds = 0, sequences_per_second = 0;
  std::vector<int64_t> curve_steps;
  std::vector<double> curve_val_accuracy;
};

struct PretrainingTable {
  std::string dataset;
  std::vector<PretrainRow> rows;  // in the order the runs were recorded
};

PretrainingTable pretraining(const StudyResults& study);
// "bert-L4-H256: MLM-pretrained on spam for 400 steps, val. MLM acc. 31.2 %" per row.
std::vector<std::string> pretraining_lines(const PretrainingTable& table);
TableModel pretraining_view(const PretrainingTable& table);
std::string pretraining_csv(const PretrainingTable& table);

}  // namespace kdbench::reports
