#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench::grid;

namespace {

TaskGraph graph_of(const std::string& text) {
  return expand(parse_grid_text(text, "g.ini", ParseOptions{false}));
}

size_t count(const TaskGraph& g, const std::string& kind, const std::string& method = "") {
  return static_cast<size_t>(std::count_if(g.tasks.begin(), g.tasks.end(), [&](const Task& t) {
    return t.kind == kind && (method.empty() || t.method == method);
  }));
}

// base_grid() with other teachers, students and methods.
std::string with_axes(const std::string& teachers, const std::string& students,
                      const std::string& methods) {
  std::string ini = base_grid();
  ini.replace(ini.find("teachers = cnn4 cnn8"), 20, "teachers = " + teachers);
  ini.replace(ini.find("students = cnn2"), 15, "students = " + students);
  ini.replace(ini.find("methods  = nokd kd"), 18, "methods  = " + methods);
  return ini;
}

}  // namespace

TEST(TaskGraph, ShapeOfTheDag) {
  const auto g = graph_of(base_grid());
  // 2 teachers x 2 teacher seeds; nokd: 1 student x 2 seeds (no teacher axis); kd: 2 teachers x 2
  // seeds.
  EXPECT_EQ(count(g, "teacher"), 4u);
  EXPECT_EQ(count(g, "student", "nokd"), 2u);
  EXPECT_EQ(count(g, "student", "kd"), 4u);
  EXPECT_EQ(g.tasks.size(), 10u);
  std::set<std::string> keys;
  for (const auto& t : g.tasks) {
    keys.insert(t.key);
    for (const auto& d : t.deps) {
      ASSERT_TRUE(g.contains(d));
      EXPECT_LT(g.index.at(d), g.index.at(t.key)) << "dependencies come first";
    }
  }
  EXPECT_EQ(keys.size(), g.tasks.size());
  for (const auto& t : g.tasks) {
    if (t.method == "kd") {
      ASSERT_EQ(t.deps.size(), 1u);
      const auto& teacher = g.at(t.deps[0]);
      EXPECT_EQ(teacher.kind, "teacher");
      EXPECT_EQ(teacher.model, t.teacher_model);
      EXPECT_EQ(teacher.seed, t.seed);  // seeds paired when teacher_seeds = seeds
      EXPECT_EQ(t.chain, (std::vector<std::string>{t.teacher_model, "cnn2"}));
      EXPECT_EQ(t.method_params_resolved.at("temperature"), 4.0);
    }
    if (t.kind == "teacher") {
      EXPECT_EQ(t.keep_checkpoints, (std::vector<int>{2}));
      EXPECT_EQ(t.total_epochs, 4);
      EXPECT_GT(t.params_count, 0);
      EXPECT_GT(t.cost, 0);
    }
  }
  // Teacher (cnn4, seed 1) serves only the kd student of seed 1 (seeds are paired).
  EXPECT_EQ(g.dependents(g.tasks[0].key).size(), 1u);
}

TEST(TaskGraph, KeysAreContentKeys) {
  const auto a = graph_of(base_grid());
  const auto b = graph_of(base_grid());
  for (size_t i = 0; i < a.tasks.size(); ++i) EXPECT_EQ(a.tasks[i].key, b.tasks[i].key);
  // One more seed keeps every existing key and adds the new tasks only.
  std::string more = base_grid();
  more.replace(more.find("seeds    = 1 2"), 14, "seeds    = 1 2 3");
  const auto c = graph_of(more);
  for (const auto& t : a.tasks) EXPECT_TRUE(c.contains(t.key)) << t.label();
  EXPECT_EQ(c.tasks.size(), a.tasks.size() + 2 /*teachers*/ + 1 /*nokd*/ + 2 /*kd*/);
  // A changed hyper-parameter changes the affected keys (students depend on teacher keys too).
  std::string lr = base_grid();
  lr.replace(lr.find("lr = 0.1"), 8, "lr = 0.2");
  const auto d = graph_of(lr);
  for (const auto& t : a.tasks) EXPECT_FALSE(d.contains(t.key)) << t.label();
  // eval_batch_size does not change results, so it does not change keys.
  const auto e = graph_of(base_grid() + "[student]\neval_batch_size = 17\n");
  for (const auto& t : a.tasks) EXPECT_TRUE(e.contains(t.key)) << t.label();
}

TEST(TaskGraph, SingleTeacherSeedIsShared) {
  const auto g = graph_of(base_grid() + "[grid]\nteacher_seeds = 7\n");
  EXPECT_EQ(count(g, "teacher"), 2u);
  for (const auto& t : g.tasks)
    if (t.method == "kd") {
      EXPECT_EQ(g.at(t.teacher_key).seed, 7);
    }
}

TEST(TaskGraph, CriticalPathPrefersTeachers) {
  const auto g = graph_of(base_grid());
  const auto cp = g.critical_paths();
  for (const auto& t : g.tasks) {
    EXPECT_GE(cp.at(t.key), t.cost);
    for (const auto& d : t.deps) EXPECT_GT(cp.at(d), cp.at(t.key));
  }
}

TEST(TaskGraph, TakdChainsShareAssistants) {
  const auto g = graph_of(
      with_axes("cnn8 cnn10", "cnn2 cnn4", "takd") +
      "[method.takd]\nassistants = cnn6 cnn4\nlinks = cnn10>cnn6:0.5:5 cnn6>cnn2:0.15:5\n");
  // Assistants are used when strictly between teacher and student in size (1x28x28 params: cnn2
  // 10k, cnn4 32k, cnn6 78k, cnn8 303k, cnn10 2.4M): cnn2 learns along 10 -> 6 -> 4 -> 2 and
  // 8 -> 6 -> 4 -> 2; cnn4 along 10 -> 6 -> 4 and 8 -> 6 -> 4.
  for (const auto& t : g.tasks) {
    if (t.kind != "student") continue;
    if (t.model == "cnn2" && t.chain.front() == "cnn10") {
      EXPECT_EQ(t.chain, (std::vector<std::string>{"cnn10", "cnn6", "cnn4", "cnn2"}));
    }
    if (t.model == "cnn4" && t.chain.front() == "cnn8") {
      EXPECT_EQ(t.chain, (std::vector<std::string>{"cnn8", "cnn6", "cnn4"}));
    }
    EXPECT_EQ(g.at(t.teacher_key).kind, t.chain.size() == 2 ? "teacher" : "assistant");
  }
  // The assistant cnn6 <- cnn10 is shared by the cnn2 and cnn4 students of the same seed: trained
  // once.
  size_t cnn6_from_cnn10 = 0;
  for (const auto& t : g.tasks)
    if (t.kind == "assistant" && t.model == "cnn6" && t.teacher_model == "cnn10") {
      ++cnn6_from_cnn10;
      EXPECT_EQ(t.method_params_resolved.at("lambda"), 0.5);  // link override cnn10>cnn6
      EXPECT_EQ(t.method_params_resolved.at("temperature"), 5.0);
      EXPECT_EQ(g.dependents(t.key).size(),
                2u);  // assistant cnn4 (for student cnn2) and student cnn4
    }
  EXPECT_EQ(cnn6_from_cnn10, 2u);  // one per seed
  for (const auto& t : g.tasks)
    if (t.kind == "student" && t.model == "cnn2" && t.teacher_model == "cnn6") {
      ADD_FAILURE() << "cnn4 was skipped";
    }
}

TEST(TaskGraph, TakdStructureErrors) {
  std::string ini = base_grid() + "[method.takd]\nassistants = vgg\n";
  EXPECT_THROW(graph_of(ini), kdbench::ConfigError);
  ini =
      base_grid() + "[method.takd]\nassistants = auto cnn4\n";  // auto picks one: no path around it
  EXPECT_THROW(graph_of(ini), kdbench::ConfigError);
  ini = base_grid() + "[method.takd]\nlinks = cnn8-cnn2\n";
  EXPECT_THROW(graph_of(ini), kdbench::ConfigError);
  ini = base_grid() + "[method.takd]\nlinks = cnn8>cnn2:2:5\n";  // lambda out of range
  EXPECT_THROW(graph_of(ini), kdbench::ConfigError);
}

// An explicit assistant is skipped for a pair it does not lie strictly between (a teacher sweep
// shares one list), but one that fits no pair at all contradicts the grid.
TEST(TaskGraph, TakdAssistantBetweenNoPairIsRefused) {
  const std::string axes = with_axes("cnn4 cnn8", "cnn2", "nokd takd");
  EXPECT_NO_THROW(graph_of(axes + "[method.takd]\nassistants = cnn4\n"));  // under cnn8 only
  try {
    graph_of(axes + "[method.takd]\nassistants = cnn4 cnn10\n");
    ADD_FAILURE() << "cnn10, larger than every teacher, was accepted";
  } catch (const kdbench::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("assistants: 'cnn10' ("), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is not strictly between any teacher and student"),
              std::string::npos)
        << e.what();
  }
}

TEST(TaskGraph, TakdAutoHoldsOneAlternativePerCandidate) {
  const auto g = graph_of(with_axes("cnn10 cnn8", "cnn2 cnn4", "nokd takd") +
                          "[method.takd]\nassistants = auto\n");
  // Sizes: cnn2 10k < cnn4 32k < cnn8 303k < cnn10 2.4M. Between cnn10 and cnn2 lie cnn8 (a
  // teacher) and cnn4 (a student): a choice per seed. cnn10 -> cnn4 and cnn8 -> cnn2 have one
  // candidate each (a fixed chain), cnn8 -> cnn4 none (direct).
  ASSERT_EQ(g.choices.size(), 2u);
  for (const auto& [id, choice] : g.choices) {
    ASSERT_EQ(choice.candidates.size(), 2u) << id;
    EXPECT_EQ(choice.candidates[0].model, "cnn8");  // largest first
    EXPECT_EQ(choice.candidates[1].model, "cnn4");
    EXPECT_EQ(g.at(choice.teacher_key).model, "cnn10");
    // The student's baseline and cnn4's are the grid's own nokd runs; cnn8 is no student, so its
    // no-KD run is a `baseline` task.
    EXPECT_EQ(g.at(choice.student_baseline_key).kind, "student");
    EXPECT_EQ(g.at(choice.student_baseline_key).method, "nokd");
    EXPECT_EQ(g.at(choice.candidates[1].baseline_key).kind, "student");
    EXPECT_EQ(g.at(choice.candidates[0].baseline_key).kind, "baseline");
  }
  EXPECT_EQ(count(g, "baseline"), 2u);  // cnn8 nokd, one per seed
  EXPECT_EQ(count(g, "student", "nokd"), 4u);
  size_t alternatives = 0;
  for (const auto& t : g.tasks) {
    if (t.alternative_of.empty()) continue;
    ++alternatives;
    const auto& choice = g.choices.at(t.alternative_of.front().choice_id);
    for (const auto& k : choice.decision_keys())
      EXPECT_NE(std::find(t.deps.begin(), t.deps.end(), k), t.deps.end())
          << t.label() << " does not wait for " << k;
    if (t.kind == "student") {
      EXPECT_EQ(t.chain,
                (std::vector<std::string>{"cnn10", t.alternative_of.front().candidate, "cnn2"}));
    }
  }
  // Per seed: assistant cnn4<-cnn10, student cnn2 via cnn8, student cnn2 via cnn4. The assistant
  // cnn8<-cnn10 is no alternative: student cnn4's fixed chain cnn10 -> cnn8 -> cnn4 needs it
  // anyway.
  EXPECT_EQ(alternatives, 6u);
  for (const auto& t : g.tasks)
    if (t.kind == "assistant" && t.model == "cnn8") {
      EXPECT_TRUE(t.alternative_of.empty());
      EXPECT_EQ(t.deps, (std::vector<std::string>{t.teacher_key}));  // waits for no decision
    }
  for (const auto& t : g.tasks)
    if (t.kind == "student" && t.method == "takd" && t.model == "cnn2" &&
        t.chain.front() == "cnn8") {
      EXPECT_EQ(t.chain, (std::vector<std::string>{"cnn8", "cnn4", "cnn2"}));
    }
  // Dependencies first, although the shared assistant gained dependencies on later baselines.
  for (size_t i = 0; i < g.tasks.size(); ++i) {
    EXPECT_EQ(g.index.at(g.tasks[i].key), i);
    for (const auto& d : g.tasks[i].deps) EXPECT_LT(g.index.at(d), i) << g.tasks[i].label();
  }
}

TEST(TaskGraph, CheckpointSearchAxis) {
  const auto g = graph_of(base_grid() + "[grid]\nteacher_checkpoints = 1 3 final\n");
  // kd: 2 teachers x 2 seeds x 3 checkpoints; nokd unaffected.
  EXPECT_EQ(count(g, "student", "kd"), 12u);
  EXPECT_EQ(count(g, "student", "nokd"), 2u);
  for (const auto& t : g.tasks) {
    if (t.kind == "teacher") {
      EXPECT_EQ(t.keep_checkpoints, (std::vector<int>{1, 2, 3}));
    }
  }
  std::set<int> seen;
  for (const auto& t : g.tasks)
    if (t.method == "kd") seen.insert(t.teacher_checkpoint);
  EXPECT_EQ(seen, (std::set<int>{-1, 1, 3}));
  EXPECT_THROW(graph_of(base_grid() + "[grid]\nteacher_checkpoints = 9\n"), kdbench::ConfigError);
}

TEST(TaskGraph, ProkdTeachersKeepTheirTrajectory) {
  std::string ini = base_grid();
  ini.replace(ini.find("methods  = nokd kd"), 18, "methods  = prokd");
  const auto g = graph_of(ini);
  for (const auto& t : g.tasks) {
    if (t.kind == "teacher") {
      EXPECT_EQ(t.keep_checkpoints,
                (std::vector<int>{2, 3}));  // 2 from [teacher]; prokd: ceil(e*4/3) = 2, 3
    }
  }
}
