// make_sbatch_script(): the #SBATCH lines and launch lines that mpi and array mode produce,
// shell_quote() checked against bash itself, and every generated script parses with `bash -n`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kdbench/core/errors.h"
#include "kdbench/slurm/sbatch_script.h"
#include "shell_run.h"

namespace kdbench::slurm {
namespace {

SlurmOptions mpi_options() {
  SlurmOptions o;
  o.grid_path = "grids/capacity-gap.ini";
  o.kdbench_path = "/opt/kdbench/bin/kdbench";
  o.results_path = "results/capacity-gap.h5";
  o.log_dir = "logs";
  o.nodes = 8;
  o.gpus_per_node = 4;
  o.cpus_per_task = 6;
  o.time = "1-12:00:00";
  o.partition = "gpu";
  o.account = "kd_lab";
  o.qos = "normal";
  o.mem = "256G";
  o.modules = "gcc/12 openmpi/4.1.4";
  o.signal_seconds = 300;
  return o;
}

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.compare(0, prefix.size(), prefix) == 0) out.push_back(line);
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ShellQuote, QuotesToTheExactValueInBash) {
  const std::vector<std::string> values = {
      "plain",       "with space", "it's",  "''", "\"double\"",       "$(id) `id` $HOME",
      "back\\slash", "two\nlines", "*?[a]", "",   " lead and trail ", "a'b\"c d"};
  for (const std::string& value : values) {
    const ShellResult r = run_bash("printf '%s' " + shell_quote(value));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, value) << "quoted as " << shell_quote(value);
  }
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(SbatchScript, MpiModeHasEverySbatchLine) {
  const std::string script = make_sbatch_script(mpi_options());
  EXPECT_EQ(script.rfind("#!/bin/bash\n", 0), 0u);
  const std::vector<std::string> expected = {
      "#SBATCH --job-name=kdbench-capacity-gap",
      "#SBATCH --nodes=8",
      "#SBATCH --ntasks-per-node=4",
      "#SBATCH --gpus-per-node=4",
      "#SBATCH --cpus-per-task=6",
      "#SBATCH --time=1-12:00:00",
      "#SBATCH --partition=gpu",
      "#SBATCH --account=kd_lab",
      "#SBATCH --qos=normal",
      "#SBATCH --mem=256G",
      "#SBATCH --requeue",
      "#SBATCH --open-mode=append",
      "#SBATCH --signal=B:USR1@300",
      "#SBATCH --output=logs/kdbench-capacity-gap-%j.out",
  };
  EXPECT_EQ(lines_starting_with(script, "#SBATCH"), expected);
  // sbatch stops reading directives at the first command: all of them must come before it.
  const size_t first_command = script.find("\nset -uo pipefail");
  EXPECT_LT(script.rfind("#SBATCH"), first_command);
}

TEST(SbatchScript, MpiModeLaunchesThroughSrunPmix) {
  const std::string script = make_sbatch_script(mpi_options());
  EXPECT_TRUE(has(script, "\nKDBENCH='/opt/kdbench/bin/kdbench'\n")) << script;
  EXPECT_TRUE(has(script, "\nGRID='grids/capacity-gap.ini'\n")) << script;
  EXPECT_TRUE(has(script, "\nMAX_REQUEUES=5\n")) << script;
  EXPECT_TRUE(has(script, "\nmodule load 'gcc/12' 'openmpi/4.1.4' ||")) << script;
  EXPECT_TRUE(has(script,
                  "\nsrun --mpi=pmix --cpus-per-task=\"$SLURM_CPUS_PER_TASK\" "
                  "\"$KDBENCH\" \"$GRID\" --device cuda --results 'results/capacity-gap.h5' &\n"))
      << script;
  EXPECT_TRUE(has(script, "scontrol requeue \"$SLURM_JOB_ID\"")) << script;
  EXPECT_TRUE(has(script, "trap 'forward_stop USR1' USR1")) << script;
  EXPECT_TRUE(has(script, "trap 'forward_stop TERM' TERM")) << script;
  EXPECT_TRUE(lines_starting_with(script, "mpirun").empty()) << script;
  EXPECT_FALSE(has(script, "--array")) << script;
}

TEST(SbatchScript, MpiNoneLaunchesThroughMpirunAndOmitsUnsetOptions) {
  SlurmOptions o;
  o.grid_path = "study.ini";
  o.kdbench_path = "/usr/local/bin/kdbench";
  o.mpi = "none";
  o.max_requeues = 2;
  const std::string script = make_sbatch_script(o);
  const std::vector<std::string> expected = {"#SBATCH --job-name=kdbench-study",
                                             "#SBATCH --nodes=1",
                                             "#SBATCH --ntasks-per-node=1",
                                             "#SBATCH --cpus-per-task=1",
                                             "#SBATCH --requeue",
                                             "#SBATCH --open-mode=append",
                                             "#SBATCH --signal=B:USR1@120",
                                             "#SBATCH --output=slurm-logs/kdbench-study-%j.out"};
  EXPECT_EQ(lines_starting_with(script, "#SBATCH"), expected);
  EXPECT_TRUE(has(script,
                  "\nmpirun -np \"$SLURM_NTASKS\" --bind-to none \"$KDBENCH\" "
                  "\"$GRID\" &\n"))
      << script;
  EXPECT_TRUE(has(script, "\nMAX_REQUEUES=2\n")) << script;
  EXPECT_TRUE(lines_starting_with(script, "srun").empty()) << script;
  EXPECT_FALSE(has(script, "module load")) << script;
}

TEST(SbatchScript, ExplicitTasksPerNodeAndJobNameWin) {
  SlurmOptions o = mpi_options();
  o.tasks_per_node = 2;
  o.job_name = "fmnist-run3";
  const std::string script = make_sbatch_script(o);
  EXPECT_TRUE(has(script, "\n#SBATCH --ntasks-per-node=2\n")) << script;
  EXPECT_TRUE(has(script, "\n#SBATCH --job-name=fmnist-run3\n")) << script;
  EXPECT_TRUE(has(script, "\n#SBATCH --output=logs/fmnist-run3-%j.out\n")) << script;
}

TEST(SbatchScript, RanksPerGpuSharesEachGpuAmongRRanks) {
  SlurmOptions o = mpi_options();  // 4 GPUs per node
  o.ranks_per_gpu = 3;
  const std::string script = make_sbatch_script(o);
  EXPECT_TRUE(has(script, "\n#SBATCH --ntasks-per-node=12\n")) << script;
  EXPECT_TRUE(has(script, "\n#SBATCH --gpus-per-node=4\n")) << script;
  EXPECT_TRUE(has(script,
                  "\"$KDBENCH\" \"$GRID\" --device cuda --ranks-per-gpu 3 --results "
                  "'results/capacity-gap.h5' &\n"))
      << script;
  EXPECT_EQ(ranks_per_node(o), 12);
}

TEST(SbatchScript, DeviceFollowsTheGpuRequest) {
  SlurmOptions o = mpi_options();
  o.device = "auto";
  EXPECT_TRUE(has(make_sbatch_script(o), "\"$GRID\" --device auto --results")) << o.device;
  o.gpus_per_node = 0;  // CPU-only job: no device flag, one rank per node
  o.device = "";
  const std::string cpu = make_sbatch_script(o);
  EXPECT_FALSE(has(cpu, "--device")) << cpu;
  EXPECT_FALSE(has(cpu, "--gpus-per-node")) << cpu;
  EXPECT_EQ(ranks_per_node(o), 1);
}

TEST(SbatchScript, ArrayModeRunsOneShardPerTask) {
  SlurmOptions o = mpi_options();
  o.mode = "array";
  o.shards = 16;
  o.nodes = 1;
  o.gpus_per_node = 1;
  o.results_path = "results/it's a study.h5";
  const std::string script = make_sbatch_script(o);
  const auto sbatch = lines_starting_with(script, "#SBATCH");
  ASSERT_FALSE(sbatch.empty());
  EXPECT_EQ(sbatch.back(), "#SBATCH --array=0-15");
  EXPECT_TRUE(has(script, "\n#SBATCH --output=logs/kdbench-capacity-gap-%A_%a.out\n")) << script;
  EXPECT_TRUE(has(script,
                  "\nsrun --mpi=pmix --cpus-per-task=\"$SLURM_CPUS_PER_TASK\" "
                  "\"$KDBENCH\" \"$GRID\" --device cuda --shard \"$SLURM_ARRAY_TASK_ID/"
                  "$SLURM_ARRAY_TASK_COUNT\" \\\n  --results 'results/it'\\''s a study'"
                  "\".shard$SLURM_ARRAY_TASK_ID.h5\" &\n"))
      << script;
}

TEST(SbatchScript, RefusesInvalidOptionsInsteadOfWritingAScript) {
  SlurmOptions o = mpi_options();
  o.partition = "x; rm -rf /";
  EXPECT_THROW(make_sbatch_script(o), ConfigError);
}

TEST(SbatchScript, EveryVariantPassesBashSyntaxCheck) {
  std::vector<SlurmOptions> variants;
  variants.push_back(mpi_options());
  SlurmOptions none = mpi_options();
  none.mpi = "none";
  none.modules = "";
  none.gpus_per_node = 0;
  variants.push_back(none);
  SlurmOptions array = mpi_options();
  array.mode = "array";
  array.shards = 3;
  array.grid_path = "my grids/it's \"quoted\" $(x).ini";
  variants.push_back(array);
  for (const SlurmOptions& o : variants) {
    TempDir dir;
    const std::string path = dir.path() + "/job.sbatch";
    std::ofstream(path) << make_sbatch_script(o);
    const ShellResult r = run_bash("bash -n " + shell_quote(path) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, "");
  }
}

// The script without its comments: what bash and sbatch act on (#SBATCH lines stay).
std::string without_comments(const std::string& script) {
  std::istringstream in(script);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    const size_t text = line.find_first_not_of(' ');
    if (text == std::string::npos) continue;
    if (line[text] == '#' && line.compare(text, 7, "#SBATCH") != 0) continue;
    const size_t trailing = line.find("  # ");  // `VAR='value'   # EDIT: ...`
    if (line[0] != '#' && trailing != std::string::npos)
      line.erase(line.find_last_not_of(' ', trailing) + 1);
    out += line + "\n";
  }
  return out;
}

std::string read_template(const std::string& name) {
  std::ifstream in(std::string(KDBENCH_SOURCE_DIR) + "/slurm/templates/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// slurm/templates/*.sbatch are the generator's output for these values plus comments; this
// keeps the hand-editable copies from drifting away from what `kdbench slurm` writes.
TEST(SbatchScript, HandEditableTemplatesMatchTheGenerator) {
  SlurmOptions o;
  o.grid_path = "grids/my-study.ini";
  o.kdbench_path = "/path/to/kdbench";
  o.nodes = 2;
  o.gpus_per_node = 4;
  o.cpus_per_task = 8;
  o.time = "1-00:00:00";
  o.partition = "gpu";
  o.account = "my_account";
  o.mem = "64G";
  o.modules = "gcc/12 openmpi/4.1";
  const std::string mpi = read_template("kdbench-mpi.sbatch");
  ASSERT_FALSE(mpi.empty());
  EXPECT_EQ(without_comments(mpi), without_comments(make_sbatch_script(o)));

  o.mode = "array";
  o.shards = 16;
  o.nodes = 1;
  o.gpus_per_node = 1;
  o.results_path = "results/my-study.h5";
  const std::string array = read_template("kdbench-array.sbatch");
  ASSERT_FALSE(array.empty());
  EXPECT_EQ(without_comments(array), without_comments(make_sbatch_script(o)));

  for (const char* name : {"kdbench-mpi.sbatch", "kdbench-array.sbatch"}) {
    const std::string path = std::string(KDBENCH_SOURCE_DIR) + "/slurm/templates/" + name;
    const ShellResult r = run_bash("bash -n " + shell_quote(path) + " 2>&1");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
  }
}

TEST(SbatchScript, HelpersDeriveNames) {
  EXPECT_EQ(default_job_name("/a/b/cifar 100.ini"), "kdbench-cifar_100");
  EXPECT_EQ(default_job_name("grid"), "kdbench-grid");
  EXPECT_EQ(default_job_name("dir/.ini"), "kdbench-.ini");
  EXPECT_EQ(results_stem("out/study.h5"), "out/study");
  EXPECT_EQ(results_stem("out/study.hdf5"), "out/study.hdf5");
}

}  // namespace
}  // namespace kdbench::slurm
