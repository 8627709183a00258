// [pretrain]: the section's keys and their bad values (one line naming file, section, key, value
// and what is allowed), and the DAG: one pretrain task per pretrained model, every task of that
// model depending on it with its key in theirs; identical pretraining shared, other pretraining
// (steps, corpus by content, hyper-parameters) making other tasks.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

const std::string kPretrainDir = "/tmp/kdbench-test-pretrain-grid";

std::string vocab_path() { return kPretrainDir + "/vocab.txt"; }

// A text grid: teacher bert-L2-H128, students bert-L1-H64 and bert-L1-H128, nokd + kd, 2 seeds.
std::string grid_text(const std::string& pretrain, const std::string& extra = "") {
  std::filesystem::create_directories(kPretrainDir);
  std::ofstream(vocab_path()) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nyes\nno\n";
  return "[grid]\ndataset = glue-cola\ndata_dir = /unused\nvocab = " + vocab_path() +
         "\nteachers = bert-L2-H128\nstudents = bert-L1-H64 bert-L1-H128\nmethods = nokd kd\n"
         "seeds = 1 2\n" +
         extra + "[train]\nepochs = 2\noptimizer = adamw\nlr = 1e-3\n" +
         (pretrain.empty() ? "" : "[pretrain]\n" + pretrain);
}

GridSpec parse(const std::string& text, bool check_files = false) {
  return parse_grid_text(text, "g.ini", ParseOptions{check_files});
}

std::string error_of(const std::string& text, bool check_files = false) {
  try {
    parse(text, check_files);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

std::vector<const Task*> of_kind(const TaskGraph& g, const std::string& kind) {
  std::vector<const Task*> out;
  for (const auto& t : g.tasks)
    if (t.kind == kind) out.push_back(&t);
  return out;
}

const Task& only_pretrain_of(const TaskGraph& g, const std::string& model) {
  const Task* found = nullptr;
  for (const auto* t : of_kind(g, "pretrain"))
    if (t->model == model) {
      EXPECT_EQ(found, nullptr) << "two pretrain tasks of " << model;
      found = t;
    }
  EXPECT_NE(found, nullptr) << "no pretrain task of " << model;
  return *found;
}

// A corpus directory as `kdbench text-data` names them, with the two files pretraining reads.
std::string make_corpus(const std::string& name, const std::string& rows) {
  const std::string dir = kPretrainDir + "/corpora/" + name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/train.tsv") << "sentence\tlabel\n" << rows;
  std::ofstream(dir + "/dev.tsv") << "sentence\tlabel\nyes no\t1\n";
  return dir;
}

}  // namespace

TEST(PretrainGrid, KeysAndDefaults) {
  const GridSpec none = parse(grid_text(""));
  EXPECT_TRUE(none.pretrain.models.empty());
  const GridSpec g = parse(grid_text("models = bert-L2-H128\nsteps = 40\nlr = 1e-3\n"));
  EXPECT_EQ(g.pretrain.models, std::vector<std::string>{"bert-L2-H128"});
  EXPECT_TRUE(g.pretrain.grid_corpus());
  EXPECT_EQ(g.pretrain.steps, 40);
  EXPECT_EQ(g.pretrain.eval_every, 40);       // min(100, steps)
  EXPECT_EQ(g.pretrain.max_seq_length, 128);  // the grid's
  EXPECT_DOUBLE_EQ(g.pretrain.mask_probability, 0.15);
  EXPECT_EQ(g.pretrain.train.optimizer, "adamw");
  EXPECT_EQ(g.pretrain.train.lr_schedule.kind, "linear");
  EXPECT_DOUBLE_EQ(g.pretrain.train.lr, 1e-3);
  EXPECT_DOUBLE_EQ(g.pretrain.train.lr_schedule.warmup_ratio, 0.1);
  EXPECT_EQ(g.pretrain.train.batch_size, 32);
  const GridSpec all = parse(grid_text("models = all\n"));
  EXPECT_EQ(all.pretrain.models,
            (std::vector<std::string>{"bert-L2-H128", "bert-L1-H64", "bert-L1-H128"}));
}

TEST(PretrainGrid, BadInputIsOneLineNamingFileSectionKeyAndWhatIsAllowed) {
  const auto expect = [](const std::string& pretrain, const std::vector<std::string>& parts,
                         const std::string& extra = "") {
    const std::string e = error_of(grid_text(pretrain, extra));
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    for (const auto& p : parts) EXPECT_NE(e.find(p), std::string::npos) << p << " not in: " << e;
  };
  expect("models = bert-L2-H128\nwarmup = 3\n",
         {"g.ini", "unknown key 'warmup' in [pretrain]", "allowed:", "warmup_ratio"});
  expect("steps = 10\n", {"g.ini: [pretrain] models: missing"});
  expect("models = bert-L4-H256\n",
         {"[pretrain] models", "'bert-L4-H256' is not a model of this grid", "bert-L2-H128",
          "or all"});
  expect("models = bert-L2-H128\nsteps = 0\n", {"[pretrain] steps", "0", "[1, "});
  expect("models = bert-L2-H128\nsteps = -5\n", {"[pretrain] steps", "-5"});
  expect("models = bert-L2-H128\nsteps = ten\n", {"[pretrain] steps", "ten"});
  expect("models = bert-L2-H128\nsteps = 10\neval_every = 11\n", {"[pretrain] eval_every", "11"});
  expect("models = bert-L2-H128\nmask_probability = 1.5\n", {"[pretrain] mask_probability"});
  expect("models = bert-L2-H128\ncorpus = grid /data/spam\n",
         {"[pretrain] corpus", "'grid' stands alone"});
  expect("models = bert-L2-H128\ncorpus = /data/my-mails\n",
         {"[pretrain] corpus", "'/data/my-mails' is not a corpus directory", "spam", "sotu-party"});
  // init of the same role conflicts; of the other role does not.
  const std::string with_init = grid_text("models = bert-L2-H128\n") + "[teacher]\ninit = /hf/b\n";
  EXPECT_NE(error_of(with_init).find("bert-L2-H128 is pretrained here, but the teachers start "
                                     "from init = /hf/b"),
            std::string::npos);
  EXPECT_NO_THROW(parse(grid_text("models = bert-L1-H64\n") + "[teacher]\ninit = /hf/b\n"));
  // Image grids have no text to pretrain on.
  const std::string image = base_grid() + "[pretrain]\nmodels = cnn2\n";
  EXPECT_NE(error_of(image).find("g.ini: [pretrain] models: masked-LM pretraining needs a text "
                                 "dataset; fashion-mnist holds images"),
            std::string::npos)
      << error_of(image);
  // A corpus directory without its files, when the data files are checked (the grid's own data
  // is there).
  const std::string cola = kPretrainDir + "/cola";
  std::filesystem::create_directories(cola);
  for (const char* f : {"/train.tsv", "/dev.tsv"}) std::ofstream(cola + f) << "s1\t1\t\tyes\n";
  const std::string dir = kPretrainDir + "/corpora-missing/spam";
  std::filesystem::create_directories(dir);
  std::string missing = grid_text("models = bert-L2-H128\ncorpus = " + dir + "\n");
  missing.replace(missing.find("/unused"), 7, cola);
  EXPECT_NO_THROW(parse(missing));  // without file checks (kdbench plan away from the data)
  const std::string e = error_of(missing, /*check_files=*/true);
  EXPECT_NE(e.find("g.ini: [pretrain] corpus: " + dir + "/train.tsv is missing"), std::string::npos)
      << e;
  EXPECT_NO_THROW(parse(
      grid_text("models = bert-L2-H128\ncorpus = " + make_corpus("sotu-party", "a b\t0\n") + "\n")
          .replace(0, 0, ""),
      false));
}

// A pretrained model's gang pretrains it too (data-parallel, as it fine-tunes): [gang_size]
// MODEL, else its role's gang_size (a teacher's when the model is both).
TEST(PretrainGrid, APretrainTaskRunsOnItsModelsGang) {
  const auto pretrain_gang = [](const std::string& extra) {
    const TaskGraph g = expand(parse(grid_text("models = bert-L2-H128 bert-L1-H64\n", extra)));
    return std::make_pair(only_pretrain_of(g, "bert-L2-H128").gang_size,
                          only_pretrain_of(g, "bert-L1-H64").gang_size);
  };
  EXPECT_EQ(pretrain_gang(""), std::make_pair(1, 1));
  EXPECT_EQ(pretrain_gang("[gang_size]\nbert-L2-H128 = 2\n"), std::make_pair(2, 1));
  EXPECT_EQ(pretrain_gang("[teacher]\ngang_size = 3\n"), std::make_pair(3, 1));
  EXPECT_EQ(pretrain_gang("[student]\ngang_size = 2\n"), std::make_pair(1, 2));
  EXPECT_EQ(pretrain_gang("[teacher]\ngang_size = 2\n[gang_size]\nbert-L1-H64 = 4\n"),
            std::make_pair(2, 4));
}

TEST(PretrainGrid, OnePretrainTaskPerModelThatEveryTaskOfTheModelDependsOn) {
  const TaskGraph plain = expand(parse(grid_text("")));
  const TaskGraph g = expand(parse(grid_text("models = bert-L2-H128 bert-L1-H64\nsteps = 50\n")));
  ASSERT_EQ(of_kind(g, "pretrain").size(), 2u);
  EXPECT_EQ(g.tasks.size(), plain.tasks.size() + 2);
  const Task& teacher_pre = only_pretrain_of(g, "bert-L2-H128");
  const Task& student_pre = only_pretrain_of(g, "bert-L1-H64");
  EXPECT_TRUE(teacher_pre.deps.empty());
  EXPECT_EQ(teacher_pre.total_epochs, 1);  // one curve point: eval_every = steps = 50
  EXPECT_EQ(teacher_pre.gang_size, 1);
  EXPECT_TRUE(teacher_pre.provides_weights());
  // Cost: 50 steps of 32 sequences, forward and backward, plus the masked-LM head.
  EXPECT_GT(teacher_pre.cost, 3 * teacher_pre.macs_per_image * 50 * 32);
  for (const auto& t : g.tasks) {
    if (t.kind == "pretrain") continue;
    const bool pretrained = t.model != "bert-L1-H128";
    const std::string want = !pretrained                 ? ""
                             : t.model == "bert-L2-H128" ? teacher_pre.key
                                                         : student_pre.key;
    EXPECT_EQ(t.pretrain_key, want) << t.label();
    if (pretrained) {
      EXPECT_NE(std::find(t.deps.begin(), t.deps.end(), want), t.deps.end()) << t.label();
      // Dependencies first: the pretrain task precedes every task of its model.
      EXPECT_LT(g.index.at(want), g.index.at(t.key)) << t.label();
    }
    // A kd student still depends on its teacher (and the teacher on its pretraining).
    if (t.method == "kd") {
      EXPECT_NE(std::find(t.deps.begin(), t.deps.end(), t.teacher_key), t.deps.end());
    }
  }
  // Keys: pretrained models' tasks change, the unpretrained student's do not.
  std::map<std::string, int> plain_keys;
  for (const auto& t : plain.tasks) plain_keys[t.key] = 1;
  for (const auto& t : g.tasks) {
    const bool unchanged = plain_keys.count(t.key) > 0;
    // A bert-L1-H128 kd student reads the (pretrained) teacher: its key changes too.
    const bool expect_unchanged = t.model == "bert-L1-H128" && t.method == "nokd";
    EXPECT_EQ(unchanged, expect_unchanged) << t.label();
  }
}

TEST(PretrainGrid, KeysShareIdenticalPretrainingAndChangeWithItsInputs) {
  const auto key_of = [](const std::string& pretrain, const std::string& extra = "") {
    const TaskGraph g = expand(parse(grid_text(pretrain, extra)));
    const Task& pre = only_pretrain_of(g, "bert-L2-H128");
    std::string teacher;
    for (const auto& t : g.tasks)
      if (t.kind == "teacher") teacher = t.key;
    return std::make_pair(pre.key, teacher);
  };
  const auto base = key_of("models = bert-L2-H128\nsteps = 50\n");
  // The same pretraining in a grid with other fine-tunes (another student list): the same key.
  const std::string other_grid = grid_text("models = bert-L2-H128\nsteps = 50\n");
  std::string replaced = other_grid;
  const std::string students = "students = bert-L1-H64 bert-L1-H128";
  replaced.replace(replaced.find(students), students.size(), "students = bert-L1-H64");
  EXPECT_EQ(only_pretrain_of(expand(parse(replaced)), "bert-L2-H128").key, base.first);
  EXPECT_EQ(key_of("models = bert-L2-H128 bert-L1-H64\nsteps = 50\n"), base);
  for (const std::string change :
       {"lr = 1e-4\n", "batch_size = 16\n", "warmup_ratio = 0.2\n", "mask_probability = 0.2\n",
        "max_seq_length = 64\n", "seed = 3\n", "eval_every = 10\n", "weight_decay = 0\n",
        "max_grad_norm = 0.5\n", "val_sequences = 100\n"}) {
    const auto changed = key_of("models = bert-L2-H128\nsteps = 50\n" + change);
    EXPECT_NE(changed.first, base.first) << change;
    EXPECT_NE(changed.second, base.second) << change << ": the fine-tune's key follows";
  }
  const auto more_steps = key_of("models = bert-L2-H128\nsteps = 60\n");
  EXPECT_NE(more_steps.first, base.first);
  EXPECT_NE(more_steps.second, base.second);
  // The corpus by content: a directory, then the same directory with another row.
  const std::string dir = make_corpus("spam", "yes yes\t1\n");
  const auto corpus = key_of("models = bert-L2-H128\nsteps = 50\ncorpus = " + dir + "\n");
  EXPECT_NE(corpus.first, base.first);
  EXPECT_EQ(key_of("models = bert-L2-H128\nsteps = 50\ncorpus = " + dir + "/\n"), corpus);
  make_corpus("spam", "yes yes\t1\nno no\t0\n");
  const auto edited = key_of("models = bert-L2-H128\nsteps = 50\ncorpus = " + dir + "\n");
  EXPECT_NE(edited.first, corpus.first);
  EXPECT_NE(edited.second, corpus.second);
  // The grid's data enters through the grid corpus: another split seed, another pretraining.
  std::string split = grid_text("models = bert-L2-H128\nsteps = 50\n");
  split.replace(split.find("[train]\n"), 8, "[train]\nsplit_seed = 5\n");
  EXPECT_NE(only_pretrain_of(expand(parse(split)), "bert-L2-H128").key, base.first);
}
