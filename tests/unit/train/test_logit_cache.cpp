// The teacher-logit cache (kdbench/train/logit_cache.h) under real training, real files: students
// of one teacher checkpoint share one sealed file; a student that builds it, one that reads it
// and one served from the process's memory train bit for bit alike, and alike to the logits the
// teacher computes over the training set (what every student computed for itself before the
// cache); a damaged or mismatched file is warned about, rebuilt, and changes nothing; fp16
// storage rounds the logits and is recorded.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"
#include "kdbench/results/run_record.h"
#include "kdbench/train/evaluate.h"
#include "kdbench/train/logit_cache.h"
#include "kdbench/train/net_io.h"
#include "kdbench/train/trainer.h"
#include "quadrant_data.h"

using namespace kdbench;
namespace fs = std::filesystem;

namespace {

// One cnn6 teacher; its students: no-KD baselines, KD cnn2 students of seeds 5 and 6 and the cnn4
// assistant of a TAKD chain (a distilled task that keeps its final weights, so weights can be
// compared).
grid::TaskGraph cache_graph(const std::string& student_extra = "") {
  const std::string ini = R"([grid]
data_dir = /unused
teachers = cnn6
students = cnn2
methods = nokd kd takd
seeds = 5 6
teacher_seeds = 5
[train]
epochs = 2
batch_size = 16
eval_batch_size = 32
lr = 0.05
augment = false
[method.takd]
assistants = cnn4
[student]
)" + student_extra;
  return grid::expand(grid::parse_grid_text(ini, "cache.ini", grid::ParseOptions{false}));
}

// Warnings of the default logger, captured while alive.
struct CapturedLog {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  CapturedLog() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }
};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct LogitCache : ::testing::Test {
  std::string dir =
      (fs::temp_directory_path() / ("kdbench-logit-cache-" + std::to_string(::getpid()))).string();
  train::PreparedData data = train::testing::quadrant_data(123, 96, 40, 40);
  results::Artifacts artifacts{dir, /*fsync=*/false};
  grid::TaskGraph graph = cache_graph();
  train::TrainEnv env;
  void SetUp() override {
    env.data = &data;
    env.artifacts = &artifacts;
    torch::set_num_threads(1);
    train::forget_cached_logits();
  }
  void TearDown() override {
    train::forget_cached_logits();
    fs::remove_all(dir);
  }
  const grid::Task& find(const std::string& kind, const std::string& method, int64_t seed = 5) {
    for (const auto& t : graph.tasks)
      if (t.kind == kind && t.method == method && t.seed == seed) return t;
    throw std::runtime_error("no such task");
  }
  const grid::Task& teacher() { return find("teacher", ""); }
  const grid::Task& assistant() { return find("assistant", "takd"); }
  // The one cache file of the teacher's final checkpoint.
  std::string cache_file() {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(artifacts.dir_for(teacher().key)))
      if (e.path().filename().string().rfind("logits-", 0) == 0) found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? "" : found.front();
  }
  train::Snapshot final_weights(const grid::Task& task) {
    auto net = models::make(task.model, data.num_classes, data.shape);
    train::load_net(*net, artifacts.path_for(task.key, "final.pt"));
    return train::snapshot(*net);
  }
  // Trains the assistant; its record and final weights.
  std::pair<results::RunRecord, train::Snapshot> run_assistant() {
    auto rec = train::run_task(assistant(), env);
    return {rec, final_weights(assistant())};
  }
  torch::Tensor teacher_logits_over_train(int64_t batch) {
    auto net = models::make(teacher().model, data.num_classes, data.shape);
    train::load_net(*net, artifacts.path_for(teacher().key, "final.pt"));
    return train::logits(*net, data, data.train, batch);
  }
};

void expect_same_run(const std::pair<results::RunRecord, train::Snapshot>& a,
                     const std::pair<results::RunRecord, train::Snapshot>& b) {
  EXPECT_EQ(a.first.curves.train_loss, b.first.curves.train_loss);  // exact, not near
  EXPECT_EQ(a.first.curves.train_acc, b.first.curves.train_acc);
  EXPECT_EQ(a.first.curves.val_acc, b.first.curves.val_acc);
  EXPECT_EQ(a.first.curves.test_acc, b.first.curves.test_acc);
  ASSERT_EQ(a.second.size(), b.second.size());
  for (const auto& [name, tensor] : a.second)
    EXPECT_TRUE(torch::equal(tensor, b.second.at(name))) << name;
}

}  // namespace

// Before the cache every student computed logits(teacher, train_x, eval batch) itself and indexed
// it: the file holds exactly that tensor, so a student distils from the same numbers as before.
// An online teacher (a forward pass per training batch of 16) is held to a tolerance, not to bits:
// nothing guarantees that a kernel blocks a batch of 16 rows like one of 32, so sums inside a
// convolution or a matmul may round differently (cnn6 with one CPU thread here prints "bitwise
// equal"; other shapes, thread counts or devices need not).
TEST_F(LogitCache, TheFileHoldsTheTeachersLogitsBitwise) {
  train::run_task(teacher(), env);
  train::run_task(assistant(), env);
  const auto& task = assistant();
  train::LogitCacheId id;
  id.teacher_key = teacher().key;
  id.checkpoint = -1;
  id.checkpoint_seal = train::seal_of(artifacts.path_for(teacher().key, "final.pt"));
  id.precision = "fp32";
  id.eval_batch = task.train.eval_batch_size;
  id.samples = data.train.size();
  id.classes = data.num_classes;
  id.data_fingerprint = train::data_fingerprint(data);
  const std::string path = cache_file();
  EXPECT_EQ(fs::path(path).filename().string(), train::logit_cache_name(id));
  EXPECT_EQ(fs::path(path).filename().string(), "logits-final-fp32-eval32.fp32");
  EXPECT_TRUE(results::sealed_file_intact(path));
  const auto cached = train::read_logit_file(path, id);
  const auto reference = teacher_logits_over_train(task.train.eval_batch_size);
  EXPECT_TRUE(torch::equal(cached, reference));
  // Online, batch by batch.
  auto net = models::make(teacher().model, data.num_classes, data.shape);
  train::load_net(*net, artifacts.path_for(teacher().key, "final.pt"));
  net->eval();
  torch::NoGradGuard no_grad;
  const auto idx = torch::randperm(data.train.size(), torch::kLong).slice(0, 0, 16);
  const auto online = net->forward(train::batch(data, data.train, idx));
  const auto rows = cached.index_select(0, idx);
  EXPECT_TRUE(torch::allclose(online, rows, 1e-5, 1e-6));
  std::cout << "online teacher (batch 16) vs cached logits (eval batch 32): "
            << (torch::equal(online, rows) ? "bitwise equal" : "equal within rounding")
            << ", largest difference " << (online - rows).abs().max().item<double>() << "\n";
}

// Built, read from the file, served from memory: the same training bit for bit. The second
// student of the checkpoint reads the file and does not compute it again (the file's time stays).
TEST_F(LogitCache, StudentsOfOneCheckpointBuildOnceThenReadIdentically) {
  train::run_task(teacher(), env);
  auto before = train::logit_cache_stats();
  const auto built = run_assistant();
  auto after = train::logit_cache_stats();
  EXPECT_EQ(after.computed, before.computed + 1);
  const std::string path = cache_file();
  const auto written = fs::last_write_time(path);
  const nlohmann::json expected_config = {
      {"source", "cache"},
      {"dtype", "fp32"},
      {"files", {teacher().key + "/" + fs::path(path).filename().string()}}};
  EXPECT_EQ(built.first.config.at("teacher_logits"), expected_config);
  // The record's config goes through the JSON wire format (and HDF5 as JSON text) unchanged.
  EXPECT_EQ(results::record_from_json(results::to_json(built.first)).config, built.first.config);

  train::forget_cached_logits();  // as if on another rank
  before = train::logit_cache_stats();
  const auto kd6 = train::run_task(find("student", "kd", 6), env);
  const auto from_file = run_assistant();
  after = train::logit_cache_stats();
  EXPECT_EQ(after.computed, before.computed) << "the students read the file";
  EXPECT_EQ(after.read_from_file, before.read_from_file + 1);
  EXPECT_EQ(after.from_memory, before.from_memory + 1) << "the second one kept it in memory";
  EXPECT_EQ(fs::last_write_time(path), written);
  EXPECT_EQ(kd6.config.at("teacher_logits"), expected_config);
  expect_same_run(built, from_file);

  before = train::logit_cache_stats();
  const auto from_memory = run_assistant();
  EXPECT_EQ(train::logit_cache_stats().from_memory, before.from_memory + 1);
  expect_same_run(built, from_memory);
}

// A flipped byte, a truncation, a header that describes other logits: one warning naming the
// file, the file rebuilt intact, the run the same as with a good file.
TEST_F(LogitCache, DamagedOrMismatchedFileIsWarnedRebuiltAndChangesNothing) {
  train::run_task(teacher(), env);
  const auto reference = run_assistant();
  const std::string path = cache_file();
  const std::string good = results::read_sealed(path);
  const auto flip = [&] {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(fs::file_size(path) / 2);
    f.seekg(at);
    const char c = static_cast<char>(f.get());
    f.seekp(at);
    f.put(static_cast<char>(c ^ 0x10));
  };
  const auto truncate = [&] { fs::resize_file(path, fs::file_size(path) - 100); };
  // A complete, sealed file for another split of the data: a mismatch, not a checksum error.
  const auto other_data = [&] {
    std::string text = good;
    const std::string field = "\"data_fingerprint\":\"";
    text[text.find(field) + field.size()] ^= 1;
    results::write_bytes(path, text);
    results::seal_file(path);
  };
  const std::vector<std::pair<std::string, std::function<void()>>> damages = {
      {"checksum mismatch", flip},
      {"no kdbench checksum", truncate},
      {"header mismatch: data_fingerprint", other_data}};
  for (const auto& [why, damage] : damages) {
    SCOPED_TRACE(why);
    train::forget_cached_logits();
    damage();
    ASSERT_FALSE(results::sealed_file_intact(path) && results::read_sealed(path) == good);
    const auto before = train::logit_cache_stats();
    std::string log;
    std::pair<results::RunRecord, train::Snapshot> rerun;
    {
      CapturedLog captured;
      rerun = run_assistant();
      log = captured.text.str();
    }
    EXPECT_EQ(count_of(log, "damaged teacher-logit cache"), 1u) << log;
    EXPECT_NE(log.find("rebuilding it: " + path + ": "), std::string::npos) << log;
    EXPECT_NE(log.find(why), std::string::npos) << log;
    const auto after = train::logit_cache_stats();
    EXPECT_EQ(after.rebuilt_damaged, before.rebuilt_damaged + 1);
    EXPECT_EQ(after.computed, before.computed + 1);
    EXPECT_EQ(results::read_sealed(path), good) << "rebuilt as it was";
    expect_same_run(reference, rerun);
  }
}

// A damaged teacher checkpoint is refused even where its logits are cached already.
TEST_F(LogitCache, DamagedTeacherCheckpointIsRefusedDespiteTheCache) {
  train::run_task(teacher(), env);
  train::run_task(assistant(), env);
  const std::string final_pt = artifacts.path_for(teacher().key, "final.pt");
  {
    std::fstream f(final_pt, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(final_pt) / 3));
    f.put('\x01');
  }
  EXPECT_THROW(train::run_task(find("student", "kd", 6), env), results::CorruptFile);
}

// fp16 storage: half the bytes, the logits rounded to half precision, another task key (the
// teacher's stays), recorded with the run; different numbers than fp32.
TEST_F(LogitCache, Fp16StoresHalfPrecisionUnderItsOwnKey) {
  const auto fp16_graph = cache_graph("teacher_logits = fp16\n");
  const auto* fp16_assistant = &fp16_graph.tasks.front();
  for (const auto& t : fp16_graph.tasks)
    if (t.kind == "assistant") fp16_assistant = &t;
  EXPECT_NE(fp16_assistant->key, assistant().key);
  EXPECT_TRUE(fp16_graph.contains(teacher().key));
  train::run_task(teacher(), env);
  const auto fp32_run = run_assistant();
  const auto fp16_rec = train::run_task(*fp16_assistant, env);
  const std::string name = "logits-final-fp32-eval32.fp16";
  const std::string path = artifacts.path_for(teacher().key, name);
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(fp16_rec.config.at("teacher_logits"),
            (nlohmann::json{
                {"source", "cache"}, {"dtype", "fp16"}, {"files", {teacher().key + "/" + name}}}));
  const std::string content = results::read_sealed(path);
  const auto header_end = content.find('\n', content.find('\n') + 1);
  EXPECT_EQ(content.size() - header_end - 1,
            static_cast<size_t>(data.train.size() * data.num_classes * 2));
  EXPECT_NE(content.substr(0, header_end).find("\"dtype\":\"fp16\""), std::string::npos);
  const auto reference = teacher_logits_over_train(32);
  train::LogitCacheId id;
  id.teacher_key = teacher().key;
  id.checkpoint_seal = train::seal_of(artifacts.path_for(teacher().key, "final.pt"));
  id.precision = "fp32";
  id.eval_batch = 32;
  id.samples = data.train.size();
  id.classes = data.num_classes;
  id.dtype = train::LogitDtype::Fp16;
  id.data_fingerprint = train::data_fingerprint(data);
  const auto stored = train::read_logit_file(path, id);
  EXPECT_EQ(stored.scalar_type(), torch::kHalf);
  EXPECT_TRUE(torch::equal(stored, reference.to(torch::kHalf)));
  EXPECT_NE(fp16_rec.curves.train_loss, fp32_run.first.curves.train_loss);
}

// Augmented batches: the teacher runs online, nothing is cached, and the record says so.
TEST_F(LogitCache, AugmentedStudentsUseTheOnlineTeacher) {
  graph = cache_graph("augment = true\n");
  train::run_task(teacher(), env);
  const auto before = train::logit_cache_stats();
  const auto rec = train::run_task(find("student", "kd"), env);
  EXPECT_EQ(rec.config.at("teacher_logits"), (nlohmann::json{{"source", "online"}}));
  const auto after = train::logit_cache_stats();
  EXPECT_EQ(after.computed + after.read_from_file + after.from_memory,
            before.computed + before.read_from_file + before.from_memory);
  for (const auto& e : fs::directory_iterator(artifacts.dir_for(teacher().key)))
    EXPECT_NE(e.path().filename().string().rfind("logits-", 0), 0u) << e.path();
  EXPECT_FALSE(train::run_task(find("student", "nokd"), env).config.contains("teacher_logits"));
}
