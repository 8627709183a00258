// Text grids: dataset = glue-X | spam | ..., vocab / tokenizer / vocab_size / max_seq_length,
// length_buckets; the checks that keep image and text apart (one line each, exit 2), and the keys
// (the vocabulary by content: another vocab.txt makes other tasks).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

const std::string kVocab = "/tmp/kdbench-test-text-keys-vocab.txt";

std::string text_grid(const std::string& grid_extra = "", const std::string& tail = "") {
  return "[grid]\ndataset = glue-sst2\ndata_dir = /unused\nvocab = " + kVocab +
         "\nteachers = bert-L2-H128\nstudents = bert-L1-H128\nmethods = nokd kd\nseeds = 1\n" +
         grid_extra + "[train]\nepochs = 2\n" + tail;
}

GridSpec parse(const std::string& text) {
  return parse_grid_text(text, "g.ini", ParseOptions{false});
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

void write_vocab(const std::string& extra) {
  std::ofstream(kVocab) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ngood\nbad\n" << extra;
}

}  // namespace

TEST(TextKeys, TextGridParsesWithTextDefaults) {
  write_vocab("");
  const GridSpec g = parse(text_grid());
  EXPECT_EQ(g.tokenizer, "wordpiece");
  EXPECT_EQ(g.max_seq_length, 128);
  EXPECT_FALSE(g.student.augment);  // crop/flip default off for text
  const InputShape shape = input_shape(g);
  EXPECT_EQ(shape.vocab_size, 7);
  EXPECT_EQ(shape.max_tokens, 128);
  const auto graph = expand(g);
  EXPECT_EQ(graph.tasks.size(), 3u);
  // sentencepiece: the vocabulary is the grid's, of vocab_size pieces, in the artifacts.
  const GridSpec sp = parse(
      "[grid]\ndataset = spam\ndata_dir = /unused\ntokenizer = sentencepiece\nvocab_size = 500\n"
      "students = bert-L1-H128\nmethods = nokd\nseeds = 1\nartifacts = art\n");
  EXPECT_EQ(input_shape(sp).vocab_size, 500);
  EXPECT_EQ(data_config(sp).vocab.rfind("art/tokenizers/sentencepiece-", 0), 0u);
  std::remove(kVocab.c_str());
}

TEST(TextKeys, AnotherVocabularyMakesOtherTasks) {
  write_vocab("");
  const auto before = expand(parse(text_grid())).tasks.front().key;
  EXPECT_EQ(expand(parse(text_grid())).tasks.front().key, before);
  write_vocab("film\n");
  EXPECT_NE(expand(parse(text_grid())).tasks.front().key, before);
  write_vocab("");
  EXPECT_NE(expand(parse(text_grid("max_seq_length = 64\n"))).tasks.front().key, before);
  EXPECT_NE(expand(parse(text_grid("", "length_buckets = true\n"))).tasks.front().key, before);
  std::remove(kVocab.c_str());
}

// `[grid] metric`: the task's own by default; another one the task reports changes every key
// (it changes every selected result) but not the tokenizer's; anything else is one line.
TEST(TextKeys, SelectionMetric) {
  write_vocab("");
  EXPECT_EQ(parse(text_grid()).metric, "accuracy");  // SST-2
  const auto key = [](const std::string& grid) { return expand(parse(grid)).tasks.front().key; };
  const auto mrpc = [](const std::string& extra) {
    std::string g = text_grid(extra);
    return g.replace(g.find("glue-sst2"), 9, "glue-mrpc");
  };
  EXPECT_EQ(parse(mrpc("")).metric, "f1");
  EXPECT_EQ(key(mrpc("metric = f1\n")), key(mrpc("")));
  EXPECT_NE(key(mrpc("metric = accuracy\n")), key(mrpc("")));
  EXPECT_EQ(data_config(parse(mrpc("metric = accuracy\n"))).metric, "accuracy");
  const GridSpec sp = parse(
      "[grid]\ndataset = glue-stsb\ndata_dir = /unused\ntokenizer = sentencepiece\n"
      "vocab_size = 500\nstudents = bert-L1-H128\nmethods = nokd\nseeds = 1\nmetric = spearman\n");
  GridSpec own = sp;
  own.metric = "pearson";
  EXPECT_EQ(sentencepiece_model_path(sp), sentencepiece_model_path(own));
  EXPECT_EQ(canonical_selection(own), "");
  EXPECT_EQ(canonical_selection(sp), ";metric=spearman");
  const std::string bad = error_of(mrpc("metric = pearson\n"));
  EXPECT_NE(bad.find("metric"), std::string::npos) << bad;
  EXPECT_NE(bad.find("f1 accuracy"), std::string::npos) << bad;
  const std::string image =
      error_of("[grid]\ndata_dir = /d\nstudents = cnn2\nmethods = nokd\nseeds = 1\nmetric = f1\n");
  EXPECT_NE(image.find("accuracy"), std::string::npos) << image;
  std::remove(kVocab.c_str());
}

TEST(TextKeys, ImageAndTextStayApartWithOneLine) {
  write_vocab("");
  const auto has = [](const std::string& msg, const std::string& part) {
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  };
  has(error_of(text_grid("", "augment = true\n")), "augment = true");
  has(error_of("[grid]\ndataset = glue-sst2\ndata_dir = /d\nvocab = v\nteachers = bert-L2-H128\n"
               "students = cnn2\nmethods = kd\nseeds = 1\n"),
      "model 'cnn2' reads images");
  has(error_of("[grid]\ndata_dir = /d\nteachers = cnn4\nstudents = bert-L1-H128\nmethods = kd\n"
               "seeds = 1\n"),
      "reads token sequences");
  has(error_of("[grid]\ndata_dir = /d\nvocab = v\nstudents = cnn2\nmethods = nokd\nseeds = 1\n"),
      "only text datasets have a tokenizer");
  has(error_of("[grid]\ndata_dir = /d\nstudents = cnn2\nmethods = nokd\nseeds = 1\n[train]\n"
               "length_buckets = true\n"),
      "length buckets group text examples");
  has(error_of(text_grid("vocab_size = 100\n")), "vocab_size is for sentencepiece");
  has(error_of(text_grid("tokenizer = sentencepiece\n")), "give vocab_size, not vocab");
  has(error_of(text_grid("tokenizer = bpe\n")), "wordpiece sentencepiece");
  has(error_of(text_grid("max_seq_length = 1024\n")), "max_seq_length");
  // Combined-KD on text: its MATE-KD generator must be a BERT and train on one rank.
  std::string combined = text_grid("", "[method.combined]\ntau_max = 1\n");
  combined.replace(combined.find("methods = nokd kd"), 17, "methods = kd combined");
  EXPECT_NO_THROW(parse(combined));
  has(error_of(combined + "generator = cnn2\n"),
      "g.ini: [method.combined] generator: 'cnn2' is not a BERT masked LM");
  has(error_of(combined + "generator = bert-L1-H33\n"),
      "[method.combined] generator: model 'bert-L1-H33'");
  // generator_init is read with the data, at run time (e2e.text_tiny): a grid plans without it.
  EXPECT_NO_THROW(parse(combined + "generator_init = /nonexistent\n"));
  has(error_of(combined + "[student]\ngang_size = 2\n"),
      "student bert-L1-H128 has gang_size 2 (give it 1)");
  // STS-B is a regression: the methods that need classes say so, naming the grid file.
  const std::string stsb =
      "[grid]\ndataset = glue-stsb\ndata_dir = /d\nvocab = v\nteachers = bert-L2-H128\n"
      "students = bert-L1-H128\nseeds = 1\n";
  EXPECT_NO_THROW(parse(stsb + "methods = nokd kd takd annealing prokd\n"));
  has(error_of(stsb + "methods = nokd dkd\n"), "g.ini: [method.dkd] decouples");
  has(error_of(stsb + "methods = dist\n"), "regression task");
  has(error_of("[grid]\ndataset = spam\ndata_dir = /d\nstudents = bert-L1-H128\nmethods = nokd\n"
               "seeds = 1\n"),
      "[grid] vocab is required");
  for (const auto& msg : {error_of(text_grid("", "augment = true\n"))})
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  std::remove(kVocab.c_str());
}

// [init] MODEL = DIR: every task of that model starts from its own directory, whatever its role
// (the TAKD assistant bert-L2-H128 trains with [student]'s config but not from the students' init),
// and its keys follow the directory's content; the role's init still starts the other models.
TEST(TextKeys, ModelInitStartsEveryTaskOfItsModel) {
  write_vocab("");
  const std::string role_dir = "/tmp/kdbench-test-init-role",
                    own_dir = "/tmp/kdbench-test-init-own";
  for (const auto& d : {role_dir, own_dir}) {
    std::filesystem::create_directories(d);
    std::ofstream(d + "/config.json") << "{\"dir\": \"" << d << "\"}";
  }
  const std::string grid = "[grid]\ndataset = glue-sst2\ndata_dir = /unused\nvocab = " + kVocab +
                           "\nteachers = bert-L4-H128\nstudents = bert-L1-H128\nmethods = nokd "
                           "takd\nseeds = 1\n[train]\nepochs = 2\n[student]\ninit = " +
                           role_dir + "\n[method.takd]\nassistants = bert-L2-H128\n";
  const auto with_own = [&](const std::string& dir) {
    return grid + "[init]\nbert-L2-H128 = " + dir + "\n";
  };
  const GridSpec g = parse(with_own(own_dir));
  EXPECT_EQ(g.model_init.at("bert-L2-H128"), own_dir);
  const TaskGraph graph = expand(g);
  int assistants = 0, students = 0;
  for (const auto& t : graph.tasks) {
    if (t.model == "bert-L2-H128") {
      EXPECT_EQ(t.kind, "assistant");
      EXPECT_EQ(t.train.init, own_dir);
      ++assistants;
    } else if (t.model == "bert-L1-H128") {
      EXPECT_EQ(t.train.init, role_dir);
      ++students;
    } else {
      EXPECT_TRUE(t.train.init.empty()) << t.label();
    }
  }
  EXPECT_EQ(assistants, 1);
  EXPECT_EQ(students, 2);
  // Another directory content makes another assistant (and the student it teaches); the nokd
  // student and the teacher keep their keys.
  std::ofstream(own_dir + "/config.json") << "{\"changed\": true}";
  const TaskGraph changed = expand(parse(with_own(own_dir)));
  std::set<std::string> before, after;
  for (const auto& t : graph.tasks) before.insert(t.key);
  for (const auto& t : changed.tasks) after.insert(t.key);
  std::vector<std::string> kept;
  std::set_intersection(before.begin(), before.end(), after.begin(), after.end(),
                        std::back_inserter(kept));
  EXPECT_EQ(kept.size(), 2u);  // teacher, nokd student
  // Bad input: one line naming [init], the model and what is allowed.
  EXPECT_NE(error_of(grid + "[init]\nbert-L6-H768 = " + own_dir + "\n")
                .find("g.ini: [init] bert-L6-H768: bert-L6-H768 is not a model of this grid"),
            std::string::npos);
  EXPECT_NE(error_of(grid + "[init]\nbert-L2-H128 = \n").find("needs a directory"),
            std::string::npos);
  EXPECT_NE(error_of(grid + "[init]\nbert-L2-H128 = a\nbert-L2-H128 = b\n").find("given twice"),
            std::string::npos);
  EXPECT_NE(error_of("[grid]\ndata_dir = /unused\nstudents = cnn2\nmethods = nokd\nseeds = 1\n"
                     "[init]\ncnn2 = " +
                     own_dir + "\n")
                .find("holds images"),
            std::string::npos);
  EXPECT_NE(error_of(text_grid() + "[init]\nbert-L1-H128 = " + own_dir +
                     "\n[pretrain]\nmodels = bert-L1-H128\nsteps = 2\n")
                .find("is pretrained here, but [init] starts it from"),
            std::string::npos);
  std::filesystem::remove_all(role_dir);
  std::filesystem::remove_all(own_dir);
}
