#include "kdbench/results/run_record.h"

#include <array>
#include <cctype>
#include <cmath>
#include <ctime>
#include <limits>

#include "kdbench/core/errors.h"

namespace kdbench::results {
namespace {

constexpr std::array<const char*, 5> kStatusNames = {"PENDING", "RUNNING", "DONE", "FAILED",
                                                     "INTERRUPTED"};

const nlohmann::json& field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw IoError(std::string("run record JSON: missing field '") + name + "'");
  return *it;
}

[[noreturn]] void wrong_type(const char* name, const char* expected, const nlohmann::json& v) {
  throw IoError(std::string("run record JSON: field '") + name + "' must be " + expected +
                ", got " + v.type_name());
}

std::string get_string(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  if (!v.is_string()) wrong_type(name, "a string", v);
  return v.get<std::string>();
}

int64_t get_int(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  if (!v.is_number_integer()) wrong_type(name, "an integer", v);
  return v.get<int64_t>();
}

// JSON has no NaN/Inf: nlohmann writes them as null, so null reads back as NaN.
double as_double(const nlohmann::json& v, const char* name) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) wrong_type(name, "a number", v);
  return v.get<double>();
}

double get_double(const nlohmann::json& j, const char* name) {
  return as_double(field(j, name), name);
}

const nlohmann::json& get_object(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  if (!v.is_object()) wrong_type(name, "an object", v);
  return v;
}

const nlohmann::json& get_array(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  if (!v.is_array()) wrong_type(name, "an array", v);
  return v;
}

std::vector<double> get_doubles(const nlohmann::json& j, const char* name) {
  std::vector<double> out;
  for (const auto& v : get_array(j, name)) out.push_back(as_double(v, name));
  return out;
}

Curves curves_from_json(const nlohmann::json& j) {
  Curves c;
  for (const auto& v : get_array(j, "epoch")) {
    if (!v.is_number_integer()) wrong_type("curves.epoch", "integers", v);
    c.epoch.push_back(v.get<int>());
  }
  c.train_loss = get_doubles(j, "train_loss");
  c.train_acc = get_doubles(j, "train_acc");
  c.val_acc = get_doubles(j, "val_acc");
  c.test_acc = get_doubles(j, "test_acc");
  c.lr = get_doubles(j, "lr");
  c.seconds = get_doubles(j, "seconds");
  for (size_t n : {c.train_loss.size(), c.train_acc.size(), c.val_acc.size(), c.test_acc.size(),
                   c.lr.size(), c.seconds.size()}) {
    if (n != c.epoch.size()) {
      throw IoError("run record JSON: curves have unequal lengths (epoch has " +
                    std::to_string(c.epoch.size()) + " entries, another curve " +
                    std::to_string(n) + ")");
    }
  }
  return c;
}

}  // namespace

std::string to_string(Status s) { return kStatusNames.at(static_cast<size_t>(s)); }

Status parse_status(const std::string& s) {
  std::string upper;
  for (char ch : s) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (upper == kStatusNames[i]) return static_cast<Status>(i);
  }
  throw IoError("run status '" + s + "' is unknown (allowed: PENDING, RUNNING, DONE, FAILED, " +
                "INTERRUPTED)");
}

nlohmann::json to_json(const RunRecord& r) {
  const Curves& c = r.curves;
  return nlohmann::json{
      {"key", r.key}, {"kind", r.kind}, {"model", r.model}, {"method", r.method},
      {"method_params", r.method_params}, {"method_variant", r.method_variant},
      {"teacher_key", r.teacher_key}, {"teacher_model", r.teacher_model},
      {"teacher_checkpoint", r.teacher_checkpoint}, {"chain", r.chain}, {"seed", r.seed},
      {"dataset", r.dataset}, {"params_count", r.params_count}, {"flops", r.flops},
      {"status", to_string(r.status)}, {"attempts", r.attempts}, {"rank", r.rank},
      {"host", r.host}, {"device", r.device}, {"started", r.started}, {"finished", r.finished},
      {"wall_seconds", r.wall_seconds}, {"threads", r.threads},
      {"best_val_acc", r.best_val_acc}, {"test_acc_at_best_val", r.test_acc_at_best_val},
      {"final_test_acc", r.final_test_acc}, {"best_test_acc", r.best_test_acc},
      {"best_epoch", r.best_epoch}, {"error", r.error}, {"config", r.config},
      {"checkpoints", r.checkpoints},
      {"curves",
       {{"epoch", c.epoch}, {"train_loss", c.train_loss}, {"train_acc", c.train_acc},
        {"val_acc", c.val_acc}, {"test_acc", c.test_acc}, {"lr", c.lr},
        {"seconds", c.seconds}}}};
}

RunRecord record_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw IoError(std::string("run record JSON: expected an object, got ") +
                                    j.type_name());
  RunRecord r;
  r.key = get_string(j, "key");
  r.kind = get_string(j, "kind");
  r.model = get_string(j, "model");
  r.method = get_string(j, "method");
  r.method_params = get_object(j, "method_params");
  r.method_variant = get_string(j, "method_variant");
  r.teacher_key = get_string(j, "teacher_key");
  r.teacher_model = get_string(j, "teacher_model");
  r.teacher_checkpoint = static_cast<int>(get_int(j, "teacher_checkpoint"));
  for (const auto& v : get_array(j, "chain")) {
    if (!v.is_string()) wrong_type("chain", "an array of strings", v);
    r.chain.push_back(v.get<std::string>());
  }
  r.seed = get_int(j, "seed");
  r.dataset = get_string(j, "dataset");
  r.params_count = get_int(j, "params_count");
  r.flops = get_double(j, "flops");
  r.status = parse_status(get_string(j, "status"));
  r.attempts = static_cast<int>(get_int(j, "attempts"));
  r.rank = static_cast<int>(get_int(j, "rank"));
  r.host = get_string(j, "host");
  r.device = get_string(j, "device");
  r.started = get_string(j, "started");
  r.finished = get_string(j, "finished");
  r.wall_seconds = get_double(j, "wall_seconds");
  r.threads = static_cast<int>(get_int(j, "threads"));
  r.best_val_acc = get_double(j, "best_val_acc");
  r.test_acc_at_best_val = get_double(j, "test_acc_at_best_val");
  r.final_test_acc = get_double(j, "final_test_acc");
  r.best_test_acc = get_double(j, "best_test_acc");
  r.best_epoch = static_cast<int>(get_int(j, "best_epoch"));
  r.error = get_string(j, "error");
  r.config = get_object(j, "config");
  r.checkpoints = get_object(j, "checkpoints");
  r.curves = curves_from_json(get_object(j, "curves"));
  return r;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace kdbench::results
