// Text runs (BERT, whose dropout draws from the device's default generator) are reproducible: one
// stopped at a step boundary and resumed equals the run that was never stopped, and a student
// that builds the teacher-logit cache equals one that finds it built, bit for bit; so does
// Combined-KD with its MATE-KD generator (weights, AdamW state and cycle position resumed).
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/train/resume_state.h"
#include "kdbench/train/stop_flag.h"
#include "kdbench/train/trainer.h"

using namespace kdbench;

namespace {

constexpr int64_t kVocab = 30, kWidth = 12;

// Random sentences of 4..12 tokens; the label is the parity of the first word after [CLS].
train::Split token_split(int64_t n, at::Generator& gen) {
  train::Split s;
  s.lengths = torch::randint(4, kWidth + 1, {n}, gen, torch::kLong);
  auto ids = torch::randint(5, kVocab, {n, kWidth}, gen, torch::kLong);
  ids.select(1, 0).fill_(2);  // [CLS]
  const auto pad = torch::arange(kWidth).unsqueeze(0).ge(s.lengths.unsqueeze(1));
  s.x = ids.masked_fill(pad, 0).to(torch::kInt);
  s.token_types = torch::zeros({n, kWidth}, torch::kUInt8);
  s.y = ids.select(1, 1).remainder(2);
  return s;
}

struct TextResumeFixture : ::testing::Test {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("kdbench-text-resume-" + std::to_string(::getpid())))
                        .string();
  train::PreparedData data;
  std::unique_ptr<results::Artifacts> artifacts;
  train::TrainEnv env;
  grid::TaskGraph graph;
  void SetUp() override {
    std::filesystem::create_directories(dir);
    std::ofstream vocab(dir + "/vocab.txt");
    for (int i = 0; i < kVocab; ++i)
      vocab << (i == 0   ? "[PAD]"
                : i == 1 ? "[UNK]"
                : i == 2 ? "[CLS]"
                : i == 3 ? "[SEP]"
                         : "w")
            << (i > 3 ? std::to_string(i) : "") << "\n";
    vocab.close();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    data.text = true;
    data.num_classes = 2;
    data.shape.vocab_size = kVocab;
    data.shape.max_tokens = 16;
    data.pad_id = 0, data.cls_id = 2, data.sep_id = 3, data.mask_id = 4;
    data.train = token_split(48, gen);
    data.val = token_split(16, gen);
    data.test = token_split(16, gen);
    artifacts = std::make_unique<results::Artifacts>(dir + "/artifacts", /*fsync=*/false);
    env.data = &data;
    env.artifacts = artifacts.get();
    env.threads = 1;
    torch::set_num_threads(1);
    graph = grid::expand(grid::parse_grid_text(
        "[grid]\ndataset = glue-sst2\ndata_dir = /unused\nvocab = " + dir +
            "/vocab.txt\nmax_seq_length = 16\nteachers = bert-L1-H64\nstudents = bert-L1-H64\n"
            "methods = nokd kd combined\nseeds = 3\n"
            "[train]\nepochs = 2\nbatch_size = 8\noptimizer = adamw\nlr = 1e-3\n"
            "[method.combined]\ntau_max = 1\nstage1_epochs = 2\nstage2_epochs = 1\n"
            "generator = bert-L1-H32-A2\ngenerator_lr = 1e-2\ngenerator_steps = 2\n"
            "student_steps = 3\n",
        "text.ini", grid::ParseOptions{false}));
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  // Stopped after each of `stops` steps and resumed, `t` ends as the run never stopped.
  void expect_resumes_bit_for_bit(const grid::Task& t, std::initializer_list<int> stops) {
    const auto reference = train::run_task(t, env);
    for (int stop_at : stops) {
      SCOPED_TRACE("stopped after step " + std::to_string(stop_at));
      int steps = 0;
      train::TrainEnv interrupted = env;
      interrupted.should_stop = [&] { return ++steps > stop_at; };
      EXPECT_THROW(train::run_task(t, interrupted), train::Interrupted);
      ASSERT_TRUE(artifacts->exists(t.key, train::kResumeFile));
      const auto resumed = train::run_task(t, env);
      EXPECT_EQ(resumed.curves.train_loss, reference.curves.train_loss);
      EXPECT_EQ(resumed.curves.val_acc, reference.curves.val_acc);
      EXPECT_EQ(resumed.curves.test_acc, reference.curves.test_acc);
    }
  }
  const grid::Task& task(const std::string& kind, const std::string& method) const {
    for (const auto& t : graph.tasks)
      if (t.kind == kind && t.method == method) return t;
    throw std::runtime_error("no " + kind + " " + method);
  }
};

TEST_F(TextResumeFixture, StoppedAndResumedEqualsUninterrupted) {
  // Within epoch 1; the first step of epoch 2 (6 steps per epoch).
  expect_resumes_bit_for_bit(task("student", "nokd"), {3, 8});
}

// The first kd student builds the teacher's logit cache (and, for that, the teacher network); the
// second reads the file. Building the teacher must not move the dropout stream of the student.
TEST_F(TextResumeFixture, BuildingTheLogitCacheChangesNoStudentNumber) {
  train::run_task(task("teacher", ""), env);
  const auto& kd = task("student", "kd");
  const auto built = train::run_task(kd, env);
  ASSERT_EQ(built.config.at("teacher_logits").at("files").size(), 1u);
  const auto read = train::run_task(kd, env);
  EXPECT_EQ(read.curves.train_loss, built.curves.train_loss);
  EXPECT_EQ(read.curves.val_acc, built.curves.val_acc);
}

// Stage I's 12 batches are cycles of 2 generator and 3 student batches; a stop inside a generator
// run (after step 1), inside a student run (after 3) and in epoch 2 (after 8) resumes the
// generator's weights and optimizer with the student's: the resumed run equals the one never
// stopped (x~ depends on the generator, so any difference would show in the losses).
TEST_F(TextResumeFixture, CombinedWithItsGeneratorResumesBitForBit) {
  train::run_task(task("teacher", ""), env);
  const grid::Task& combined = task("student", "combined");
  expect_resumes_bit_for_bit(combined, {1, 3, 8});
  EXPECT_EQ(train::run_task(combined, env).config.at("generator").at("model"), "bert-L1-H32-A2");
}

}  // namespace
