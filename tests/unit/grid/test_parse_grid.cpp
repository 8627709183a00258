#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

const ParseOptions kNoFiles{false};

GridSpec parse(const std::string& text) { return parse_grid_text(text, "g.ini", kNoFiles); }

// Expects a ConfigError whose message contains every fragment.
void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  try {
    parse(text);
    FAIL() << "no error for:\n" << text;
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments)
      EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "error must be one line: " << msg;
  }
}

std::string with(const std::string& section_line, const std::string& extra) {
  std::string g = base_grid();
  const auto pos = g.find(section_line);
  return g.insert(pos + section_line.size() + 1, extra + "\n");
}

}  // namespace

TEST(ParseGrid, ValidGridIsTyped) {
  const auto g =
      parse(base_grid() + "[method.kd]\ntemperature = 2 ; inline comment\n# full comment\n");
  EXPECT_EQ(g.name, "t");
  EXPECT_EQ(g.teachers, (std::vector<std::string>{"cnn4", "cnn8"}));
  EXPECT_EQ(g.seeds, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(g.teacher_seeds, g.seeds);
  EXPECT_EQ(g.student.epochs, 3);
  EXPECT_EQ(g.teacher.epochs, 4);
  EXPECT_EQ(g.teacher.batch_size, 64);  // [train] default reaches the teacher role
  EXPECT_DOUBLE_EQ(g.student.lr, 0.1);
  EXPECT_EQ(g.teacher_keep_checkpoints, (std::vector<int>{2}));
  EXPECT_EQ(g.method_params.at("kd").at("temperature"), "2");
  EXPECT_EQ(g.results, "results/t.h5");
  EXPECT_EQ(g.artifacts, "artifacts/t");
  EXPECT_EQ(g.student.lr_schedule.kind, "step");
}

TEST(ParseGrid, LrScheduleForms) {
  auto g = parse(with("[train]", "lr_schedule = cosine"));
  EXPECT_EQ(g.student.lr_schedule.kind, "cosine");
  g = parse(with("[train]", "lr_schedule = step 0.3 0.6 0.9\nlr_gamma = 0.2"));
  EXPECT_EQ(g.student.lr_schedule.milestones, (std::vector<double>{0.3, 0.6, 0.9}));
  EXPECT_DOUBLE_EQ(g.student.lr_schedule.gamma, 0.2);
  expect_error(with("[train]", "lr_schedule = step 0.75 0.5"),
               {"[train] lr_schedule", "increasing"});
  expect_error(with("[train]", "lr_schedule = exponential"),
               {"[train] lr_schedule", "allowed", "'linear'"});
  expect_error(with("[train]", "lr_schedule = step"), {"needs milestones"});
}

TEST(ParseGrid, UnknownSectionsAndKeys) {
  expect_error(base_grid() + "[trian]\nepochs = 2\n",
               {"g.ini", "unknown section [trian]", "[train]"});
  expect_error(with("[train]", "epoch = 2"), {"g.ini", "unknown key 'epoch' in [train]", "epochs"});
  expect_error(base_grid() + "[method.foo]\nx = 1\n", {"unknown section [method.foo]", "kd"});
  expect_error(base_grid() + "[method.kd]\ntemp = 1\n",
               {"[method.kd] unknown key 'temp'", "temperature"});
  expect_error("epochs = 3\n" + base_grid(), {"outside any section"});
  expect_error(with("[train]", "epochs = 5"), {"[train] epochs is given twice"});
  expect_error(base_grid() + "[train\n", {"g.ini"});
}

TEST(ParseGrid, UnknownModelsAndMethods) {
  std::string g = base_grid();
  g.replace(g.find("cnn4 cnn8"), 9, "cnn4 vgg16");
  expect_error(g, {"[grid] teachers", "unknown model 'vgg16'", "resnet110"});
  g = base_grid();
  g.replace(g.find("nokd kd"), 7, "nokd kdd");
  expect_error(g, {"[grid] methods", "unknown method 'kdd'", "known: nokd kd"});
}

// base_grid() with the first occurrence of `from` replaced by `to`.
std::string replaced(const std::string& from, const std::string& to) {
  std::string g = base_grid();
  return g.replace(g.find(from), from.size(), to);
}

TEST(ParseGrid, TakdAssistants) {
  EXPECT_TRUE(parse(base_grid() + "[method.takd]\nassistants = auto\n").takd_auto);
  const auto g = parse(base_grid() + "[method.takd]\nassistants = cnn6 cnn4\n");
  EXPECT_FALSE(g.takd_auto);
  EXPECT_EQ(g.takd_assistants, (std::vector<std::string>{"cnn6", "cnn4"}));
  expect_error(base_grid() + "[method.takd]\nassistants = auto cnn4\n",
               {"g.ini", "[method.takd] assistants", "'auto' stands alone", "auto cnn4"});
  expect_error(base_grid() + "[method.takd]\nassistants = cnn5\n",
               {"[method.takd] assistants", "unknown model 'cnn5'", "cnn6", "auto"});
}

TEST(ParseGrid, BadValues) {
  expect_error(replaced("lr = 0.1", "lr = fast"),
               {"g.ini: [train] lr", "'fast' is not a finite number"});
  expect_error(with("[train]", "momentum = 1.5"), {"[train] momentum", "out of range"});
  expect_error(with("[teacher]", "batch_size = 0"), {"[teacher] batch_size", "out of range [1"});
  expect_error(replaced("epochs = 3", "epochs = 2.5"), {"[train] epochs", "not an integer"});
  expect_error(with("[train]", "augment = maybe"), {"[train] augment", "not a boolean"});
  expect_error(with("[train]", "val_fraction = 0"), {"[train] val_fraction", "out of range"});
  expect_error(replaced("dataset  = fashion-mnist", "dataset = imagenet"),
               {"[grid] dataset", "'imagenet' is not allowed", "cifar10"});
  expect_error(base_grid() + "[method.kd]\nalpha = 2\n",
               {"[method.kd] alpha", "out of range [0, 1]"});
  expect_error(with("[teacher]", "nesterov = true\nmomentum = 0"),
               {"[teacher] nesterov", "momentum > 0"});
  std::string g = base_grid();
  g.replace(g.find("checkpoints = 2 final"), 21, "checkpoints = 9");
  expect_error(g, {"[teacher] checkpoints", "9 is outside the teacher's epochs [1, 4]"});
}

TEST(ParseGrid, EmptyAndDuplicateAxes) {
  std::string g = base_grid();
  g.replace(g.find("seeds    = 1 2"), 14, "seeds    =");
  expect_error(g, {"[grid] seeds", "empty"});
  g = base_grid();
  g.replace(g.find("seeds    = 1 2"), 14, "seeds    = 1 1");
  expect_error(g, {"[grid] seeds", "'1' is listed twice"});
  g = base_grid();
  g.replace(g.find("students = cnn2\n"), 16, "");
  expect_error(g, {"[grid] students", "missing"});
  g = base_grid();
  g.replace(g.find("seeds    = 1 2"), 14, "seeds    = -1");
  expect_error(g, {"[grid] seeds", "out of range"});
}

TEST(ParseGrid, TeachersOnlyRequiredWhenAMethodUsesOne) {
  std::string g = base_grid();
  g.replace(g.find("teachers = cnn4 cnn8\n"), 21, "");
  expect_error(g, {"[grid] teachers", "missing"});
  g.replace(g.find("nokd kd"), 7, "nokd");
  EXPECT_TRUE(parse(g).teachers.empty());
}

TEST(ParseGrid, MissingDataFilesAndGridFile) {
  try {
    parse_grid_text(base_grid(), "g.ini", ParseOptions{true});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("[grid] data_dir"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent-is-fine-without-file-checks"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_grid_file("/nonexistent/grid.ini"), ConfigError);
}

TEST(ParseGrid, RealFashionMnistFilesPass) {
  std::string g = base_grid();
  g.replace(g.find("/nonexistent-is-fine-without-file-checks"), 40,
            "/usr/share/datasets/fashion-mnist");
  EXPECT_NO_THROW(parse_grid_text(g, "g.ini", ParseOptions{true}));
}

TEST(ParseGrid, ShippedGridsValidate) {
  for (const auto& entry : std::filesystem::directory_iterator(KDBENCH_SOURCE_DIR "/suite/grids")) {
    if (entry.path().extension() != ".ini") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(parse_grid_file(entry.path().string(), ParseOptions{false}));
  }
}
