#pragma once
// Published reference numbers that `kdbench report --paper` shows in brackets beside measured
// cells of the same setup: the built-in table (docs/methods.md §11) and the numbers a user brings
// in a CSV file (`--paper-numbers FILE`), for the papers whose tables kdbench does not quote (the
// GLUE tables of Annealing-KD, Pro-KD and Combined-KD; a paper that appears later). A number from
// the file wins over a built-in one of the same setup.
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
  double accuracy = 0;     // test accuracy, % (GLUE: dev accuracy, which kdbench tests on)
  std::string source;      // paper and table
  std::string origin;      // "FILE:LINE" of a number read from a file; "" for the built-in table
};

// The first line of a --paper-numbers file.
inline constexpr char kPaperNumbersHeader[] =
    "dataset,teacher,student,method,assistants,accuracy,source";

// Reads a --paper-numbers file: the header above, then one number per line (RFC 4180 fields:
// a field with a comma is double-quoted); blank lines and lines starting with '#' are skipped.
// ConfigError "FILE:LINE: ..." naming the field and what is allowed for a file that cannot be
// read, a wrong header, a wrong number of fields, an empty dataset/teacher/student/method/source,
// an accuracy that is not a number in [0, 100], assistants on a method other than takd, or a
// setup given twice.
std::vector<PaperNumber> read_paper_numbers(const std::string& path);

}  // namespace kdbench::reports
