#pragma once
// Published reference numbers (docs/methods.md §11), shown beside measured cells by `kdbench report
// --paper` when the study replicates the setup (same dataset, teacher and student). The numbers
// are the papers' best-epoch test accuracies, so the captions say so.
#include <optional>
#include <string>
#include <vector>

namespace kdbench::reports {

// The teacher (and TAKD path) of an entry whose paper does not name its teacher: the number stands
// beside every teacher of the (dataset, student) setup, and the captions say so.
inline constexpr char kUnnamedTeacher[] = "*";

struct PaperNumber {
  std::string dataset;  // kdbench dataset name (cifar10, cifar100, glue-sst2)
  std::string teacher;  // kdbench model names; kUnnamedTeacher where the paper names none
  std::string student;
  // A method name, or "teacher" for the teacher's own accuracy in this setup.
  std::string method;
  std::string assistants;  // TAKD: the paper's TA path ("resnet20"), "" otherwise
  double accuracy;         // test accuracy, % (GLUE: dev accuracy, which kdbench tests on)
  std::string source;      // paper and table
};

// The one table of reference numbers (reports/paper_numbers.cpp).
const std::vector<PaperNumber>& paper_numbers();

// The published accuracy for a (dataset, teacher, student, method) setup, if any. For takd,
// `assistants` must match the paper's TA path (space-separated models between T and S).
std::optional<double> paper_accuracy(const std::string& dataset, const std::string& teacher,
                                     const std::string& student, const std::string& method,
                                     const std::string& assistants = "");

// Whether the number paper_accuracy finds for this setup comes from a paper that does not name its
// teacher (the caption says so).
bool paper_teacher_unnamed(const std::string& dataset, const std::string& teacher,
                           const std::string& student, const std::string& method,
                           const std::string& assistants = "");

// Whether some paper reports this (dataset, teacher, student) setup.
bool replicates_paper_setup(const std::string& dataset, const std::string& teacher,
                            const std::string& student);

}  // namespace kdbench::reports
