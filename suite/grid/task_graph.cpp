#include "kdbench/grid/task_graph.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

#include "kdbench/methods/registry.h"
#include "kdbench/models/models.h"
#include "kdbench/core/errors.h"
#include "kdbench/core/hash.h"
#include "kdbench/core/strings.h"
#include "kdbench/datasets/dataset_info.h"

namespace kdbench::grid {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Canonical text of what changes a training run's result. eval_batch_size is left out: it does
// not change any number that is recorded.
std::string canonical(const TrainConfig& c) {
  std::string s = "epochs=" + std::to_string(c.epochs) + ";bs=" + std::to_string(c.batch_size) +
                  ";opt=" + c.optimizer + ";lr=" + num(c.lr) + ";mom=" + num(c.momentum) +
                  ";wd=" + num(c.weight_decay) + ";nesterov=" + std::to_string(c.nesterov) +
                  ";sched=" + c.lr_schedule.kind + ":" + num(c.lr_schedule.gamma);
  for (double m : c.lr_schedule.milestones) s += ":" + num(m);
  s += ";aug=" + std::to_string(c.augment) + ":" + std::to_string(c.augment_padding);
  return s;
}

std::string canonical_data(const GridSpec& g) {
  return "dataset=" + g.dataset + ";val=" + num(g.val_fraction) + ";split=" +
         std::to_string(g.split_seed) + ";train_subset=" + std::to_string(g.train_subset) +
         ";test_subset=" + std::to_string(g.test_subset);
}

// Nominal training-set size (for cost estimates only; the real size is known after loading).
double nominal_train_images(const GridSpec& g) {
  double n = static_cast<double>(datasets::info(g.dataset).train_size) * (1 - g.val_fraction);
  if (g.train_subset > 0) n = std::min(n, static_cast<double>(g.train_subset));
  return n;
}

double nominal_eval_images(const GridSpec& g) {
  const auto& info = datasets::info(g.dataset);
  const double full_test = static_cast<double>(info.test_size);
  const double test = g.test_subset > 0 ? std::min<double>(full_test, g.test_subset) : full_test;
  return static_cast<double>(info.train_size) * g.val_fraction + test;
}

// Depth-first, keeping the original order wherever the dependencies allow it.
void put_dependencies_first(TaskGraph& graph) {
  std::vector<Task> ordered;
  ordered.reserve(graph.tasks.size());
  std::vector<char> placed(graph.tasks.size(), 0);
  std::function<void(size_t)> place = [&](size_t i) {
    if (placed[i]) return;
    placed[i] = 1;
    for (const auto& dep : graph.tasks[i].deps) place(graph.index.at(dep));
    ordered.push_back(std::move(graph.tasks[i]));
  };
  for (size_t i = 0; i < graph.tasks.size(); ++i) place(i);
  graph.tasks = std::move(ordered);
  for (size_t i = 0; i < graph.tasks.size(); ++i) graph.index[graph.tasks[i].key] = i;
}

}  // namespace

std::vector<std::string> AssistantChoice::decision_keys() const {
  std::vector<std::string> keys = {teacher_key, student_baseline_key};
  for (const auto& c : candidates) keys.push_back(c.baseline_key);
  return keys;
}

std::string Task::label() const {
  std::string s = kind + " " + model;
  if (!method.empty()) s += " " + method;
  if (!teacher_model.empty()) {
    s += "<-" + teacher_model;
    if (teacher_checkpoint >= 0) s += "@" + std::to_string(teacher_checkpoint);
  }
  return s + " seed " + std::to_string(seed);
}

const Task& TaskGraph::at(const std::string& key) const {
  auto it = index.find(key);
  if (it == index.end()) throw Error("internal: no task with key " + key);
  return tasks[it->second];
}

std::vector<std::string> TaskGraph::dependents(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& t : tasks)
    if (std::find(t.deps.begin(), t.deps.end(), key) != t.deps.end()) out.push_back(t.key);
  return out;
}

std::map<std::string, double> TaskGraph::critical_paths() const {
  // Dependencies precede dependents in `tasks`, so one reverse pass suffices.
  std::map<std::string, double> longest;
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) longest[it->key] += it->cost;
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it)
    for (const auto& dep : it->deps) longest[dep] = std::max(longest[dep], at(dep).cost + longest[it->key]);
  return longest;
}

datasets::DataConfig data_config(const GridSpec& g) {
  datasets::DataConfig dc;
  dc.dataset = g.dataset;
  dc.data_dir = g.data_dir;
  dc.val_fraction = g.val_fraction;
  dc.split_seed = g.split_seed;
  dc.train_subset = g.train_subset;
  dc.test_subset = g.test_subset;
  return dc;
}

int64_t num_classes(const GridSpec& g) { return datasets::info(g.dataset).num_classes; }

InputShape input_shape(const GridSpec& g) { return datasets::info(g.dataset).shape; }

TaskGraph expand(const GridSpec& g) {
  TaskGraph graph;
  const int64_t classes = num_classes(g);
  const InputShape shape = input_shape(g);
  const double n_train = nominal_train_images(g), n_eval = nominal_eval_images(g);
  const std::string data = canonical_data(g);

  auto add = [&](Task t) -> const Task& {
    auto it = graph.index.find(t.key);
    if (it != graph.index.end()) return graph.tasks[it->second];
    graph.index[t.key] = graph.tasks.size();
    graph.tasks.push_back(std::move(t));
    return graph.tasks.back();
  };
  auto fill_model = [&](Task& t) {
    auto net = models::make(t.model, classes, shape);
    t.params_count = models::count_parameters(*net);
    t.macs_per_image = static_cast<double>(models::forward_macs(t.model, classes, shape));
  };

  // Teachers: one per (model, teacher seed).
  std::map<std::pair<std::string, int64_t>, std::string> teacher_keys;
  for (const auto& model : g.teachers)
    for (int64_t seed : g.teacher_seeds) {
      Task t;
      t.kind = "teacher";
      t.model = model;
      t.seed = seed;
      t.train = g.teacher;
      t.total_epochs = g.teacher.epochs;
      t.keep_checkpoints = g.teacher_keep_checkpoints;
      t.chain = {model};
      // Kept checkpoints are not part of the key: they do not change the teacher's result, and a
      // DONE teacher missing a checkpoint that a new grid needs is re-run by the coordinator.
      t.key = content_key("v1|teacher|model=" + model + "|seed=" + std::to_string(seed) + "|" +
                          data + "|" + canonical(g.teacher));
      fill_model(t);
      t.cost = t.total_epochs * (3 * t.macs_per_image * n_train + t.macs_per_image * n_eval);
      teacher_keys[{model, seed}] = add(std::move(t)).key;
    }

  const methods::TrainShape train_shape{g.student.epochs, g.student.batch_size, static_cast<int>(classes)};
  auto params_for = [&](const std::string& method) {
    const auto it = g.method_params.find(method);
    return it == g.method_params.end() ? methods::ParamMap{} : it->second;
  };
  // One student-side task (a student, or a TAKD assistant) learning from `upstream`.
  auto make_student = [&](const std::string& kind, const std::string& model, const std::string& method_name,
                          const methods::ParamMap& params, int64_t seed, const Task* upstream,
                          int upstream_checkpoint, std::vector<std::string> chain) -> const Task& {
    auto method = methods::builtin().make(method_name, params, train_shape);
    Task t;
    t.kind = kind;
    t.model = model;
    t.method = method_name;
    t.method_params = params;
    t.method_params_resolved = method->params_json();
    t.method_variant = method->variant();
    t.seed = seed;
    t.train = g.student;
    for (const auto& p : method->phases(g.student.epochs)) t.total_epochs += p.epochs;
    fill_model(t);
    chain.push_back(model);
    t.chain = chain;
    std::string key_text = "v1|" + kind + "|model=" + model + "|method=" + method_name + "|params=" +
                           t.method_params_resolved.dump() + "|seed=" + std::to_string(seed) + "|" + data + "|" +
                           canonical(g.student);
    double teacher_macs = 0;
    if (upstream) {
      t.teacher_key = upstream->key;
      t.teacher_model = upstream->model;
      t.teacher_checkpoint = upstream_checkpoint;
      t.teacher_epochs = upstream->total_epochs;
      t.deps = {upstream->key};
      key_text += "|teacher=" + upstream->key + "@" + std::to_string(upstream_checkpoint);
      teacher_macs = upstream->macs_per_image;
      // The upstream task must keep what this method reads.
      Task& up = graph.tasks[graph.index.at(upstream->key)];
      for (int e : method->required_teacher_checkpoints(up.total_epochs, g.student.epochs))
        if (std::find(up.keep_checkpoints.begin(), up.keep_checkpoints.end(), e) == up.keep_checkpoints.end())
          up.keep_checkpoints.push_back(e);
      std::sort(up.keep_checkpoints.begin(), up.keep_checkpoints.end());
    }
    t.key = content_key(key_text);
    t.cost = t.total_epochs * ((3 * t.macs_per_image + teacher_macs) * n_train + t.macs_per_image * n_eval);
    return add(std::move(t));
  };

  std::map<std::string, int64_t> size_cache;
  auto size_of = [&](const std::string& model) {
    auto it = size_cache.find(model);
    if (it == size_cache.end())
      it = size_cache.emplace(model, models::count_parameters(*models::make(model, classes, shape))).first;
    return it->second;
  };
  auto mutable_task = [&](const std::string& key) -> Task& { return graph.tasks[graph.index.at(key)]; };
  auto link_params = [&](const std::string& up, const std::string& down, const methods::ParamMap& fallback) {
    const auto link = g.takd_links.find(up + ">" + down);
    return link == g.takd_links.end() ? fallback : link->second;
  };
  // The no-KD run the TAKD auto rule reads for `model`: the grid's own nokd student run when the
  // model is a student (same key, so shared), else a `baseline` run the reports leave out.
  auto baseline = [&](const std::string& model, int64_t seed) {
    const bool is_student = std::find(g.students.begin(), g.students.end(), model) != g.students.end();
    return make_student(is_student ? "student" : "baseline", model, "nokd", params_for("nokd"), seed, nullptr, -1, {})
        .key;
  };
  // TAKD auto candidates: the grid's models strictly between teacher and student in size, largest first.
  auto auto_candidates = [&](int64_t hi, int64_t lo) {
    std::vector<std::string> out;
    for (const auto* list : {&g.teachers, &g.students})
      for (const auto& m : *list)
        if (size_of(m) < hi && size_of(m) > lo && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return size_of(a) > size_of(b); });
    return out;
  };
  // Dependencies an assistant has only because it is an alternative (not its upstream).
  std::map<std::string, std::set<std::string>> decision_deps;
  // One alternative per candidate (see AssistantChoice); the student cell runs the chosen one.
  auto add_assistant_choice = [&](const std::string& student, int64_t seed, const std::string& teacher_key,
                                  int checkpoint, const std::vector<std::string>& candidates,
                                  const methods::ParamMap& params) {
    const std::string teacher_model = graph.at(teacher_key).model;  // copy: adding tasks moves them
    AssistantChoice choice;
    choice.id = "student " + student + " takd<-" + teacher_model +
                (checkpoint >= 0 ? "@" + std::to_string(checkpoint) : "") + " seed " + std::to_string(seed);
    choice.teacher_key = teacher_key;
    choice.teacher_checkpoint = checkpoint;
    choice.student_baseline_key = baseline(student, seed);
    for (const auto& c : candidates) choice.candidates.push_back({c, baseline(c, seed)});
    const auto decision_keys = choice.decision_keys();
    for (const auto& c : candidates) {
      const std::string assistant_key =
          make_student("assistant", c, "takd", link_params(teacher_model, c, params), seed, &graph.at(teacher_key),
                       checkpoint, {teacher_model})
              .key;
      Task& assistant = mutable_task(assistant_key);
      for (const auto& k : decision_keys)
        if (std::find(assistant.deps.begin(), assistant.deps.end(), k) == assistant.deps.end()) {
          assistant.deps.push_back(k);
          decision_deps[assistant_key].insert(k);
        }
      assistant.alternative_of.push_back({choice.id, c});
      const std::vector<std::string> chain = assistant.chain;
      const std::string student_key = make_student("student", student, "takd", link_params(c, student, params), seed,
                                                   &graph.at(assistant_key), -1, chain)
                                          .key;
      // The student waits for the decision too: its assistant may also run unconditionally
      // (another cell's fixed chain) and finish before the baselines.
      Task& alternative_student = mutable_task(student_key);
      alternative_student.deps.insert(alternative_student.deps.end(), decision_keys.begin(), decision_keys.end());
      alternative_student.alternative_of.push_back({choice.id, c});
    }
    graph.choices[choice.id] = std::move(choice);
  };

  // Tasks some cell needs whatever TAKD auto chooses (they may also be alternatives elsewhere).
  std::set<std::string> unconditional;
  for (const auto& student : g.students)
    for (size_t si = 0; si < g.seeds.size(); ++si)
      for (const auto& method_name : g.methods) {
        const methods::ParamMap params = params_for(method_name);
        const int64_t seed = g.seeds[si];
        const auto method = methods::builtin().make(method_name, params, train_shape);
        if (!method->uses_teacher()) {
          unconditional.insert(make_student("student", student, method_name, params, seed, nullptr, -1, {}).key);
          continue;
        }
        const int64_t tseed = g.teacher_seeds[si % g.teacher_seeds.size()];
        // A method that walks the teacher's trajectory itself (Pro-KD) is not crossed with the
        // checkpoint-search axis: it runs once per teacher.
        const bool own_trajectory =
            !method->required_teacher_checkpoints(g.teacher.epochs, g.student.epochs).empty();
        const std::vector<int> checkpoints = own_trajectory ? std::vector<int>{-1} : g.teacher_checkpoints;
        for (const auto& teacher_model : g.teachers)
          for (int checkpoint : checkpoints) {
            const std::string teacher_key = teacher_keys.at({teacher_model, tseed});
            std::string upstream_key = teacher_key;
            std::vector<std::string> chain = {teacher_model};
            int upstream_checkpoint = checkpoint;
            if (method_name == "takd") {
              // Assistants strictly between teacher and student in size (the TAKD rule); others are
              // skipped for this pair, so a teacher sweep can share one assistant list.
              const int64_t hi = size_of(teacher_model), lo = size_of(student);
              std::vector<std::string> path;
              if (g.takd_auto) {
                path = auto_candidates(hi, lo);
                if (path.size() > 1) {
                  add_assistant_choice(student, seed, teacher_key, checkpoint, path, params);
                  continue;
                }
              } else {
                for (const auto& a : g.takd_assistants)
                  if (size_of(a) < hi && size_of(a) > lo) path.push_back(a);
              }
              for (const auto& assistant : path) {
                const Task& a = make_student("assistant", assistant, "takd",
                                             link_params(graph.at(upstream_key).model, assistant, params), seed,
                                             &graph.at(upstream_key), upstream_checkpoint, chain);
                chain = a.chain;
                upstream_key = a.key;
                unconditional.insert(a.key);
                upstream_checkpoint = -1;
              }
            }
            const methods::ParamMap student_params =
                method_name == "takd" ? link_params(graph.at(upstream_key).model, student, params) : params;
            unconditional.insert(make_student("student", student, method_name, student_params, seed,
                                              &graph.at(upstream_key), upstream_checkpoint, chain)
                                     .key);
          }
      }
  // A task some cell needs anyway is no alternative and need not wait for any decision (the
  // alternative students taught by it still do).
  for (auto& t : graph.tasks) {
    if (!unconditional.count(t.key)) continue;
    t.alternative_of.clear();
    if (auto d = decision_deps.find(t.key); d != decision_deps.end()) {
      const auto only_for_decision = [&](const std::string& k) { return d->second.count(k) > 0; };
      t.deps.erase(std::remove_if(t.deps.begin(), t.deps.end(), only_for_decision), t.deps.end());
    }
  }
  // An assistant shared by several TAKD auto cells gained dependencies on baselines added after
  // it: restore the order "dependencies first" that the scheduler and sharding rely on.
  put_dependencies_first(graph);
  return graph;
}

}  // namespace kdbench::grid
