#pragma once
// The TAKD `assistants = auto` rule (docs/methods.md §3, Mirzadeh et al.'s rule of thumb): among
// the candidates, the assistant is the one whose no-KD accuracy is closest to the mean of the
// teacher's and the student's accuracies. Validation accuracies, never test: the choice is part
// of training. Ties go to the larger candidate (listed first). A text task scored by another
// metric (MCC, F1, Pearson) compares that metric's validation values instead.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"

namespace kdbench::sched {

struct AssistantDecision {
  std::string chosen;
  double teacher_acc = 0, student_acc = 0, target = 0;     // values of `metric`
  std::vector<std::pair<std::string, double>> candidates;  // model, no-KD accuracy (or metric)
  std::string metric = "accuracy";                         // results' metric name
  nlohmann::json to_json() const;                          // recorded with the alternative's runs
  std::string summary() const;                             // one log line
};

AssistantDecision choose_assistant(double teacher_acc, double student_acc,
                                   const std::vector<std::pair<std::string, double>>& candidates);

// Validation accuracy (the run's metric, when it is not accuracy) of the teacher weights a student
// distils from: the epoch `checkpoint` of its curves, or its last epoch for -1 (final). Throws
// Error when the epoch is not recorded.
double distilled_teacher_accuracy(const results::RunRecord& teacher, int checkpoint);

// The rule applied to finished runs; `record` returns the DONE record of a key.
AssistantDecision decide(const grid::AssistantChoice& choice,
                         const std::function<results::RunRecord(const std::string&)>& record);

}  // namespace kdbench::sched
