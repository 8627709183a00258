#include "kdbench/grid/shard.h"

#include <algorithm>
#include <numeric>
#include <regex>
#include <utility>

#include "kdbench/core/errors.h"

namespace kdbench::grid {
namespace {

void check_shard(int index, int count) {
  if (count < 1)
    throw ConfigError("--shard: shard count " + std::to_string(count) +
                      " is not allowed (expected I/K with K >= 1)");
  if (index < 0 || index >= count)
    throw ConfigError("--shard: shard index " + std::to_string(index) +
                      " is not allowed (expected I/K with 0 <= I < K = " + std::to_string(count) +
                      ")");
}

// Union-find over task positions; the root of a set is its earliest task.
size_t find_root(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

struct Component {
  std::vector<size_t> tasks;  // positions in graph.tasks, ascending
  double cost = 0;
};

std::vector<Component> components_of(const TaskGraph& graph) {
  const size_t n = graph.tasks.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t{0});
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& dep : graph.tasks[i].deps) {
      auto it = graph.index.find(dep);
      if (it == graph.index.end()) continue;  // not in this graph (e.g. already a shard)
      const size_t a = find_root(parent, i), b = find_root(parent, it->second);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  std::vector<Component> out;
  std::vector<size_t> slot(n, n);  // root position -> index in out
  for (size_t i = 0; i < n; ++i) {
    const size_t root = find_root(parent, i);
    if (slot[root] == n) {
      slot[root] = out.size();
      out.emplace_back();
    }
    Component& c = out[slot[root]];
    c.tasks.push_back(i);
    c.cost += graph.tasks[i].cost;
  }
  return out;
}

}  // namespace

ShardSpec parse_shard_spec(const std::string& text) {
  static const std::regex form(R"(^([0-9]{1,6})/([0-9]{1,6})$)");
  std::smatch m;
  if (!std::regex_match(text, m, form))
    throw ConfigError("--shard: '" + text +
                      "' is not allowed (expected I/K: shard I of K, 0 <= I < K, e.g. 0/4)");
  ShardSpec spec{std::stoi(m[1].str()), std::stoi(m[2].str())};
  check_shard(spec.index, spec.count);
  return spec;
}

std::vector<std::vector<std::string>> connected_components(const TaskGraph& graph) {
  std::vector<std::vector<std::string>> out;
  for (const Component& c : components_of(graph)) {
    out.emplace_back();
    for (size_t i : c.tasks) out.back().push_back(graph.tasks[i].key);
  }
  return out;
}

TaskGraph select_shard(const TaskGraph& graph, int index, int count) {
  check_shard(index, count);
  std::vector<Component> components = components_of(graph);
  // LPT: the most expensive component first; equal costs keep graph order (stable sort), so the
  // assignment is the same on every array task.
  std::stable_sort(components.begin(), components.end(),
                   [](const Component& a, const Component& b) { return a.cost > b.cost; });
  // Load = (cost, components): with equal (e.g. zero) costs the count spreads them round-robin.
  std::vector<std::pair<double, size_t>> load(static_cast<size_t>(count), {0.0, 0});
  std::vector<bool> selected(graph.tasks.size(), false);
  for (const Component& c : components) {
    const size_t target =
        static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[target].first += c.cost;
    load[target].second += 1;
    if (target == static_cast<size_t>(index))
      for (size_t i : c.tasks) selected[i] = true;
  }
  TaskGraph shard;
  for (size_t i = 0; i < graph.tasks.size(); ++i) {
    if (!selected[i]) continue;
    shard.index[graph.tasks[i].key] = shard.tasks.size();
    shard.tasks.push_back(graph.tasks[i]);
    // A TAKD auto choice lives in one component: its alternatives depend on all its baselines.
    for (const auto& alt : graph.tasks[i].alternative_of)
      shard.choices[alt.choice_id] = graph.choices.at(alt.choice_id);
  }
  return shard;
}

}  // namespace kdbench::grid
