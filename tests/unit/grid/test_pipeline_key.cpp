// [grid] pipeline: on by default, a boolean checked like every other key, and never part of a
// task's key (a pipelined grid and the same grid without pipelining share every result).
#include <gtest/gtest.h>

#include <string>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_with_pipeline(const std::string& line) {
  std::string g = base_grid();
  g.insert(g.find("[train]\n"), line);
  return parse_grid_text(g, "g.ini", ParseOptions{false});
}

}  // namespace

TEST(PipelineKey, OnByDefaultAndOffWhenSaid) {
  EXPECT_TRUE(parse_with_pipeline("").pipeline);
  EXPECT_TRUE(parse_with_pipeline("pipeline = true\n").pipeline);
  EXPECT_FALSE(parse_with_pipeline("pipeline = false\n").pipeline);
}

TEST(PipelineKey, BadValueNamesFileKeyValueAndWhatIsAllowed) {
  try {
    parse_with_pipeline("pipeline = sometimes\n");
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("g.ini"), std::string::npos) << what;
    EXPECT_NE(what.find("[grid] pipeline: 'sometimes' is not a boolean (allowed: true false"),
              std::string::npos)
        << what;
  }
}

TEST(PipelineKey, NotPartOfAnyTaskKey) {
  const TaskGraph on = expand(parse_with_pipeline("pipeline = true\n"));
  const TaskGraph off = expand(parse_with_pipeline("pipeline = false\n"));
  ASSERT_EQ(on.tasks.size(), off.tasks.size());
  for (size_t i = 0; i < on.tasks.size(); ++i) EXPECT_EQ(on.tasks[i].key, off.tasks[i].key);
}
