// [train]/[teacher]/[student] precision = fp32 | bf16: parsing, errors, and its place in task
// keys (only when not fp32, so the keys of every grid written before the key existed stay).
#include <gtest/gtest.h>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_precision_grid(const std::string& text) {
  return parse_grid_text(text, "g.ini", ParseOptions{false});
}

std::string precision_error(const std::string& text) {
  try {
    parse_precision_grid(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return "";
}

}  // namespace

TEST(PrecisionKey, DefaultsToFp32AndLayersLikeOtherRoleKeys) {
  auto g = parse_precision_grid(base_grid());
  EXPECT_EQ(g.teacher.precision, "fp32");
  EXPECT_EQ(g.student.precision, "fp32");
  g = parse_precision_grid(base_grid() + "[student]\nprecision = bf16\n");
  EXPECT_EQ(g.teacher.precision, "fp32");
  EXPECT_EQ(g.student.precision, "bf16");
  std::string all = base_grid();
  all.insert(all.find("[train]\n") + 8, "precision = bf16\n");
  g = parse_precision_grid(all);
  EXPECT_EQ(g.teacher.precision, "bf16");
  EXPECT_EQ(g.student.precision, "bf16");
}

TEST(PrecisionKey, BadValueNamesFileKeyValueAndChoices) {
  for (const std::string bad : {"fp16", "BF16", "bfloat16"}) {
    const std::string m = precision_error(base_grid() + "[teacher]\nprecision = " + bad + "\n");
    EXPECT_NE(m.find("g.ini"), std::string::npos) << m;
    EXPECT_NE(m.find("[teacher] precision"), std::string::npos) << m;
    EXPECT_NE(m.find("'" + bad + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("fp32 bf16"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(PrecisionKey, InTheTaskKeyOnlyWhenNotFp32) {
  const auto plain = expand(parse_precision_grid(base_grid()));
  const auto explicit_fp32 =
      expand(parse_precision_grid(base_grid() + "[student]\nprecision = fp32\n"));
  const auto bf16 = expand(parse_precision_grid(base_grid() + "[student]\nprecision = bf16\n"));
  ASSERT_EQ(bf16.tasks.size(), plain.tasks.size());
  for (const auto& t : plain.tasks) {
    EXPECT_TRUE(explicit_fp32.contains(t.key)) << t.label();
    // bf16 students are other runs; their teachers are the same fp32 runs as before.
    EXPECT_EQ(bf16.contains(t.key), t.kind == "teacher") << t.label();
  }
}
