// [student] teacher_logits = fp32 | fp16 (how the teacher-logit cache stores a student's teacher
// logits): parsing, errors, and its place in task keys (only when fp16, so the keys of every grid
// written before the key existed stay; teachers, baselines and students whose teacher runs online
// never change).
#include <gtest/gtest.h>

#include <algorithm>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

// The base grid with unaugmented students (fp16 storage needs them) plus `student_extra`.
// Combined-KD perturbs its inputs: its teacher always runs online.
GridSpec parse_logits_grid(const std::string& student_extra, const std::string& more = "") {
  std::string text = base_grid();
  const std::string methods = "methods  = nokd kd";
  text.replace(text.find(methods), methods.size(), methods + " combined");
  return parse_grid_text(
      text + "[method.combined]\ntau_max = 2\n[student]\naugment = false\n" + student_extra + more,
      "g.ini", ParseOptions{false});
}

std::string logits_error(const std::string& student_extra, const std::string& more = "") {
  try {
    parse_logits_grid(student_extra, more);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << student_extra << more;
  return "";
}

}  // namespace

TEST(TeacherLogitsKey, DefaultsToFp32AndTakesFp16) {
  EXPECT_EQ(parse_logits_grid("").student.teacher_logits, "fp32");
  const auto g = parse_logits_grid("teacher_logits = fp16\n");
  EXPECT_EQ(g.student.teacher_logits, "fp16");
  EXPECT_EQ(g.teacher.teacher_logits, "fp32");
}

TEST(TeacherLogitsKey, BadValuesAndPlacesAreOneLineErrors) {
  std::string m = logits_error("teacher_logits = bf16\n");
  EXPECT_NE(m.find("[student] teacher_logits"), std::string::npos) << m;
  EXPECT_NE(m.find("'bf16'"), std::string::npos) << m;
  EXPECT_NE(m.find("fp32 fp16"), std::string::npos) << m;
  // A teacher has no teacher logits; [train] would hand the key to the teachers too.
  for (const std::string role : {"teacher", "train"}) {
    m = logits_error("", "[" + role + "]\nteacher_logits = fp16\n");
    EXPECT_NE(m.find("unknown key 'teacher_logits' in [" + role + "]"), std::string::npos) << m;
  }
  // Augmented batches never read the cache: fp16 would only rename the runs.
  try {
    parse_grid_text(base_grid() + "[student]\nteacher_logits = fp16\n", "g.ini",
                    ParseOptions{false});
    ADD_FAILURE() << "fp16 with augment = true (the default) must be refused";
  } catch (const ConfigError& e) {
    m = e.what();
  }
  EXPECT_NE(m.find("[student] teacher_logits: fp16 needs augment = false"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

TEST(TeacherLogitsKey, InTheStudentKeyOnlyWhenFp16) {
  const auto plain = expand(parse_logits_grid(""));
  const auto explicit_fp32 = expand(parse_logits_grid("teacher_logits = fp32\n"));
  const auto fp16 = expand(parse_logits_grid("teacher_logits = fp16\n"));
  ASSERT_EQ(fp16.tasks.size(), plain.tasks.size());
  ASSERT_GT(std::count_if(plain.tasks.begin(), plain.tasks.end(),
                          [](const Task& t) { return !t.teacher_key.empty(); }),
            0);
  for (const auto& t : plain.tasks) {
    EXPECT_TRUE(explicit_fp32.contains(t.key)) << t.label();
    // fp16 KD students are other runs; their teachers, the no-KD baselines and the students of
    // an online teacher are the same.
    EXPECT_EQ(fp16.contains(t.key), t.teacher_key.empty() || t.method == "combined") << t.label();
  }
}
