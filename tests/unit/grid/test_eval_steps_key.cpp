// eval_steps = N in [train]/[teacher]/[student]: evaluation every N optimizer steps besides epoch
// ends. Parsing, inheritance, one-line errors, and its place in task keys: only when > 0, so the
// keys of every grid written before the key existed stay (test_expand_pinned pins such keys).
#include <gtest/gtest.h>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_eval_steps(const std::string& extra) {
  return parse_grid_text(base_grid() + extra, "g.ini", ParseOptions{false});
}

std::string eval_steps_error(const std::string& extra) {
  try {
    parse_eval_steps(extra);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << extra;
  return "";
}

// Task keys by kind ("teacher" / "student"), in expansion order.
std::vector<std::string> keys_of_kind(const std::string& extra, const std::string& kind) {
  std::vector<std::string> keys;
  for (const auto& t : expand(parse_eval_steps(extra)).tasks)
    if (t.kind == kind) keys.push_back(t.key);
  return keys;
}

}  // namespace

TEST(EvalStepsKey, DefaultIsEpochEndsOnly) {
  const GridSpec g = parse_eval_steps("");
  EXPECT_EQ(g.teacher.eval_steps, 0);
  EXPECT_EQ(g.student.eval_steps, 0);
}

TEST(EvalStepsKey, TrainIsInheritedAndRolesOverride) {
  // base_grid's [teacher] section comes last: the role overrides are appended after it.
  const GridSpec inherited = parse_eval_steps("[train]\neval_steps = 25\n");
  EXPECT_EQ(inherited.teacher.eval_steps, 25);
  EXPECT_EQ(inherited.student.eval_steps, 25);
  const GridSpec g = parse_eval_steps("[train]\neval_steps = 25\n[student]\neval_steps = 0\n");
  EXPECT_EQ(g.teacher.eval_steps, 25);
  EXPECT_EQ(g.student.eval_steps, 0);
  const GridSpec only_student = parse_eval_steps("[student]\neval_steps = 7\n");
  EXPECT_EQ(only_student.teacher.eval_steps, 0);
  EXPECT_EQ(only_student.student.eval_steps, 7);
  const GridSpec big = parse_eval_steps("[train]\neval_steps = 1000000000\n");
  EXPECT_EQ(big.student.eval_steps, 1000000000);
}

TEST(EvalStepsKey, BadValuesAreOneLineNamingFileAndKey) {
  const struct {
    std::string extra, expected;
  } cases[] = {
      {"[train]\neval_steps = -1\n",
       "g.ini: [train] eval_steps: -1 is out of range [0, 1000000000]"},
      {"[student]\neval_steps = 2.5\n", "g.ini: [student] eval_steps: '2.5' is not an integer"},
      {"[teacher]\neval_steps = often\n", "g.ini: [teacher] eval_steps: 'often' is not an integer"},
      {"[train]\neval_steps = 1000000001\n",
       "g.ini: [train] eval_steps: 1000000001 is out of range [0, 1000000000]"},
      {"[train]\neval_steps =\n", "g.ini: [train] eval_steps: '' is not an integer"},
  };
  for (const auto& c : cases) {
    const std::string m = eval_steps_error(c.extra);
    EXPECT_EQ(m.rfind(c.expected, 0), 0U) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(EvalStepsKey, InTheTaskKeyOnlyWhenAboveZero) {
  const auto teachers = keys_of_kind("", "teacher"), students = keys_of_kind("", "student");
  ASSERT_FALSE(teachers.empty());
  ASSERT_FALSE(students.empty());
  EXPECT_EQ(keys_of_kind("[train]\neval_steps = 0\n", "teacher"), teachers);
  EXPECT_EQ(keys_of_kind("[train]\neval_steps = 0\n", "student"), students);
  // Another selection point: other tasks, for every role it reaches.
  const auto every = [&](const std::vector<std::string>& changed,
                         const std::vector<std::string>& plain) {
    EXPECT_EQ(changed.size(), plain.size());
    for (size_t i = 0; i < std::min(changed.size(), plain.size()); ++i)
      EXPECT_NE(changed[i], plain[i]) << i;
  };
  every(keys_of_kind("[student]\neval_steps = 4\n", "student"), students);
  EXPECT_EQ(keys_of_kind("[student]\neval_steps = 4\n", "teacher"), teachers);
  every(keys_of_kind("[train]\neval_steps = 4\n", "teacher"), teachers);
  const auto five = keys_of_kind("[student]\neval_steps = 5\n", "student");
  every(five, keys_of_kind("[student]\neval_steps = 4\n", "student"));
}
