#include "run_io.h"

#include "kdbench/core/errors.h"
#include "h5_io.h"

namespace kdbench::results::run_io {
namespace {

nlohmann::json read_json(const H5::Group& g, const std::string& where, const char* name) {
  const std::string text = h5::read_string(g, where, name);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw IoError(where + ": attribute '" + name + "' is not valid JSON: " + e.what());
  }
}

}  // namespace

void check_curve_lengths(const Curves& c, const std::string& where) {
  for (size_t n : {c.train_loss.size(), c.train_acc.size(), c.val_acc.size(), c.test_acc.size(),
                   c.lr.size(), c.seconds.size()}) {
    if (n != c.epoch.size()) {
      throw IoError(where + ": curves have unequal lengths (epoch has " +
                    std::to_string(c.epoch.size()) + " entries, another curve " +
                    std::to_string(n) + ")");
    }
  }
}

void write_run(const H5::Group& g, const RunRecord& r, int64_t summary_row) {
  using h5::write_double;
  using h5::write_int;
  using h5::write_string;
  const H5::PredType& i64 = H5::PredType::STD_I64LE;
  write_int(g, kSummaryRowAttr, summary_row, i64);
  write_string(g, "kind", r.kind);
  write_string(g, "model", r.model);
  write_string(g, "teacher_key", r.teacher_key);
  write_string(g, "teacher_model", r.teacher_model);
  write_string(g, "method", r.method);
  write_string(g, "method_params", r.method_params.dump());
  write_string(g, "method_variant", r.method_variant);
  write_int(g, "seed", r.seed, i64);
  write_int(g, "teacher_checkpoint", r.teacher_checkpoint);
  write_string(g, "dataset", r.dataset);
  write_int(g, "params_count", r.params_count, i64);
  write_double(g, "flops", r.flops);
  write_string(g, "status", to_string(r.status));
  write_int(g, "attempts", r.attempts);
  write_int(g, "rank", r.rank);
  write_string(g, "host", r.host);
  write_string(g, "device", r.device);
  write_string(g, "started", r.started);
  write_string(g, "finished", r.finished);
  write_double(g, "wall_seconds", r.wall_seconds);
  write_int(g, "threads", r.threads);
  write_double(g, "best_val_acc", r.best_val_acc);
  write_double(g, "test_acc_at_best_val", r.test_acc_at_best_val);
  write_double(g, "final_test_acc", r.final_test_acc);
  write_double(g, "best_test_acc", r.best_test_acc);
  write_int(g, "best_epoch", r.best_epoch);
  write_string(g, "error", r.error);
  write_string(g, "chain", nlohmann::json(r.chain).dump());
  write_string(g, "config", r.config.dump());
  write_string(g, "checkpoints", r.checkpoints.dump());

  const Curves& c = r.curves;
  h5::write_ints(g, "epoch", c.epoch);
  h5::write_doubles(g, "train_loss", c.train_loss);
  h5::write_doubles(g, "train_acc", c.train_acc);
  h5::write_doubles(g, "val_acc", c.val_acc);
  h5::write_doubles(g, "test_acc", c.test_acc);
  h5::write_doubles(g, "lr", c.lr);
  h5::write_doubles(g, "seconds", c.seconds);
}

RunRecord read_run(const H5::Group& g, const std::string& key) {
  const std::string where = "/runs/" + key;
  auto str = [&](const char* name) { return h5::read_string(g, where, name); };
  auto num = [&](const char* name) { return h5::read_double(g, where, name); };
  auto integer = [&](const char* name) { return h5::read_int(g, where, name); };
  auto int32 = [&](const char* name) { return static_cast<int>(integer(name)); };

  RunRecord r;
  r.key = key;
  r.kind = str("kind");
  r.model = str("model");
  r.teacher_key = str("teacher_key");
  r.teacher_model = str("teacher_model");
  r.method = str("method");
  r.method_params = read_json(g, where, "method_params");
  r.method_variant = str("method_variant");
  r.seed = integer("seed");
  r.teacher_checkpoint = int32("teacher_checkpoint");
  r.dataset = str("dataset");
  r.params_count = integer("params_count");
  r.flops = num("flops");
  r.status = parse_status(str("status"));
  r.attempts = int32("attempts");
  r.rank = int32("rank");
  r.host = str("host");
  r.device = str("device");
  r.started = str("started");
  r.finished = str("finished");
  r.wall_seconds = num("wall_seconds");
  r.threads = int32("threads");
  r.best_val_acc = num("best_val_acc");
  r.test_acc_at_best_val = num("test_acc_at_best_val");
  r.final_test_acc = num("final_test_acc");
  r.best_test_acc = num("best_test_acc");
  r.best_epoch = int32("best_epoch");
  r.error = str("error");
  const nlohmann::json chain = read_json(g, where, "chain");
  if (!chain.is_array()) throw IoError(where + ": attribute 'chain' is not a JSON array");
  for (const auto& model : chain) {
    if (!model.is_string()) throw IoError(where + ": attribute 'chain' must hold strings");
    r.chain.push_back(model.get<std::string>());
  }
  r.config = read_json(g, where, "config");
  r.checkpoints = read_json(g, where, "checkpoints");

  Curves& c = r.curves;
  c.epoch = h5::read_ints(g, "epoch");
  c.train_loss = h5::read_doubles(g, "train_loss");
  c.train_acc = h5::read_doubles(g, "train_acc");
  c.val_acc = h5::read_doubles(g, "val_acc");
  c.test_acc = h5::read_doubles(g, "test_acc");
  c.lr = h5::read_doubles(g, "lr");
  c.seconds = h5::read_doubles(g, "seconds");
  check_curve_lengths(c, where);
  return r;
}

}  // namespace kdbench::results::run_io
