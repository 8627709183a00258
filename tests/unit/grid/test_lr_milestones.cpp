// [train]/[teacher]/[student] lr_milestones: explicit epochs of a step schedule (PyTorch's
// MultiStepLR), their layering with lr_schedule, their errors and their place in task keys.
#include <gtest/gtest.h>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse(const std::string& text) {
  return parse_grid_text(text, "g.ini", ParseOptions{false});
}

// base_grid() ([train] epochs = 3, [teacher] epochs = 4) with lines after a section header.
std::string with(const std::string& section_line, const std::string& extra) {
  std::string g = base_grid();
  const auto pos = g.find(section_line);
  return g.insert(pos + section_line.size() + 1, extra + "\n");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  const std::string msg = error_of(text);
  for (const auto& f : fragments)
    EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "error must be one line: " << msg;
}

}  // namespace

TEST(LrMilestones, TrainSectionReachesBothRolesInsteadOfTheDefaultFractions) {
  const auto g = parse(with("[train]", "lr_milestones = 1 2\nlr_gamma = 0.2"));
  for (const TrainConfig* c : {&g.teacher, &g.student}) {
    EXPECT_EQ(c->lr_schedule.kind, "step");
    EXPECT_TRUE(c->lr_schedule.milestones.empty());  // the default 0.5 0.75 gave way silently
    EXPECT_EQ(c->lr_schedule.milestone_epochs, (std::vector<int>{1, 2}));
    EXPECT_DOUBLE_EQ(c->lr_schedule.gamma, 0.2);
  }
  EXPECT_TRUE(parse(base_grid()).student.lr_schedule.milestone_epochs.empty());
}

TEST(LrMilestones, RolesOverrideWhatTheyInherit) {
  // A role's lr_milestones replace inherited fractions or cosine ...
  auto g = parse(with("[train]", "lr_schedule = cosine") + "[student]\nlr_milestones = 2\n");
  EXPECT_EQ(g.teacher.lr_schedule.kind, "cosine");
  EXPECT_EQ(g.student.lr_schedule.kind, "step");
  EXPECT_EQ(g.student.lr_schedule.milestone_epochs, (std::vector<int>{2}));
  g = parse(with("[train]", "lr_schedule = step 0.3") + "[student]\nlr_milestones = 3\n");
  EXPECT_EQ(g.teacher.lr_schedule.milestones, (std::vector<double>{0.3}));
  EXPECT_TRUE(g.student.lr_schedule.milestones.empty());
  EXPECT_EQ(g.student.lr_schedule.milestone_epochs, (std::vector<int>{3}));
  // ... and a role's lr_schedule replaces inherited milestones.
  g = parse(with("[train]", "lr_milestones = 1 2") + "[student]\nlr_schedule = step 0.5\n");
  EXPECT_EQ(g.teacher.lr_schedule.milestone_epochs, (std::vector<int>{1, 2}));
  EXPECT_TRUE(g.student.lr_schedule.milestone_epochs.empty());
  EXPECT_EQ(g.student.lr_schedule.milestones, (std::vector<double>{0.5}));
  g = parse(with("[train]", "lr_milestones = 1 2") + "[student]\nlr_schedule = constant\n");
  EXPECT_EQ(g.student.lr_schedule.kind, "constant");
  EXPECT_TRUE(g.student.lr_schedule.milestone_epochs.empty());
}

TEST(LrMilestones, BadValues) {
  expect_error(with("[train]", "lr_milestones = 1.5"),
               {"g.ini: [train] lr_milestones", "'1.5' is not an integer"});
  expect_error(with("[train]", "lr_milestones = two"),
               {"[train] lr_milestones", "'two' is not an integer"});
  expect_error(with("[train]", "lr_milestones = 0 2"),
               {"[train] lr_milestones", "0 is not an epoch", "1-based"});
  expect_error(base_grid() + "[student]\nlr_milestones = -1\n",
               {"[student] lr_milestones", "-1 is not an epoch"});
  expect_error(with("[train]", "lr_milestones = 2 1"),
               {"[train] lr_milestones", "1 does not come after 2", "strictly increasing"});
  expect_error(with("[train]", "lr_milestones = 2 2"),
               {"[train] lr_milestones", "2 does not come after 2"});
  expect_error(with("[train]", "lr_milestones ="), {"[train] lr_milestones", "empty value"});
}

TEST(LrMilestones, MustLieWithinTheRolesEpochs) {
  // [teacher] epochs = 4, [train] epochs = 3 (the student's).
  expect_error(
      with("[train]", "lr_milestones = 1 4"),
      {"g.ini: [train] lr_milestones", "4 is after the student's last epoch (epochs = 3)"});
  expect_error(with("[train]", "lr_milestones = 5"),
               {"[train] lr_milestones", "5 is after the teacher's last epoch (epochs = 4)"});
  expect_error(with("[teacher]", "lr_milestones = 2 9"),
               {"[teacher] lr_milestones", "9 is after the teacher's last epoch (epochs = 4)"});
  // The last epoch itself is allowed (the decay would follow it), as in MultiStepLR.
  EXPECT_EQ(parse(with("[teacher]", "lr_milestones = 4")).teacher.lr_schedule.milestone_epochs,
            (std::vector<int>{4}));
  // [train] milestones beyond [train] epochs are fine when each role trains that long.
  std::string longer = with("[train]", "lr_milestones = 5") + "[student]\nepochs = 5\n";
  longer.replace(longer.find("epochs = 4"), 10, "epochs = 6");
  EXPECT_EQ(parse(longer).student.lr_schedule.milestone_epochs, (std::vector<int>{5}));
}

TEST(LrMilestones, OneSectionTakesFractionsOrEpochsNotBoth) {
  for (const std::string sched : {"step 0.5 0.75", "cosine", "constant"})
    expect_error(
        with("[train]", "lr_schedule = " + sched + "\nlr_milestones = 1 2"),
        {"g.ini: [train] lr_milestones and [train] lr_schedule are both given", "keep one"});
  expect_error(with("[teacher]", "lr_milestones = 2\nlr_schedule = cosine"),
               {"[teacher] lr_milestones and [teacher] lr_schedule"});
}

TEST(LrMilestones, InTheTaskKeyOnlyWhenUsed) {
  const auto plain = expand(parse(base_grid()));
  // Student milestones change student keys only: the teachers are trained as before.
  const auto student_ms = expand(parse(base_grid() + "[student]\nlr_milestones = 1 2\n"));
  ASSERT_EQ(student_ms.tasks.size(), plain.tasks.size());
  for (size_t i = 0; i < plain.tasks.size(); ++i) {
    const Task& t = plain.tasks[i];
    EXPECT_EQ(student_ms.contains(t.key), t.kind == "teacher") << t.label();
  }
  // Epochs 1 2 are not the fractions they equal over 3 epochs: another schedule, another key.
  const auto fractions = expand(parse(base_grid() + "[student]\nlr_schedule = step 0.34 0.67\n"));
  for (const auto& t : student_ms.tasks)
    if (t.kind == "student") {
      EXPECT_FALSE(fractions.contains(t.key)) << t.label();
    }
  // Other milestones, other keys; the same milestones, the same keys.
  const auto other = expand(parse(base_grid() + "[student]\nlr_milestones = 1 3\n"));
  const auto again = expand(
      parse(with("[train]", "lr_milestones = 1 2") + "[teacher]\nlr_schedule = step 0.5 0.75\n"));
  for (const auto& t : student_ms.tasks) {
    if (t.kind != "student") continue;
    EXPECT_FALSE(other.contains(t.key)) << t.label();
    EXPECT_TRUE(again.contains(t.key)) << t.label();
  }
}
