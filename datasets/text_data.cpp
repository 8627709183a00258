#include "kdbench/datasets/text_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset_info.h"
#include "kdbench/text/bert_tokenizer.h"
#include "kdbench/text/sentencepiece_tokenizer.h"
#include "split_permutation.h"

namespace kdbench::datasets {
namespace {

namespace fs = std::filesystem;

const GlueTask& task_of(const DataConfig& cfg) {
  const DatasetInfo& d = info(cfg.dataset);  // ConfigError naming the known datasets
  const GlueTask* task = text_task_of_dataset(d.name);
  if (!d.is_text() || task == nullptr)
    throw ConfigError("dataset '" + cfg.dataset + "' is not a text dataset");
  return *task;
}

std::string text_file(const DataConfig& cfg, const GlueTask& task, const std::string& name) {
  const fs::path path = fs::path(cfg.data_dir) / name;
  if (!fs::is_regular_file(path))
    throw DataError(cfg.dataset + ": missing data file " + path.string() +
                    (task.local ? " (make the local corpora with scripts/fetch-text-data.sh)"
                                : " (the " + task.display + " files as GLUE releases them)"));
  return path.string();
}

struct TextFiles {
  std::string train, val, test;  // val empty: held out of train
};

TextFiles text_files(const DataConfig& cfg, const GlueTask& task) {
  if (cfg.data_dir.empty())
    throw ConfigError("data_dir: empty; expected the directory holding the " + cfg.dataset +
                      " TSV files");
  TextFiles f;
  f.train = text_file(cfg, task, "train.tsv");
  if (task.local) {
    f.val = text_file(cfg, task, task.dev_files.front());
    f.test = text_file(cfg, task, task.test_files.front());
  } else {
    f.test = text_file(cfg, task, task.dev_files.front());
  }
  return f;
}

std::unique_ptr<text::Tokenizer> make_tokenizer(const DataConfig& cfg) {
  if (cfg.tokenizer == "sentencepiece") {
    if (!fs::is_regular_file(cfg.vocab))
      throw DataError("tokenizer: the grid's SentencePiece model " + cfg.vocab +
                      " is missing (kdbench run trains it before the first task)");
    return std::make_unique<text::SentencePieceTokenizer>(cfg.vocab);
  }
  if (cfg.tokenizer != "wordpiece")
    throw ConfigError("tokenizer: '" + cfg.tokenizer + "' is not one of: wordpiece sentencepiece");
  if (cfg.vocab.empty())
    throw ConfigError("vocab: empty; a text dataset needs the path of a WordPiece vocab.txt");
  if (!fs::is_regular_file(cfg.vocab))
    throw DataError("vocab: " + cfg.vocab +
                    " is not a file (bert-base-uncased's vocab.txt comes with "
                    "scripts/fetch-text-data.sh)");
  return std::make_unique<text::BertTokenizer>(text::BertTokenizer::from_file(cfg.vocab));
}

TokenSet tokenize_rows(const std::vector<TextExample>& rows, const text::Tokenizer& tok,
                       const GlueTask& task, const DataConfig& cfg, int64_t& truncated) {
  const auto max_len = static_cast<size_t>(cfg.max_seq_length);
  std::vector<text::Encoding> enc;
  enc.reserve(rows.size());
  size_t longest = 1;
  for (const auto& r : rows) {
    enc.push_back(task.pair ? tok.encode(r.a, r.b, max_len) : tok.encode(r.a, max_len));
    // An encoding that fills max_length exactly may have been cut: ask for one more to know.
    if (enc.back().input_ids.size() == max_len) {
      const auto longer =
          task.pair ? tok.encode(r.a, r.b, max_len + 1) : tok.encode(r.a, max_len + 1);
      if (longer.input_ids.size() > max_len) ++truncated;
    }
    longest = std::max(longest, enc.back().input_ids.size());
  }
  const auto n = static_cast<int64_t>(rows.size());
  const auto width = static_cast<int64_t>(longest);
  TokenSet s;
  s.ids = torch::full({n, width}, tok.pad_id(), torch::kInt);
  s.token_types = torch::zeros({n, width}, torch::kUInt8);
  s.lengths = torch::empty({n}, torch::kLong);
  const bool regression = task.labels.empty();
  s.labels = torch::empty({n}, regression ? torch::kFloat : torch::kLong);
  auto ids = s.ids.accessor<int32_t, 2>();
  auto types = s.token_types.accessor<uint8_t, 2>();
  auto lengths = s.lengths.accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& e = enc[static_cast<size_t>(i)];
    for (size_t j = 0; j < e.input_ids.size(); ++j) {
      ids[i][static_cast<int64_t>(j)] = e.input_ids[j];
      types[i][static_cast<int64_t>(j)] = static_cast<uint8_t>(e.token_type_ids[j]);
    }
    lengths[i] = static_cast<int64_t>(e.input_ids.size());
  }
  // Class indices, or STS-B's scores as float32 targets (the one output regresses on them).
  if (regression) {
    auto targets = s.labels.accessor<float, 1>();
    for (int64_t i = 0; i < n; ++i)
      targets[i] = static_cast<float>(rows[static_cast<size_t>(i)].target);
  } else {
    auto labels = s.labels.accessor<int64_t, 1>();
    for (int64_t i = 0; i < n; ++i) labels[i] = rows[static_cast<size_t>(i)].label;
  }
  return s;
}

std::vector<TextExample> pick_rows(const std::vector<TextExample>& all, std::vector<int64_t> rows) {
  std::sort(rows.begin(), rows.end());  // file order, as for images
  std::vector<TextExample> out;
  out.reserve(rows.size());
  for (int64_t r : rows) out.push_back(all[static_cast<size_t>(r)]);
  return out;
}

struct TextRows {
  std::vector<TextExample> train, val, test;
};

// The three splits as raw examples (see text_data.h for the rules).
TextRows read_rows(const DataConfig& cfg, const GlueTask& task) {
  if (cfg.max_seq_length < 3 || cfg.max_seq_length > 512)
    throw ConfigError("max_seq_length: expected 3..512 (BERT's positions), found " +
                      std::to_string(cfg.max_seq_length));
  if (!(cfg.val_fraction >= 0.0 && cfg.val_fraction < 1.0))
    throw ConfigError("val_fraction: expected a value in [0, 1), found " +
                      std::to_string(cfg.val_fraction));
  const TextFiles files = text_files(cfg, task);
  const TextSplit train_file = read_glue_tsv(task, GlueFile::Train, files.train);
  const TextSplit test_file =
      read_glue_tsv(task, task.local ? GlueFile::Test : GlueFile::Dev, files.test);
  if (!test_file.labelled)
    throw DataError(files.test + ": has no labels; kdbench tests on a labelled split");

  std::vector<TextExample> train, val;
  if (task.local) {
    train = train_file.examples;
    val = read_glue_tsv(task, GlueFile::Dev, files.val).examples;
  } else {
    const auto n = static_cast<int64_t>(train_file.examples.size());
    const auto n_val =
        static_cast<int64_t>(std::llround(cfg.val_fraction * static_cast<double>(n)));
    if (n_val >= n)
      throw ConfigError("val_fraction: " + std::to_string(cfg.val_fraction) + " of " +
                        std::to_string(n) + " training examples leaves none to train on");
    const auto order = split_permutation(n, cfg.split_seed);
    val = pick_rows(train_file.examples, {order.begin(), order.begin() + n_val});
    train = pick_rows(train_file.examples, {order.begin() + n_val, order.end()});
  }
  if (cfg.train_subset > static_cast<int64_t>(train.size()))
    throw ConfigError("train_subset: expected at most the " + std::to_string(train.size()) +
                      " training examples, found " + std::to_string(cfg.train_subset));
  if (cfg.train_subset > 0) train.resize(static_cast<size_t>(cfg.train_subset));
  std::vector<TextExample> test = test_file.examples;
  if (cfg.test_subset > static_cast<int64_t>(test.size()))
    throw ConfigError("test_subset: expected at most the " + std::to_string(test.size()) +
                      " test examples, found " + std::to_string(cfg.test_subset));
  if (cfg.test_subset > 0) test.resize(static_cast<size_t>(cfg.test_subset));
  return {std::move(train), std::move(val), std::move(test)};
}

}  // namespace

void check_text_files(const DataConfig& cfg) {
  text_files(cfg, task_of(cfg));
  if (cfg.tokenizer != "sentencepiece") make_tokenizer(cfg);  // its model is made at start
}

void prepare_tokenizer(const DataConfig& cfg) {
  if (cfg.tokenizer != "sentencepiece" || fs::is_regular_file(cfg.vocab)) return;
  const TextRows rows = read_rows(cfg, task_of(cfg));
  std::vector<std::string> sentences;
  for (const auto& e : rows.train) {
    sentences.push_back(e.a);
    if (!e.b.empty()) sentences.push_back(e.b);
  }
  fs::create_directories(fs::path(cfg.vocab).parent_path());
  text::SentencePieceTokenizer::train(sentences, static_cast<int>(cfg.vocab_size), cfg.vocab);
}

TextSplits load_text(const DataConfig& cfg) {
  const GlueTask& task = task_of(cfg);
  const auto metrics = selectable_metrics(task);
  if (!cfg.metric.empty() && std::find(metrics.begin(), metrics.end(), cfg.metric) == metrics.end())
    throw ConfigError("metric: '" + cfg.metric + "' is not a metric of " + task.display +
                      " (allowed: " + join(metrics, " ") + ")");
  TextRows rows = read_rows(cfg, task);
  const auto tok = make_tokenizer(cfg);
  TextSplits s;
  s.task = &task;
  s.metric = cfg.metric.empty() ? metrics.front() : cfg.metric;
  s.num_classes = task.labels.empty() ? 1 : static_cast<int64_t>(task.labels.size());
  s.pad_id = tok->pad_id();
  s.cls_id = tok->cls_id();
  s.sep_id = tok->sep_id();
  s.mask_id = tok->mask_id();
  s.special_ids = {tok->pad_id(), tok->unk_id(), tok->cls_id(), tok->sep_id(), tok->mask_id()};
  s.shape.vocab_size = tok->vocab_size();
  s.shape.max_tokens = cfg.max_seq_length;
  s.train = tokenize_rows(rows.train, *tok, task, cfg, s.truncated);
  s.val = tokenize_rows(rows.val, *tok, task, cfg, s.truncated);
  s.test = tokenize_rows(rows.test, *tok, task, cfg, s.truncated);
  return s;
}

}  // namespace kdbench::datasets
