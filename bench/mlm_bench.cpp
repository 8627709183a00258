// kdbench_mlm_bench: masked-LM pretraining steps per second (train/pretrain_mlm.h) of one BERT on
// random full-length token rows (BERT's vocabulary of 30,522, 15 % masked), with the vocabulary
// projection on the masked positions only (gathered, the default) and on every position. Each
// form runs a warm-up and then timed windows; the median window is printed.
//
// usage: kdbench_mlm_bench [--model bert-L2-H128] [--batch 32] [--seq 64] [--steps 20]
//                          [--windows 3] [--threads 1]
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench_stats.h"
#include "kdbench/train/pretrain_mlm.h"

namespace {

using kdbench::bench::BenchArgs;
using kdbench::bench::median;

kdbench::datasets::TokenSet random_rows(int64_t rows, int64_t seq, int64_t vocab) {
  kdbench::datasets::TokenSet t;
  t.ids = torch::randint(1000, vocab, {rows, seq}, torch::kInt);
  t.ids.select(1, 0).fill_(101);
  t.ids.select(1, seq - 1).fill_(102);
  t.token_types = torch::zeros({rows, seq}, torch::kUInt8);
  t.lengths = torch::full({rows}, seq, torch::kLong);
  t.labels = torch::zeros({rows}, torch::kLong);
  return t;
}

double steps_per_second(const kdbench::models::BertConfig& config,
                        const kdbench::datasets::TokenSet& data, kdbench::train::PretrainConfig c,
                        int64_t steps, int windows) {
  torch::manual_seed(1);
  kdbench::models::BertMaskedLM model(config);
  const auto val = random_rows(1, data.ids.size(1), config.vocab_size);
  c.steps = c.eval_every = 3;  // warm-up
  kdbench::train::pretrain_mlm(*model, data, val, c);
  std::vector<double> rates;
  c.steps = c.eval_every = steps;
  for (int w = 0; w < windows; ++w)
    rates.push_back(static_cast<double>(steps) /
                    kdbench::train::pretrain_mlm(*model, data, val, c).seconds);
  return median(rates);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const BenchArgs args(argc, argv, "kdbench_mlm_bench",
                         {"model", "batch", "seq", "steps", "windows", "threads"});
    const std::string name = args.text("model", "bert-L2-H128");
    const int64_t batch = args.positive("batch", 32), seq = args.positive("seq", 64);
    const int64_t steps = args.positive("steps", 20);
    const int windows = static_cast<int>(args.positive("windows", 3));
    torch::set_num_threads(static_cast<int>(args.positive("threads", 1)));
    auto config = kdbench::models::BertConfig::from_name(name);
    torch::manual_seed(2);
    const auto data = random_rows(batch * 8, seq, config.vocab_size);
    kdbench::train::PretrainConfig c;
    c.train.optimizer = "adamw";
    c.train.lr = 1e-4;
    c.train.weight_decay = 0.01;
    c.train.max_grad_norm = 1.0;
    c.train.batch_size = static_cast<int>(batch);
    c.masking = {0.15, 103, config.vocab_size, {0, 100, 101, 102, 103}};
    std::printf("model %s batch %lld seq %lld threads %d\n", name.c_str(),
                static_cast<long long>(batch), static_cast<long long>(seq),
                torch::get_num_threads());
    for (const bool gather : {true, false}) {
      c.gather_masked = gather;
      std::printf("%-28s %.2f steps/s\n", gather ? "masked positions (gathered)" : "every position",
                  steps_per_second(config, data, c, steps, windows));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kdbench_mlm_bench: %s\n", e.what());
    return 2;
  }
}
