// gang_size: ranks per task by role ([train]/[teacher]/[student]) and per model ([gang_size]),
// checked like every other key, and never part of a task's key.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_gangs(const std::string& text) {
  return parse_grid_text(text, "g.ini", ParseOptions{false});
}

std::string gang_grid(const std::string& teacher_line, const std::string& extra) {
  std::string g = base_grid();
  g.insert(g.find("[teacher]\n") + 10, teacher_line);
  return g + extra;
}

std::string error_of(const std::string& text) {
  try {
    parse_gangs(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(GangSize, DefaultsToOneRankPerTask) {
  const auto g = parse_gangs(base_grid());
  EXPECT_EQ(g.teacher_gang_size, 1);
  EXPECT_EQ(g.student_gang_size, 1);
  for (const auto& t : expand(g).tasks) EXPECT_EQ(t.gang_size, 1) << t.label();
}

TEST(GangSize, RoleSizesAndPerModelOverrides) {
  const auto g = parse_gangs(gang_grid("gang_size = 2\n",
                                       "[student]\ngang_size = 3\n"
                                       "[gang_size]\ncnn8 = 4\n"));
  EXPECT_EQ(g.teacher_gang_size, 2);
  EXPECT_EQ(g.student_gang_size, 3);
  EXPECT_EQ(g.model_gang_size, (std::map<std::string, int>{{"cnn8", 4}}));
  int teachers = 0;
  for (const auto& t : expand(g).tasks) {
    if (t.kind == "teacher") {
      ++teachers;
      EXPECT_EQ(t.gang_size, t.model == "cnn8" ? 4 : 2) << t.label();
    } else {
      EXPECT_EQ(t.gang_size, 3) << t.label();
    }
  }
  EXPECT_EQ(teachers, 4);  // 2 models x 2 seeds
  // [train] gang_size is the default of both roles.
  const auto both = parse_gangs(base_grid() + "[student]\n" + "gang_size = 1\n");
  EXPECT_EQ(both.student_gang_size, 1);
  std::string train_gang = base_grid();
  train_gang.insert(train_gang.find("[train]\n") + 8, "gang_size = 2\n");
  const auto t = parse_gangs(train_gang);
  EXPECT_EQ(t.teacher_gang_size, 2);
  EXPECT_EQ(t.student_gang_size, 2);
}

TEST(GangSize, IsNotPartOfAnyTaskKey) {
  const auto plain = expand(parse_gangs(base_grid()));
  const auto gangs = expand(parse_gangs(gang_grid("gang_size = 3\n",
                                                  "[student]\ngang_size = 2\n"
                                                  "[gang_size]\ncnn4 = 5\n")));
  ASSERT_EQ(plain.tasks.size(), gangs.tasks.size());
  for (size_t i = 0; i < plain.tasks.size(); ++i) {
    EXPECT_EQ(plain.tasks[i].key, gangs.tasks[i].key) << plain.tasks[i].label();
    EXPECT_NE(gangs.tasks[i].gang_size, 1);
  }
}

TEST(GangSize, BadValuesNameFileKeyAndValue) {
  EXPECT_EQ(error_of(gang_grid("gang_size = 0\n", "")),
            "g.ini: [teacher] gang_size: 0 is out of range [1, 1048576]");
  EXPECT_EQ(
      error_of(base_grid() + "[student]\ngang_size = two\n").rfind("g.ini: [student] gang_size", 0),
      0u);
  EXPECT_EQ(error_of(base_grid() + "[gang_size]\ncnn8 = -1\n"),
            "g.ini: [gang_size] cnn8: -1 is out of range [1, 1048576]");
  EXPECT_NE(error_of(base_grid() + "[gang_size]\nresnet9000 = 2\n")
                .find("g.ini: [gang_size]: unknown model 'resnet9000'"),
            std::string::npos);
  EXPECT_EQ(error_of(base_grid() + "[gang_size]\ncnn8 = 2\ncnn8 = 3\n"),
            "g.ini: [gang_size] cnn8 is given twice");
}
