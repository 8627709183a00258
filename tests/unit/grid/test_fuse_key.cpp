// [grid] fuse: off (1) by default, an integer in [1, kMaxFuse] checked like every other key, and
// never part of a task's key (a fused run's result equals its solo run's).
#include <gtest/gtest.h>

#include <string>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_with_fuse(const std::string& line) {
  std::string g = base_grid();
  g.insert(g.find("[train]\n"), line);
  return parse_grid_text(g, "g.ini", ParseOptions{false});
}

std::string fuse_error(const std::string& line) {
  try {
    parse_with_fuse(line);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.exit_code(), 2);
    return e.what();
  }
  return "no ConfigError";
}

}  // namespace

TEST(FuseKey, OffByDefaultAndKWhenSaid) {
  EXPECT_EQ(parse_with_fuse("").fuse, 1);
  EXPECT_EQ(parse_with_fuse("fuse = 4\n").fuse, 4);
  EXPECT_EQ(parse_with_fuse("fuse = 64\n").fuse, kMaxFuse);
}

TEST(FuseKey, BadValuesNameFileKeyValueAndWhatIsAllowed) {
  for (const std::string value : {"0", "65", "-2"}) {
    const std::string what = fuse_error("fuse = " + value + "\n");
    EXPECT_NE(what.find("g.ini"), std::string::npos) << what;
    EXPECT_NE(what.find("[grid] fuse: " + value + " is out of range [1, 64]"), std::string::npos)
        << what;
  }
  const std::string what = fuse_error("fuse = four\n");
  EXPECT_NE(what.find("[grid] fuse"), std::string::npos) << what;
  EXPECT_NE(what.find("four"), std::string::npos) << what;
}

TEST(FuseKey, NotPartOfAnyTaskKey) {
  const TaskGraph off = expand(parse_with_fuse(""));
  const TaskGraph on = expand(parse_with_fuse("fuse = 8\n"));
  ASSERT_EQ(on.tasks.size(), off.tasks.size());
  for (size_t i = 0; i < on.tasks.size(); ++i) EXPECT_EQ(on.tasks[i].key, off.tasks[i].key);
}
