#include "kdbench/grid/parse_grid.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ini_values.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset.h"
#include "kdbench/datasets/glue.h"
#include "kdbench/methods/registry.h"
#include "kdbench/models/models.h"
#include "read_pretrain.h"
#include "validate_grid.h"

namespace po = boost::program_options;

namespace kdbench::grid {
namespace {

const std::vector<std::string> kGridKeys = {"name",
                                            "dataset",
                                            "data_dir",
                                            "teachers",
                                            "students",
                                            "methods",
                                            "seeds",
                                            "teacher_seeds",
                                            "results",
                                            "artifacts",
                                            "teacher_checkpoints",
                                            "retries",
                                            "on_failure",
                                            "stall_factor",
                                            "tokenizer",
                                            "vocab",
                                            "vocab_size",
                                            "max_seq_length",
                                            "metric",

                                            "pipeline",
                                            "fuse"};
const std::vector<std::string> kRoleKeys = {"epochs",
                                            "batch_size",
                                            "eval_batch_size",
                                            "optimizer",
                                            "lr",
                                            "momentum",
                                            "weight_decay",
                                            "nesterov",
                                            "lr_schedule",
                                            "lr_milestones",
                                            "lr_gamma",
                                            "augment",
                                            "augment_padding",
                                            "precision",
                                            "gang_size",
                                            "checkpoint_minutes",
                                            "adam_beta1",
                                            "adam_beta2",
                                            "adam_eps",
                                            "warmup_steps",
                                            "warmup_ratio",
                                            "max_grad_norm",
                                            "length_buckets",
                                            "eval_steps",
                                            "init"};
const std::vector<std::string> kDataKeys = {"val_fraction", "split_seed", "train_subset",
                                            "test_subset", "threads"};

// Boost.PO config files know only '#' comments; grid files also use ';' (INI style). Strip both
// when they start a line or follow whitespace, so values like "a;b" stay intact.
std::string strip_comments(const std::string& text) {
  std::istringstream in(text);
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    for (size_t i = 0; i < line.size(); ++i) {
      if ((line[i] == ';' || line[i] == '#') &&
          (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.resize(i);
        break;
      }
    }
    out << line << '\n';
  }
  return out.str();
}

po::options_description known_options() {
  po::options_description desc;
  auto add = [&](const std::string& name) {
    desc.add_options()(name.c_str(), po::value<std::string>());
  };
  for (const auto& k : kGridKeys) add("grid." + k);
  for (const auto& k : kDataKeys) add("train." + k);
  for (const auto& section : {"train", "teacher", "student"})
    for (const auto& k : kRoleKeys) add(std::string(section) + "." + k);
  add("teacher.checkpoints");
  add("student.teacher_logits");
  for (const auto& k : pretrain_keys()) add("pretrain." + k);
  return desc;
}

std::vector<std::string> allowed_in(const std::string& section) {
  std::vector<std::string> keys;
  if (section == "grid") return kGridKeys;
  if (section == "pretrain") return pretrain_keys();
  keys = kRoleKeys;
  if (section == "train") keys.insert(keys.end(), kDataKeys.begin(), kDataKeys.end());
  if (section == "teacher") keys.push_back("checkpoints");
  if (section == "student") keys.push_back("teacher_logits");  // a teacher has none
  return keys;
}

// Flat "section.key" -> value, with duplicate and unknown-key checks.
std::map<std::string, std::string> read_entries(
    const std::string& text, const std::string& source,
    std::map<std::string, methods::ParamMap>& method_params) {
  std::istringstream stream(strip_comments(text));
  po::parsed_options parsed(nullptr);
  try {
    parsed = po::parse_config_file(stream, known_options(), /*allow_unregistered=*/true);
  } catch (const po::error& e) {
    throw ConfigError(source + ": " + e.what());
  }
  const std::set<std::string> sections = {"grid", "train", "teacher", "student", "pretrain"};
  std::map<std::string, std::string> entries;
  for (const auto& opt : parsed.options) {
    const std::string& key = opt.string_key;
    const std::string value = opt.value.empty() ? "" : trim(opt.value.front());
    const auto dot = key.find('.');
    if (dot == std::string::npos)
      throw ConfigError(source + ": key '" + key +
                        "' is outside any section (put it under [grid], "
                        "[train], [teacher], [student] or [method.NAME])");
    const std::string section = key.substr(0, dot);
    // [gang_size] MODEL = k and [init] MODEL = DIR: the keys are model names.
    if (section == "gang_size" || section == "init") {
      if (!entries.emplace(key, value).second)
        throw ConfigError(source + ": [" + section + "] " + key.substr(dot + 1) +
                          " is given twice");
      continue;
    }
    if (section == "method") {
      const auto last = key.rfind('.');
      const std::string method = key.substr(dot + 1, last - dot - 1);
      const std::string param = key.substr(last + 1);
      if (last == dot || !methods::builtin().contains(method))
        throw ConfigError(source + ": unknown section [method." + method +
                          "] (known methods: " + join(methods::builtin().names(), " ") + ")");
      if (!method_params[method].emplace(param, value).second)
        throw ConfigError(source + ": [method." + method + "] " + param + " is given twice");
      continue;
    }
    if (!sections.count(section))
      throw ConfigError(source + ": unknown section [" + section +
                        "] (allowed: [grid] [train] [teacher] [student] [gang_size] [init] "
                        "[pretrain] [method.NAME])");
    if (opt.unregistered)
      throw ConfigError(source + ": unknown key '" + key.substr(dot + 1) + "' in [" + section +
                        "] (allowed: " + join(allowed_in(section), " ") + ")");
    if (!entries.emplace(key, value).second)
      throw ConfigError(source + ": [" + section + "] " + key.substr(dot + 1) + " is given twice");
  }
  return entries;
}

void validate_models(const std::vector<std::string>& names, const std::string& where) {
  for (const auto& m : names)
    if (!models::is_known(m))
      throw ConfigError(where + ": unknown model '" + m +
                        "' (known: " + join(models::known(), " ") + ")");
}

// [method.takd] assistants = A1 A2 ... (the chain between each teacher and student) and
// links = T>A:lambda:tau ... (per-link overrides of the link loss, as the TAKD authors report).
void read_takd_structure(GridSpec& g, const std::string& source) {
  auto it = g.method_params.find("takd");
  if (it == g.method_params.end()) return;
  auto& params = it->second;
  const std::string where = source + ": [method.takd] ";
  if (auto a = params.find("assistants"); a != params.end()) {
    const auto names = split_ws(a->second);
    if (names.empty()) throw ConfigError(where + "assistants: empty list");
    if (std::find(names.begin(), names.end(), "auto") != names.end()) {
      if (names.size() > 1)
        throw ConfigError(
            where + "assistants: 'auto' stands alone (it picks one assistant); got '" + a->second +
            "'; name a path instead, e.g. assistants = resnet56 resnet20");
      g.takd_auto = true;
    } else {
      for (const auto& m : names)
        if (!models::is_known(m))
          throw ConfigError(where + "assistants: unknown model '" + m +
                            "' (known: " + join(models::known(), " ") + " auto)");
      g.takd_assistants = names;
    }
    params.erase(a);
  }
  if (auto l = params.find("links"); l != params.end()) {
    for (const auto& link : split_ws(l->second)) {
      // T>A:lambda:tau
      const auto gt = link.find('>');
      const auto c1 = link.find(':', gt == std::string::npos ? 0 : gt);
      const auto c2 = c1 == std::string::npos ? c1 : link.find(':', c1 + 1);
      if (gt == std::string::npos || c1 == std::string::npos || c2 == std::string::npos)
        throw ConfigError(where + "links: '" + link +
                          "' is not of the form TEACHER>STUDENT:lambda:temperature");
      const std::string up = link.substr(0, gt), down = link.substr(gt + 1, c1 - gt - 1);
      for (const auto& m : {up, down})
        if (!models::is_known(m))
          throw ConfigError(where + "links: unknown model '" + m + "' in '" + link + "'");
      methods::ParamMap override = params;
      override["lambda"] = link.substr(c1 + 1, c2 - c1 - 1);
      override["temperature"] = link.substr(c2 + 1);
      g.takd_links[up + ">" + down] = override;
    }
    params.erase(l);
    for (auto& [name, link_params] : g.takd_links)
      link_params.erase("links"), link_params.erase("assistants");
  }
}

// Every key into its field, with the errors one key can have on its own (syntax, type, range,
// unknown names); checks across keys follow in validate_grid().
void read_fields(GridSpec& g, const IniValues& v) {
  const std::string& source = g.path;
  g.name = v.text("grid.name", std::filesystem::path(source).stem().string());
  g.dataset = v.choice("grid.dataset", "fashion-mnist", datasets::known_datasets());
  const std::string default_dir =
      g.dataset == "fashion-mnist" ? "/usr/share/datasets/fashion-mnist" : "";
  g.data_dir = v.text("grid.data_dir", default_dir);
  g.students = v.words("grid.students", /*required=*/true);
  g.methods = v.words("grid.methods", true);
  g.seeds = v.integers("grid.seeds", true, 0, INT32_MAX);
  g.teacher_seeds =
      v.has("grid.teacher_seeds") ? v.integers("grid.teacher_seeds", true, 0, INT32_MAX) : g.seeds;
  g.results = v.text("grid.results", "results/" + g.name + ".h5");
  g.artifacts = v.text("grid.artifacts", "artifacts/" + g.name);
  g.retries = static_cast<int>(v.integer("grid.retries", 1, 0, 100));
  g.on_failure = v.choice("grid.on_failure", "continue", {"continue", "stop"});
  g.stall_factor = v.real("grid.stall_factor", 3, 1, 1000);
  g.pipeline = v.boolean("grid.pipeline", true);
  g.fuse = static_cast<int>(v.integer("grid.fuse", 1, 1, kMaxFuse));

  g.val_fraction = v.real("train.val_fraction", 0.1, 1e-6, 0.9);
  g.split_seed = static_cast<uint64_t>(v.integer("train.split_seed", 0, 0, INT64_MAX));
  g.train_subset = v.integer("train.train_subset", 0, 0, INT64_MAX);
  g.test_subset = v.integer("train.test_subset", 0, 0, INT64_MAX);
  g.threads = static_cast<int>(v.integer("train.threads", 0, 0, 1024));

  const bool text = datasets::info(g.dataset).is_text();
  if (text) {
    g.tokenizer = v.choice("grid.tokenizer", "wordpiece", {"wordpiece", "sentencepiece"});
    const bool piece = g.tokenizer == "sentencepiece";
    const char* other = piece ? "grid.vocab" : "grid.vocab_size";
    if (v.has(other))
      throw ConfigError(v.where(other) + ": " +
                        (piece ? "sentencepiece trains its vocabulary on the grid's data; give "
                                 "vocab_size, not vocab"
                               : "wordpiece reads its vocab.txt; vocab_size is for sentencepiece"));
    g.vocab = v.text("grid.vocab", "");
    g.vocab_size = v.integer("grid.vocab_size", 8000, 16, 1000000);
    g.max_seq_length = v.integer("grid.max_seq_length", 128, 3, 512);
    const auto metrics = datasets::selectable_metrics(*datasets::text_task_of_dataset(g.dataset));
    g.metric = v.choice("grid.metric", metrics.front(), metrics);
  } else {
    g.metric = v.choice("grid.metric", "accuracy", {"accuracy"});
    for (const char* key :
         {"grid.tokenizer", "grid.vocab", "grid.vocab_size", "grid.max_seq_length"})
      if (v.has(key))
        throw ConfigError(v.where(key) + ": only text datasets have a tokenizer; " + g.dataset +
                          " holds images");
  }
  TrainConfig defaults;
  defaults.augment = !text;  // crop and flip are image augmentations
  const TrainConfig base = v.role("train", defaults);
  g.teacher = v.role("teacher", base);
  g.student = v.role("student", base);

  read_takd_structure(g, source);
  for (const auto& m : g.methods) {
    if (!methods::builtin().contains(m))
      throw ConfigError(source + ": [grid] methods: unknown method '" + m +
                        "' (known: " + join(methods::builtin().names(), " ") + ")");
    g.method_params[m];  // every listed method has its (possibly empty) [method.NAME] entry
  }
  validate_models(g.students, source + ": [grid] students");
  g.teachers = v.words("grid.teachers", false);
  validate_models(g.teachers, source + ": [grid] teachers");

  // Epoch lists: their range (the teacher's epochs) is checked in validate_grid().
  for (const auto& tok : v.words("teacher.checkpoints", false)) {
    if (tok == "final") continue;  // always kept
    const int64_t epoch = parse_int(tok, v.where("teacher.checkpoints"));
    g.teacher_keep_checkpoints.push_back(static_cast<int>(epoch));
  }
  std::sort(g.teacher_keep_checkpoints.begin(), g.teacher_keep_checkpoints.end());
  g.teacher_keep_checkpoints.erase(
      std::unique(g.teacher_keep_checkpoints.begin(), g.teacher_keep_checkpoints.end()),
      g.teacher_keep_checkpoints.end());

  g.teacher_checkpoints.clear();
  for (const auto& tok : v.words("grid.teacher_checkpoints", false)) {
    const std::string where = v.where("grid.teacher_checkpoints");
    g.teacher_checkpoints.push_back(tok == "final" ? -1 : static_cast<int>(parse_int(tok, where)));
  }
  if (g.teacher_checkpoints.empty()) g.teacher_checkpoints = {-1};
}

// Ranks per task: [train]/[teacher]/[student] gang_size and [gang_size] MODEL = k.
void read_gang_sizes(GridSpec& g, const IniValues& v,
                     const std::map<std::string, std::string>& entries) {
  constexpr int64_t kMaxGang = 1 << 20;
  const int64_t both = v.integer("train.gang_size", 1, 1, kMaxGang);
  g.teacher_gang_size = static_cast<int>(v.integer("teacher.gang_size", both, 1, kMaxGang));
  g.student_gang_size = static_cast<int>(v.integer("student.gang_size", both, 1, kMaxGang));
  const std::string prefix = "gang_size.";
  for (const auto& [key, value] : entries) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string model = key.substr(prefix.size());
    validate_models({model}, g.path + ": [gang_size]");
    g.model_gang_size[model] = static_cast<int>(v.integer(key, 1, 1, kMaxGang));
  }
}

// [init] MODEL = DIR: every task of MODEL starts from that Hugging Face directory, whatever its
// role (a TAKD assistant of another size than the students it teaches, say). Text grids only; the
// model must be one the grid trains (a teacher, a student or a TAKD assistant).
void read_model_inits(GridSpec& g, const IniValues& v,
                      const std::map<std::string, std::string>& entries) {
  const std::string prefix = "init.";
  for (const auto& [key, value] : entries) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string model = key.substr(prefix.size());
    const auto in = [&](const std::vector<std::string>& names) {
      return std::find(names.begin(), names.end(), model) != names.end();
    };
    if (!in(g.teachers) && !in(g.students) && !in(g.takd_assistants))
      throw ConfigError(v.where(key) + ": " + model +
                        " is not a model of this grid (allowed: its teachers, students and TAKD "
                        "assistants)");
    if (!datasets::info(g.dataset).is_text())
      throw ConfigError(v.where(key) + ": init loads Hugging Face BERT weights; " + g.dataset +
                        " holds images");
    if (value.empty())
      throw ConfigError(v.where(key) + ": needs a directory (config.json, model.safetensors)");
    g.model_init[model] = value;
  }
}

// The checkpoint-search axis reads those teacher epochs, so the teachers keep them too.
void keep_searched_checkpoints(GridSpec& g) {
  auto& keep = g.teacher_keep_checkpoints;
  for (int e : g.teacher_checkpoints)
    if (e != -1 && std::find(keep.begin(), keep.end(), e) == keep.end()) keep.push_back(e);
  std::sort(keep.begin(), keep.end());
}

}  // namespace

GridSpec parse_grid_text(const std::string& text, const std::string& source,
                         const ParseOptions& opts) {
  GridSpec g;
  g.path = source;
  g.ini_text = text;
  const auto entries = read_entries(text, source, g.method_params);
  const IniValues v(source, entries);
  read_fields(g, v);
  read_gang_sizes(g, v, entries);
  validate_grid(g, v);
  read_model_inits(g, v, entries);
  read_pretrain(g, v, entries);
  keep_searched_checkpoints(g);
  if (opts.check_data_files) {
    datasets::DataConfig dc;
    dc.dataset = g.dataset;
    dc.data_dir = g.data_dir;
    dc.tokenizer = g.tokenizer;
    dc.vocab = g.vocab;
    try {
      datasets::check_files(dc);
    } catch (const Error& e) {
      throw ConfigError(source + ": [grid] data_dir: " + e.what());
    }
    check_pretrain_corpus(g);
  }
  return g;
}

std::string read_grid_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": cannot open grid file: it is a directory (expected an .ini file)");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open grid file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

GridSpec parse_grid_file(const std::string& path, const ParseOptions& opts) {
  return parse_grid_text(read_grid_file(path), path, opts);
}

}  // namespace kdbench::grid
