#include "ini_values.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

namespace kdbench::grid {
namespace {

constexpr int64_t kMaxEpochs = 100000;

// A value as a message shows it (6 significant digits).
std::string shown(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

std::string IniValues::where(const std::string& key) const {
  const auto dot = key.find('.');
  return source_ + ": [" + key.substr(0, dot) + "] " + key.substr(dot + 1);
}

const std::string* IniValues::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string IniValues::text(const std::string& key, const std::string& def) const {
  const std::string* v = find(key);
  if (v && v->empty()) throw ConfigError(where(key) + ": empty value");
  return v ? *v : def;
}

std::string IniValues::choice(const std::string& key, const std::string& def,
                              const std::vector<std::string>& allowed) const {
  const std::string v = text(key, def);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
    throw ConfigError(where(key) + ": '" + v + "' is not allowed (allowed: " + join(allowed, " ") +
                      ")");
  return v;
}

std::vector<std::string> IniValues::words(const std::string& key, bool required) const {
  const std::string* v = find(key);
  if (!v) {
    if (required) throw ConfigError(where(key) + ": missing (give a space-separated list)");
    return {};
  }
  auto out = split_ws(*v);
  if (out.empty()) throw ConfigError(where(key) + ": empty list (give at least one value)");
  std::set<std::string> seen;
  for (const auto& w : out)
    if (!seen.insert(w).second) throw ConfigError(where(key) + ": '" + w + "' is listed twice");
  return out;
}

std::vector<int64_t> IniValues::integers(const std::string& key, bool required, int64_t min,
                                         int64_t max) const {
  std::vector<int64_t> out;
  for (const auto& w : words(key, required)) {
    const int64_t x = parse_int(w, where(key));
    if (x < min || x > max)
      throw ConfigError(where(key) + ": " + w + " is out of range [" + std::to_string(min) + ", " +
                        std::to_string(max) + "]");
    out.push_back(x);
  }
  return out;
}

int64_t IniValues::integer(const std::string& key, int64_t def, int64_t min, int64_t max) const {
  const std::string* v = find(key);
  const int64_t x = v ? parse_int(*v, where(key)) : def;
  if (x < min || x > max)
    throw ConfigError(where(key) + ": " + std::to_string(x) + " is out of range [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
  return x;
}

double IniValues::real(const std::string& key, double def, double min, double max) const {
  const std::string* v = find(key);
  const double x = v ? parse_double(*v, where(key)) : def;
  if (x < min || x > max)
    throw ConfigError(where(key) + ": " + shown(x) + " is out of range [" + shown(min) + ", " +
                      shown(max) + "]");
  return x;
}

bool IniValues::boolean(const std::string& key, bool def) const {
  const std::string* v = find(key);
  return v ? parse_bool(*v, where(key)) : def;
}

std::vector<int> IniValues::milestone_epochs(const std::string& key) const {
  std::vector<int> epochs;
  for (const auto& tok : split_ws(text(key, ""))) {  // text(): ConfigError when empty
    const int64_t e = parse_int(tok, where(key));
    if (e < 1 || e > kMaxEpochs)
      throw ConfigError(where(key) + ": " + tok +
                        " is not an epoch (allowed: 1-based epochs in [1, " +
                        std::to_string(kMaxEpochs) + "], strictly increasing, e.g. 80 120)");
    if (!epochs.empty() && e <= epochs.back())
      throw ConfigError(where(key) + ": " + tok + " does not come after " +
                        std::to_string(epochs.back()) +
                        " (milestones are strictly increasing epochs, e.g. 80 120)");
    epochs.push_back(static_cast<int>(e));
  }
  return epochs;
}

// A section sets the schedule by fractions (lr_schedule) or by epochs (lr_milestones), not both;
// whichever it sets replaces what it inherited, so a role's lr_milestones replace [train]'s
// fractions (or the default step 0.5 0.75) and a role's lr_schedule replaces [train]'s epochs.
LrSchedule IniValues::schedule(const std::string& s, const LrSchedule& base) const {
  LrSchedule sched = base;
  sched.gamma = real(s + ".lr_gamma", base.gamma, 1e-9, 1.0);
  const std::string* written = find(s + ".lr_schedule");
  const bool by_epochs = has(s + ".lr_milestones");
  if (written && by_epochs)
    throw ConfigError(source_ + ": [" + s + "] lr_milestones and [" + s +
                      "] lr_schedule are both given; keep one (lr_milestones = E1 E2 ... is a "
                      "step schedule at those epochs, lr_schedule = 'step F1 F2 ...' one at "
                      "fractions of the epochs, or 'cosine', 'constant')");
  if (written) {
    const auto parts = split_ws(*written);
    const std::string kind = parts.empty() ? "" : parts.front();
    if (kind != "step" && kind != "cosine" && kind != "constant" && kind != "linear")
      throw ConfigError(where(s + ".lr_schedule") + ": '" + *written +
                        "' is not allowed (allowed: 'step F1 F2 ...' with fractions in (0, 1], "
                        "'cosine', 'constant', 'linear')");
    sched.kind = kind;
    sched.milestones.clear();
    sched.milestone_epochs.clear();
    // A warm-up inherited from [train] belongs to [train]'s linear schedule, not to this one.
    if (kind != "linear") {
      sched.warmup_steps = 0;
      sched.warmup_ratio = 0;
    }
    if (kind != "step" && parts.size() > 1)
      throw ConfigError(where(s + ".lr_schedule") + ": '" + kind + "' takes no milestones");
    for (size_t i = 1; i < parts.size(); ++i) {
      const double f = parse_double(parts[i], where(s + ".lr_schedule"));
      if (f <= 0 || f > 1 || (!sched.milestones.empty() && f <= sched.milestones.back()))
        throw ConfigError(where(s + ".lr_schedule") + ": milestone " + parts[i] +
                          " must be an increasing fraction of the epochs in (0, 1]");
      sched.milestones.push_back(f);
    }
    if (kind == "step" && sched.milestones.empty())
      throw ConfigError(where(s + ".lr_schedule") +
                        ": 'step' needs milestones, e.g. 'step 0.5 0.75'");
  }
  if (by_epochs) {
    sched.kind = "step";
    sched.milestones.clear();
    sched.milestone_epochs = milestone_epochs(s + ".lr_milestones");
    sched.warmup_steps = 0;
    sched.warmup_ratio = 0;
  }
  warmup(s, sched);
  return sched;
}

// warmup_steps or warmup_ratio: one replaces the other inherited, both in one section is an
// error. Whether the schedule is linear is checked on the resolved roles (validate_grid.cpp), so
// that [train] may hold a warm-up that only the roles' linear schedules use.
void IniValues::warmup(const std::string& s, LrSchedule& sched) const {
  const bool by_steps = has(s + ".warmup_steps"), by_ratio = has(s + ".warmup_ratio");
  if (by_steps && by_ratio)
    throw ConfigError(source_ + ": [" + s + "] warmup_steps and [" + s +
                      "] warmup_ratio are both given; keep one (warmup_steps = N optimizer "
                      "steps, warmup_ratio = a fraction of the phase's steps)");
  if (by_steps) {
    sched.warmup_steps = integer(s + ".warmup_steps", 0, 0, int64_t{1} << 40);
    sched.warmup_ratio = 0;
  }
  if (by_ratio) {
    sched.warmup_ratio = real(s + ".warmup_ratio", 0, 0.0, 1.0);
    sched.warmup_steps = 0;
  }
}

// Adam's betas are in [0, 1) (1 would never forget, and divide by zero in the bias correction);
// eps in (0, 1].
void IniValues::adam(const std::string& s, TrainConfig& c) const {
  const auto beta = [&](const std::string& key, double def) {
    const double b = real(key, def, 0.0, 1.0);
    if (b >= 1) throw ConfigError(where(key) + ": " + shown(b) + " is out of range [0, 1)");
    return b;
  };
  c.adam_beta1 = beta(s + ".adam_beta1", c.adam_beta1);
  c.adam_beta2 = beta(s + ".adam_beta2", c.adam_beta2);
  c.adam_eps = real(s + ".adam_eps", c.adam_eps, 0.0, 1.0);
  if (c.adam_eps <= 0)
    throw ConfigError(where(s + ".adam_eps") + ": " + shown(c.adam_eps) +
                      " is out of range (0, 1] (e.g. 1e-8, or 1e-6 as the original BERT)");
}

TrainConfig IniValues::role(const std::string& s, const TrainConfig& base) const {
  TrainConfig c = base;
  c.epochs = static_cast<int>(integer(s + ".epochs", base.epochs, 1, kMaxEpochs));
  c.batch_size = static_cast<int>(integer(s + ".batch_size", base.batch_size, 1, 1 << 20));
  c.eval_batch_size =
      static_cast<int>(integer(s + ".eval_batch_size", base.eval_batch_size, 1, 1 << 20));
  c.optimizer = choice(s + ".optimizer", base.optimizer, {"sgd", "adamw"});
  c.lr = real(s + ".lr", base.lr, 1e-12, 100.0);
  c.momentum = real(s + ".momentum", base.momentum, 0.0, 0.999999);
  c.weight_decay = real(s + ".weight_decay", base.weight_decay, 0.0, 1.0);
  c.nesterov = boolean(s + ".nesterov", base.nesterov);
  if (c.nesterov && c.momentum <= 0)
    throw ConfigError(where(s + ".nesterov") + ": needs momentum > 0");
  adam(s, c);
  c.max_grad_norm = real(s + ".max_grad_norm", base.max_grad_norm, 0.0, 1e6);
  c.lr_schedule = schedule(s, base.lr_schedule);
  c.augment = boolean(s + ".augment", base.augment);
  c.augment_padding =
      static_cast<int>(integer(s + ".augment_padding", base.augment_padding, 0, 16));
  c.length_buckets = boolean(s + ".length_buckets", base.length_buckets);
  c.init = text(s + ".init", base.init);
  c.precision = choice(s + ".precision", base.precision, {"fp32", "bf16"});
  c.teacher_logits = choice(s + ".teacher_logits", base.teacher_logits, {"fp32", "fp16"});
  c.checkpoint_minutes = real(s + ".checkpoint_minutes", base.checkpoint_minutes, 0.0, 1e6);
  c.eval_steps = integer(s + ".eval_steps", base.eval_steps, 0, 1000000000);
  return c;
}

}  // namespace kdbench::grid
