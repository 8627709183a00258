#pragma once
// CSV rendering (RFC 4180): tidy tables, one observation per line, for pandas/R users. The same
// numbers as the LaTeX/Markdown tables, unrounded to 4 decimals, with the statistics behind the
// markers. Accuracies in percent; empty fields where a value does not exist (no finished run,
// unknown parameter count, test not computed, no published number).
#include <string>
#include <vector>

#include "kdbench/reports/aggregate.h"
#include "kdbench/reports/capacity_gap.h"
#include "kdbench/reports/checkpoint_search.h"
#include "kdbench/reports/method_summary.h"
#include "kdbench/reports/takd_paths.h"

namespace kdbench::reports {

// Quotes a field when it holds a comma, a quote or a line break (quotes doubled).
std::string csv_field(const std::string& text);
std::string csv_line(const std::vector<std::string>& fields);  // ends with "\n"

// student, student_params, teacher, teacher_params, teacher_acc_mean, teacher_acc_std,
// teacher_acc_n, paper_teacher_acc, method, state, mean, std, n, failed, best, test, t, df,
// p_value, significant, paper_acc — one line per (student, teacher, method). Values are the
// study's score ×100 (aggregate.h task_metric); for another metric than accuracy the teacher
// columns are named after it (teacher_mcc_mean, teacher_f1_mean, ...); paper_* stay accuracies.
std::string capacity_gap_csv(const CapacityGapTable& table);

// teacher, teacher_params, checkpoint ("final" or the epoch), teacher_epoch, teacher_val_mean,
// teacher_val_std, teacher_test_mean, teacher_test_std, teacher_n, student, method, state, mean,
// std, n, failed, best — one line per (teacher, checkpoint, student, method).
std::string checkpoint_search_csv(const CheckpointSearchTable& table);

// path, position, model, role (teacher | assistant | student | direct_kd | nokd), state, mean,
// std, n, failed, best, test, p_value, significant, paper_acc — one line per model of a chain,
// then the student's kd and nokd lines (position = the student's).
std::string takd_paths_csv(const TakdPathsTable& table);

// student, method, mean_rank, ranked_teachers, mean_gain, gain_teachers, wins, significant,
// teachers — one line per (student, method).
std::string method_summary_csv(const MethodSummaryTable& table);

// One line per run of the results file (the data behind every table): key, kind, status,
// dataset, model, params, method, teacher (the chain's root, with its teacher_checkpoint: see
// StudyResults), chain (models joined by " > "), teacher_checkpoint,
// seed, best_val_acc, test_acc_at_best_val, final_test_acc, best_test_acc, best_epoch, epochs,
// wall_seconds, error (accuracies in %); for a study scored by another metric than accuracy also
// metric, best_val_metric, test_metric_at_best_val, final_test_metric, best_test_metric (×100).
std::string runs_csv(const StudyResults& study);

}  // namespace kdbench::reports
