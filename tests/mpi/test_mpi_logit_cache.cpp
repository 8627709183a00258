// The teacher-logit cache between real ranks that share an artifacts directory: when every rank
// asks for the same logits at once (the students of one teacher starting together), one rank
// computes them and the others wait for its file and read it (results::BuildLock); all hold the
// same values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kdbench/results/artifacts.h"
#include "kdbench/train/gang_sync.h"
#include "kdbench/train/logit_cache.h"
#include "mpi_world.h"
#include "record_fixtures.h"

using namespace kdbench;
using mpi_test::world;

TEST(LogitCacheRanks, RanksAskingAtOnceComputeTheLogitsOnce) {
  auto& comm = world();
  // Rank 0's temporary directory, shared by every rank (removed with rank 0's TempDir).
  std::optional<fixtures::TempDir> tmp;
  if (comm.rank() == 0) tmp.emplace();
  std::string dir = tmp ? tmp->path().string() : "";
  comm.broadcast(dir, 0);
  const results::Artifacts artifacts(dir, /*fsync=*/false);
  train::LogitCacheId id;
  id.teacher_key = "teacher";
  id.checkpoint_seal = "seal";
  id.precision = "fp32";
  id.eval_batch = 4;
  id.samples = 6;
  id.classes = 3;
  id.data_fingerprint = "data";
  const torch::Tensor expected = torch::arange(18, torch::kFloat).reshape({6, 3});
  train::forget_cached_logits();
  const train::LogitCacheStats before = train::logit_cache_stats();

  comm.barrier();
  const torch::Tensor logits = train::teacher_logits_cached(artifacts, id, torch::kCPU, [&] {
    // Long enough for every other rank to ask while this one computes.
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return expected.clone();
  });
  const train::LogitCacheStats after = train::logit_cache_stats();
  EXPECT_TRUE(torch::equal(logits, expected));
  std::vector<double> counts = {double(after.computed - before.computed),
                                double(after.read_from_file - before.read_from_file)};
  train::sum_over_gang(comm, counts);
  EXPECT_EQ(counts[0], 1) << "ranks that computed the logits";
  EXPECT_EQ(counts[1], comm.size() - 1) << "ranks that read the file";
  comm.barrier();
  // The builder removes its lock file: none is left beside the cache.
  EXPECT_FALSE(std::filesystem::exists(
      artifacts.path_for(id.teacher_key, train::logit_cache_name(id) + ".lock")));
  comm.barrier();  // every rank is done with the directory before rank 0 removes it
}
