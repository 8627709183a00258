// train::task_record against the field list: it sets exactly the fields flagged kTask, so a field
// added to the list as derived from the task cannot be forgotten there (and the coordinator's
// RUNNING/FAILED records, which start from task_record, carry it too).
#include <gtest/gtest.h>

#include "field_values.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record_fields.h"
#include "kdbench/train/trainer.h"

using namespace kdbench;
using namespace kdbench::results;

namespace {

// Every member of Task that task_record reads, away from its default.
grid::Task full_task() {
  grid::Task t;
  t.key = "0123456789abcdef";
  t.kind = "student";
  t.model = "resnet8";
  t.method = "kd";
  t.method_params_resolved = {{"alpha", 0.9}, {"temperature", 4.0}};
  t.method_variant = "paper";
  t.seed = 7;
  t.teacher_key = "fedcba9876543210";
  t.teacher_model = "resnet20";
  t.teacher_checkpoint = 20;
  t.chain = {"resnet20", "resnet8"};
  t.params_count = 78042;
  t.macs_per_image = 1.25e7;
  return t;
}

}  // namespace

TEST(TaskRecord, SetsExactlyTheFieldsFlaggedTask) {
  const RunRecord r = train::task_record(full_task());
  const RunRecord defaults;
  int task_fields = 0;
  for_each_field([&](const auto& field) {
    SCOPED_TRACE(field.name);
    const bool set = !fixtures::same_value(field.of(r), field.of(defaults));
    EXPECT_EQ(set, field.has(kTask));
    task_fields += field.has(kTask) ? 1 : 0;
  });
  EXPECT_EQ(task_fields, 13);
}

TEST(TaskRecord, CopiesTheTaskValues) {
  const grid::Task t = full_task();
  const RunRecord r = train::task_record(t);
  EXPECT_EQ(r.key, t.key);
  EXPECT_EQ(r.kind, t.kind);
  EXPECT_EQ(r.model, t.model);
  EXPECT_EQ(r.method, t.method);
  EXPECT_EQ(r.method_params, t.method_params_resolved);
  EXPECT_EQ(r.method_variant, t.method_variant);
  EXPECT_EQ(r.teacher_key, t.teacher_key);
  EXPECT_EQ(r.teacher_model, t.teacher_model);
  EXPECT_EQ(r.teacher_checkpoint, t.teacher_checkpoint);
  EXPECT_EQ(r.chain, t.chain);
  EXPECT_EQ(r.seed, t.seed);
  EXPECT_EQ(r.params_count, t.params_count);
  EXPECT_EQ(r.flops, 2 * t.macs_per_image);  // multiply-accumulates count 2 operations
  EXPECT_EQ(r.status, Status::Pending);
}
