#pragma once
// TAKD cells of the DAG (docs/methods.md §3): for one (student, teacher, checkpoint, seed) the
// chain teacher -> assistants... -> student, from the grid's explicit [method.takd] assistants or,
// with `assistants = auto`, one alternative per candidate assistant (see AssistantChoice).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "graph_builder.h"

namespace kdbench::grid {

class TakdExpansion {
 public:
  explicit TakdExpansion(GraphBuilder& builder) : builder_(builder), grid_(builder.grid()) {}

  // Adds the tasks of one student cell learning from `teacher_key` at `checkpoint`.
  void add_cell(const std::string& student, int64_t seed, const std::string& teacher_key,
                int checkpoint, const methods::ParamMap& params);
  // After every cell: ConfigError for an explicit assistant that fit between no teacher and
  // student pair (strictly smaller than the teacher, larger than the student), which would be
  // skipped everywhere, i.e. a contradiction in the grid rather than a sweep's unused entry.
  void check_every_assistant_fits() const;

 private:
  // The link's own parameters when [method.takd] links names up>down, else `fallback`.
  methods::ParamMap link_params(const std::string& up, const std::string& down,
                                const methods::ParamMap& fallback) const;
  // The grid's models strictly between `hi` and `lo` parameters, largest first.
  std::vector<std::string> auto_candidates(int64_t hi, int64_t lo);
  // The no-KD run the auto rule reads for `model`.
  std::string baseline(const std::string& model, int64_t seed);
  // One alternative (assistant + student) per candidate; the coordinator runs the chosen one.
  void add_choice(const std::string& student, int64_t seed, const std::string& teacher_key,
                  int checkpoint, const std::vector<std::string>& candidates,
                  const methods::ParamMap& params);

  GraphBuilder& builder_;
  const GridSpec& grid_;
  bool had_cells_ = false;
  std::set<std::string> fitting_assistants_;
};

}  // namespace kdbench::grid
