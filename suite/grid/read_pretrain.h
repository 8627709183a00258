#pragma once
// [pretrain] of a grid file (docs/text.md, "Pretraining in the grid"): its keys into
// GridSpec::pretrain, with the checks that need the rest of the grid (a text dataset, models of
// the grid, no `init = DIR` for a pretrained role, one rank per pretraining task). Every error is
// a one-line ConfigError naming the file, [pretrain], the key, the value and what is allowed.
#include <map>
#include <string>
#include <vector>

#include "ini_values.h"
#include "kdbench/grid/grid_spec.h"

namespace kdbench::grid {

// The keys [pretrain] takes.
const std::vector<std::string>& pretrain_keys();

// Reads [pretrain] (nothing when the grid has no such section) into g.pretrain; g's other fields
// are read and validated already.
void read_pretrain(GridSpec& g, const IniValues& v,
                   const std::map<std::string, std::string>& entries);

// The corpus directories' files (train.tsv, dev.tsv), checked when the data files are checked:
// ConfigError naming the directory and the command that writes it.
void check_pretrain_corpus(const GridSpec& g);

}  // namespace kdbench::grid
