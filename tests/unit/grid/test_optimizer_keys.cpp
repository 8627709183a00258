// [train]/[teacher]/[student] optimizer = adamw with adam_beta1/adam_beta2/adam_eps, the linear
// schedule's warmup_steps/warmup_ratio, and max_grad_norm: parsing, inheritance, one-line errors,
// and their place in task keys (only when not the default, so the keys of every grid written
// before the keys existed stay; test_expand_pinned pins such keys).
#include <gtest/gtest.h>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench;
using namespace kdbench::grid;

namespace {

GridSpec parse_with(const std::string& extra) {
  return parse_grid_text(base_grid() + extra, "g.ini", ParseOptions{false});
}

std::string error_of(const std::string& extra) {
  try {
    parse_with(extra);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << extra;
  return "";
}

std::vector<std::string> keys_of(const std::string& extra) {
  std::vector<std::string> keys;
  for (const auto& t : expand(parse_with(extra)).tasks) keys.push_back(t.key);
  return keys;
}

}  // namespace

TEST(OptimizerKeys, DefaultsAreSgdWithoutWarmupOrClipping) {
  const auto g = parse_with("");
  for (const auto* c : {&g.teacher, &g.student}) {
    EXPECT_EQ(c->optimizer, "sgd");
    EXPECT_EQ(c->adam_beta1, 0.9);
    EXPECT_EQ(c->adam_beta2, 0.999);
    EXPECT_EQ(c->adam_eps, 1e-8);
    EXPECT_EQ(c->max_grad_norm, 0);
    EXPECT_EQ(c->lr_schedule.warmup_steps, 0);
    EXPECT_EQ(c->lr_schedule.warmup_ratio, 0);
  }
}

TEST(OptimizerKeys, AdamwLinearWarmupAndClippingLayerLikeOtherRoleKeys) {
  const auto g = parse_with(
      "[student]\noptimizer = adamw\nadam_beta2 = 0.98\nadam_eps = 1e-6\nlr_schedule = linear\n"
      "warmup_ratio = 0.1\nmax_grad_norm = 1.0\n");
  EXPECT_EQ(g.student.optimizer, "adamw");
  EXPECT_EQ(g.student.adam_beta1, 0.9);
  EXPECT_EQ(g.student.adam_beta2, 0.98);
  EXPECT_EQ(g.student.adam_eps, 1e-6);
  EXPECT_EQ(g.student.lr_schedule.kind, "linear");
  EXPECT_EQ(g.student.lr_schedule.warmup_ratio, 0.1);
  EXPECT_EQ(g.student.max_grad_norm, 1.0);
  EXPECT_EQ(g.teacher.optimizer, "sgd");
  EXPECT_EQ(g.teacher.lr_schedule.kind, "step");
  // [train]'s warm-up reaches the roles with a linear schedule; a role's warmup_steps replaces an
  // inherited warmup_ratio, and a role's non-linear schedule drops the inherited warm-up.
  const auto h = parse_with(
      "[train]\nlr_schedule = linear\nwarmup_ratio = 0.06\n[student]\nwarmup_steps = 50\n"
      "[teacher]\nlr_schedule = cosine\n");
  EXPECT_EQ(h.student.lr_schedule.warmup_steps, 50);
  EXPECT_EQ(h.student.lr_schedule.warmup_ratio, 0);
  EXPECT_EQ(h.teacher.lr_schedule.kind, "cosine");
  EXPECT_EQ(h.teacher.lr_schedule.warmup_ratio, 0);
}

TEST(OptimizerKeys, BadValuesAreOneLineErrorsNamingFileSectionKeyAndValue) {
  const struct {
    std::string extra, expected;
  } cases[] = {
      {"[student]\noptimizer = adam\n",
       "g.ini: [student] optimizer: 'adam' is not allowed (allowed: sgd adamw)"},
      {"[teacher]\nadam_eps = -1e-8\n", "g.ini: [teacher] adam_eps: -1e-08 is out of range"},
      {"[teacher]\nadam_eps = 0\n", "g.ini: [teacher] adam_eps: 0 is out of range (0, 1]"},
      {"[train]\nadam_beta1 = 1\n", "g.ini: [train] adam_beta1: 1 is out of range [0, 1)"},
      {"[student]\nadam_beta2 = -0.5\n", "g.ini: [student] adam_beta2: -0.5 is out of range"},
      {"[student]\nlr_schedule = linear\nwarmup_steps = 10\nwarmup_ratio = 0.1\n",
       "g.ini: [student] warmup_steps and [student] warmup_ratio are both given; keep one"},
      {"[student]\nwarmup_steps = 10\n",
       "g.ini: [student] warmup_steps: a warm-up needs lr_schedule = linear (the student's "
       "schedule is 'step')"},
      {"[train]\nwarmup_ratio = 0.1\n[student]\nlr_schedule = linear\n",
       "g.ini: [train] warmup_ratio: a warm-up needs lr_schedule = linear (the teacher's schedule "
       "is 'step')"},
      {"[student]\nlr_schedule = linear\nwarmup_ratio = 1.5\n",
       "g.ini: [student] warmup_ratio: 1.5 is out of range [0, 1]"},
      {"[student]\nlr_schedule = linear\nwarmup_steps = -3\n",
       "g.ini: [student] warmup_steps: -3 is out of range"},
      {"[student]\nlr_schedule = linear 0.5\n", "g.ini: [student] lr_schedule: 'linear' takes no"},
      {"[student]\nmax_grad_norm = -1\n", "g.ini: [student] max_grad_norm: -1 is out of range"},
  };
  for (const auto& c : cases) {
    const std::string m = error_of(c.extra);
    EXPECT_EQ(m.rfind(c.expected, 0), 0U) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(OptimizerKeys, InTheTaskKeyOnlyWhenNotTheDefault) {
  const auto plain = keys_of("");
  EXPECT_EQ(keys_of("[train]\noptimizer = sgd\nmax_grad_norm = 0\nadam_eps = 1e-6\n"), plain)
      << "the defaults, and adam keys under sgd, leave every key as it was";
  EXPECT_EQ(keys_of("[train]\nlr_schedule = linear\nwarmup_steps = 0\n"),
            keys_of("[train]\nlr_schedule = linear\n"));
  // Each of them changes the results of every role it reaches, so every key.
  for (const std::string extra :
       {"optimizer = adamw\n", "max_grad_norm = 1\n", "lr_schedule = linear\n",
        "lr_schedule = linear\nwarmup_steps = 5\n", "lr_schedule = linear\nwarmup_ratio = 0.1\n"}) {
    const auto changed = keys_of("[train]\n" + extra);
    ASSERT_EQ(changed.size(), plain.size());
    size_t same = 0;
    for (size_t i = 0; i < plain.size(); ++i) same += changed[i] == plain[i];
    EXPECT_EQ(same, 0U) << extra;
  }
  EXPECT_NE(keys_of("[train]\noptimizer = adamw\n"),
            keys_of("[train]\noptimizer = adamw\nadam_beta1 = 0.8\n"));
  EXPECT_NE(keys_of("[train]\nlr_schedule = linear\nwarmup_steps = 5\n"),
            keys_of("[train]\nlr_schedule = linear\nwarmup_steps = 6\n"));
}
