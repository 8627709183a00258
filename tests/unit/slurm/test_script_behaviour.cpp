// The generated script run by bash with stand-ins for srun, mpirun, scontrol and module on PATH
// (no Slurm needed): the arguments kdbench receives, the USR1/TERM forwarding, and when the job
// requeues itself. The stand-in launcher plays kdbench: it exits with $FAKE_RESULT, or with
// "stop" runs until a signal arrives and then exits 3 as kdbench does when interrupted.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "kdbench/slurm/sbatch_script.h"
#include "shell_run.h"

namespace kdbench::slurm {
namespace {

constexpr const char* kFakeLauncher = R"sh(#!/bin/bash
{ basename "$0"; printf '%s\n' "$@"; } > "$STUB_LOG.launch"
trap 'echo USR1 >> "$STUB_LOG.signals"; exit 3' USR1
trap 'echo TERM >> "$STUB_LOG.signals"; exit 3' TERM
if [ "$FAKE_RESULT" = stop ]; then
  touch "$STUB_LOG.started"
  for _ in $(seq 250); do sleep 0.02; done  # no signal within ~5 s: a failure, not a hang
  exit 99
fi
exit "$FAKE_RESULT"
)sh";

constexpr const char* kRecorder = R"sh(#!/bin/bash
printf '%s\n' "$@" >> "$STUB_LOG.$(basename "$0")"
exit "${FAKE_MODULE_RC:-0}"
)sh";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ScriptRun {
 public:
  explicit ScriptRun(const SlurmOptions& options) {
    std::ofstream(dir_.path() + "/job.sbatch") << make_sbatch_script(options);
    for (const char* name : {"srun", "mpirun"}) write_executable(name, kFakeLauncher);
    for (const char* name : {"scontrol", "module"}) write_executable(name, kRecorder);
  }

  // Runs the script with `env` (VAR=value ...) and optionally sends it `signal` once the step
  // is running; returns the script's exit code.
  int run(const std::string& env, const std::string& signal = "") {
    const std::string d = shell_quote(dir_.path());
    std::string command = "cd " + d + " && export PATH=" + d + "/bin:\"$PATH\" STUB_LOG=" + d +
                          "/log SLURM_JOB_ID=77 SLURM_CPUS_PER_TASK=2 SLURM_NTASKS=8 " + env +
                          " && { bash job.sbatch > stdout.txt 2> stderr.txt & pid=$!; ";
    if (!signal.empty())
      command +=
          "for i in $(seq 500); do [ -f log.started ] && break; sleep 0.01; done; "
          "kill -" +
          signal + " $pid; ";
    command += "wait $pid; }";
    return run_bash(command).exit_code;
  }

  std::string log(const std::string& name) const { return read_file(dir_.path() + "/log." + name); }
  std::string stderr_text() const { return read_file(dir_.path() + "/stderr.txt"); }

 private:
  void write_executable(const std::string& name, const char* text) {
    std::filesystem::create_directories(dir_.path() + "/bin");
    const std::string path = dir_.path() + "/bin/" + name;
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }

  TempDir dir_;
};

SlurmOptions options() {
  SlurmOptions o;
  o.grid_path = "my grids/it's \"a\" $(grid).ini";
  o.kdbench_path = "/opt/kd bench/kdbench";
  o.results_path = "out/study.h5";
  o.max_requeues = 5;
  return o;
}

TEST(SbatchBehaviour, PassesExactArgumentsAndExitsZeroWhenComplete) {
  ScriptRun job(options());
  EXPECT_EQ(job.run("FAKE_RESULT=0"), 0);
  EXPECT_EQ(job.log("launch"),
            "srun\n--mpi=pmix\n--cpus-per-task=2\n/opt/kd bench/kdbench\n"
            "my grids/it's \"a\" $(grid).ini\n--results\nout/study.h5\n");
  EXPECT_EQ(job.log("scontrol"), "");
  EXPECT_NE(job.stderr_text().find("grid complete"), std::string::npos) << job.stderr_text();
}

TEST(SbatchBehaviour, MpirunLauncherGetsTheSameProgram) {
  SlurmOptions o = options();
  o.mpi = "none";
  o.results_path = "";
  ScriptRun job(o);
  EXPECT_EQ(job.run("FAKE_RESULT=0"), 0);
  EXPECT_EQ(job.log("launch"),
            "mpirun\n-np\n8\n--bind-to\nnone\n/opt/kd bench/kdbench\n"
            "my grids/it's \"a\" $(grid).ini\n");
}

TEST(SbatchBehaviour, FailedTasksAndErrorsPassThroughWithoutRequeue) {
  ScriptRun job(options());
  EXPECT_EQ(job.run("FAKE_RESULT=1"), 1);
  EXPECT_EQ(job.run("FAKE_RESULT=2"), 2);
  EXPECT_EQ(job.run("FAKE_RESULT=3"), 3);  // interrupted, but not by the time-limit warning
  EXPECT_EQ(job.log("scontrol"), "");
}

TEST(SbatchBehaviour, Usr1IsForwardedAndTheJobRequeuesItself) {
  ScriptRun job(options());
  EXPECT_EQ(job.run("FAKE_RESULT=stop SLURM_RESTART_COUNT=4", "USR1"), 3);
  EXPECT_EQ(job.log("signals"), "USR1\n");
  EXPECT_EQ(job.log("scontrol"), "requeue\n77\n");
}

TEST(SbatchBehaviour, NoRequeueOnceMaxRequeuesIsReached) {
  ScriptRun job(options());
  EXPECT_EQ(job.run("FAKE_RESULT=stop SLURM_RESTART_COUNT=5", "USR1"), 3);
  EXPECT_EQ(job.log("signals"), "USR1\n");
  EXPECT_EQ(job.log("scontrol"), "");
  EXPECT_NE(job.stderr_text().find("max 5"), std::string::npos) << job.stderr_text();
}

TEST(SbatchBehaviour, TermIsForwardedAsUsr1ButNeverRequeues) {
  ScriptRun job(options());
  EXPECT_EQ(job.run("FAKE_RESULT=stop", "TERM"), 3);
  EXPECT_EQ(job.log("signals"), "USR1\n");
  EXPECT_EQ(job.log("scontrol"), "");
  EXPECT_NE(job.stderr_text().find("not requeued"), std::string::npos) << job.stderr_text();
}

TEST(SbatchBehaviour, ArrayTaskRunsItsShardIntoItsOwnFile) {
  SlurmOptions o = options();
  o.mode = "array";
  o.shards = 4;
  o.results_path = "out/it's a study.h5";
  ScriptRun job(o);
  EXPECT_EQ(job.run("FAKE_RESULT=0 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4"), 0);
  EXPECT_EQ(job.log("launch"),
            "srun\n--mpi=pmix\n--cpus-per-task=2\n/opt/kd bench/kdbench\n"
            "my grids/it's \"a\" $(grid).ini\n--shard\n2/4\n--results\n"
            "out/it's a study.shard2.h5\n");
}

TEST(SbatchBehaviour, ModulesAreLoadedFirstAndAFailureStopsTheJob) {
  SlurmOptions o = options();
  o.modules = "gcc/12 openmpi/4.1.4";
  ScriptRun loaded(o);
  EXPECT_EQ(loaded.run("FAKE_RESULT=0"), 0);
  EXPECT_EQ(loaded.log("module"), "load\ngcc/12\nopenmpi/4.1.4\n");

  ScriptRun failing(o);
  EXPECT_EQ(failing.run("FAKE_RESULT=0 FAKE_MODULE_RC=1"), 2);
  EXPECT_EQ(failing.log("launch"), "");  // kdbench never started
}

}  // namespace
}  // namespace kdbench::slurm
