// --shard I/K: whole DAG components per shard, LPT by cost, a partition of the graph.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "grid_fixture.h"
#include "kdbench/core/errors.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/shard.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench::grid;

namespace {

TaskGraph graph_of(const std::string& text) {
  return expand(parse_grid_text(text, "g.ini", ParseOptions{false}));
}

std::string takd_grid() {
  std::string ini = base_grid();
  ini.replace(ini.find("teachers = cnn4 cnn8"), 20, "teachers = cnn8 cnn10");
  ini.replace(ini.find("students = cnn2"), 15, "students = cnn2 cnn4");
  ini.replace(ini.find("methods  = nokd kd"), 18, "methods  = nokd kd takd");
  return ini + "[method.takd]\nassistants = cnn6 cnn4\n";
}

// A hand-made graph: (key, cost, deps) in graph order.
TaskGraph synthetic(
    const std::vector<std::tuple<std::string, double, std::vector<std::string>>>& rows) {
  TaskGraph g;
  for (const auto& [key, cost, deps] : rows) {
    Task t;
    t.key = key;
    t.cost = cost;
    t.deps = deps;
    g.index[key] = g.tasks.size();
    g.tasks.push_back(t);
  }
  return g;
}

std::vector<std::string> keys_of(const TaskGraph& g) {
  std::vector<std::string> keys;
  for (const auto& t : g.tasks) keys.push_back(t.key);
  return keys;
}

void expect_error_naming_shard(const std::function<void()>& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << what << ": no ConfigError";
  } catch (const kdbench::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--shard"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
  }
}

// Every shard of `count`: disjoint, together the whole graph, closed under dependencies and
// dependents, dependencies before dependents, index consistent.
void expect_partition(const TaskGraph& g, int count) {
  std::map<std::string, int> owner;
  for (int i = 0; i < count; ++i) {
    const TaskGraph shard = select_shard(g, i, count);
    ASSERT_EQ(shard.index.size(), shard.tasks.size());
    for (size_t pos = 0; pos < shard.tasks.size(); ++pos) {
      const Task& t = shard.tasks[pos];
      EXPECT_EQ(shard.index.at(t.key), pos);
      EXPECT_TRUE(owner.emplace(t.key, i).second) << t.key << " is in two shards";
      for (const auto& d : t.deps) {
        ASSERT_TRUE(shard.contains(d))
            << "shard " << i << "/" << count << " lacks dependency " << d;
        EXPECT_LT(shard.index.at(d), pos);
      }
      for (const auto& d : g.dependents(t.key))
        EXPECT_TRUE(shard.contains(d)) << "shard " << i << "/" << count << " lacks dependent " << d;
    }
  }
  EXPECT_EQ(owner.size(), g.tasks.size()) << "shards together must be the whole graph";
}

}  // namespace

TEST(Shard, ParsesIndexOverCount) {
  EXPECT_EQ(parse_shard_spec("0/1").index, 0);
  EXPECT_EQ(parse_shard_spec("0/1").count, 1);
  EXPECT_EQ(parse_shard_spec("2/3").index, 2);
  EXPECT_EQ(parse_shard_spec("2/3").count, 3);
  EXPECT_EQ(parse_shard_spec("11/12").index, 11);
}

TEST(Shard, RejectsBadSpecs) {
  for (const std::string bad : {"3/3", "4/3", "-1/2", "1/0", "0/0", "a/b", "1", "1/2/3", " 1/2",
                                "1/2 ", "", "1/-2", "0.5/2", "9999999/99999999", "1/2;rm"})
    expect_error_naming_shard([&] { parse_shard_spec(bad); }, "'" + bad + "'");
  const TaskGraph g = graph_of(base_grid());
  expect_error_naming_shard([&] { select_shard(g, 0, 0); }, "count 0");
  expect_error_naming_shard([&] { select_shard(g, 2, 2); }, "index 2 of 2");
  expect_error_naming_shard([&] { select_shard(g, -1, 2); }, "index -1");
}

TEST(Shard, ComponentsAreTeacherSubtreesAndLoneTasks) {
  const TaskGraph g = graph_of(base_grid());
  const auto components = connected_components(g);
  // 2 teachers x 2 seeds, each with its one kd student (seeds paired); nokd x 2 seeds alone.
  ASSERT_EQ(components.size(), 6u);
  size_t pairs = 0, singles = 0;
  for (const auto& c : components) {
    if (c.size() == 1) {
      ++singles;
      EXPECT_EQ(g.at(c[0]).method, "nokd");
    } else {
      ++pairs;
      ASSERT_EQ(c.size(), 2u);
      EXPECT_EQ(g.at(c[0]).kind, "teacher");
      EXPECT_EQ(g.at(c[1]).deps, std::vector<std::string>{c[0]});
    }
  }
  EXPECT_EQ(pairs, 4u);
  EXPECT_EQ(singles, 2u);
}

TEST(Shard, SharedAssistantsJoinTheirTeachersComponents) {
  const TaskGraph g = graph_of(takd_grid());
  const auto components = connected_components(g);
  std::map<std::string, size_t> component_of;
  size_t total = 0;
  for (size_t i = 0; i < components.size(); ++i) {
    total += components[i].size();
    for (const auto& key : components[i]) component_of[key] = i;
  }
  EXPECT_EQ(total, g.tasks.size());
  EXPECT_EQ(component_of.size(), g.tasks.size());
  for (const auto& t : g.tasks)
    for (const auto& d : t.deps) EXPECT_EQ(component_of.at(d), component_of.at(t.key)) << t.label();
  // A teacher's component holds its kd students, takd assistants and takd students.
  bool saw_assistant = false;
  for (const auto& t : g.tasks)
    if (t.kind == "assistant") {
      saw_assistant = true;
      EXPECT_GE(components[component_of.at(t.key)].size(), 3u);
    }
  EXPECT_TRUE(saw_assistant);
}

TEST(Shard, EveryCountPartitionsTheGraph) {
  for (const std::string& ini : {base_grid(), takd_grid()}) {
    const TaskGraph g = graph_of(ini);
    for (int count = 1; count <= 9; ++count) expect_partition(g, count);
    EXPECT_EQ(keys_of(select_shard(g, 0, 1)), keys_of(g)) << "one shard is the whole graph";
  }
}

TEST(Shard, LargestComponentFirstToTheLeastLoadedShard) {
  // Components (cost): A = a1 + a2 (4 + 3 = 7), B (5), C (4), D (3), E (3).
  // LPT with 2 shards: A -> 0 (7); B -> 1 (5); C -> 1 (9); D -> 0 (10); E -> 1 (12).
  const TaskGraph g = synthetic(
      {{"D", 3, {}}, {"a1", 4, {}}, {"C", 4, {}}, {"B", 5, {}}, {"a2", 3, {"a1"}}, {"E", 3, {}}});
  EXPECT_EQ(keys_of(select_shard(g, 0, 2)), (std::vector<std::string>{"D", "a1", "a2"}));
  EXPECT_EQ(keys_of(select_shard(g, 1, 2)), (std::vector<std::string>{"C", "B", "E"}));
  // 3 shards: A -> 0 (7); B -> 1 (5); C -> 2 (4); D -> 2 (7); E -> 1 (8).
  EXPECT_EQ(keys_of(select_shard(g, 0, 3)), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(keys_of(select_shard(g, 1, 3)), (std::vector<std::string>{"B", "E"}));
  EXPECT_EQ(keys_of(select_shard(g, 2, 3)), (std::vector<std::string>{"D", "C"}));
  // More shards than components: the extra ones are empty.
  EXPECT_TRUE(select_shard(g, 5, 6).tasks.empty());
  expect_partition(g, 6);
}

TEST(Shard, EqualCostsSpreadEvenlyAndDeterministically) {
  const TaskGraph g =
      synthetic({{"w", 0, {}}, {"x", 0, {}}, {"y", 0, {}}, {"z", 0, {}}, {"v", 0, {}}});
  EXPECT_EQ(keys_of(select_shard(g, 0, 2)), (std::vector<std::string>{"w", "y", "v"}));
  EXPECT_EQ(keys_of(select_shard(g, 1, 2)), (std::vector<std::string>{"x", "z"}));
  const TaskGraph real = graph_of(takd_grid());
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(keys_of(select_shard(real, i, 4)), keys_of(select_shard(real, i, 4)));
}

TEST(Shard, TakdAutoChoicesTravelWithTheirAlternatives) {
  std::string ini = takd_grid();
  ini.replace(ini.find("assistants = cnn6 cnn4"), 22, "assistants = auto");
  ini.replace(ini.find("students = cnn2 cnn4"), 20, "students = cnn2 cnn4 cnn6");
  const auto g = graph_of(ini);
  ASSERT_FALSE(g.choices.empty());
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const auto shard = select_shard(g, i, 3);
    for (const auto& [id, choice] : shard.choices) {
      seen.insert(id);
      // The rule's inputs are in the same shard as the alternatives (they are dependencies).
      for (const auto& k : choice.decision_keys()) EXPECT_TRUE(shard.contains(k)) << id;
    }
    for (const auto& t : shard.tasks)
      for (const auto& alt : t.alternative_of)
        EXPECT_TRUE(shard.choices.count(alt.choice_id)) << t.label();
  }
  EXPECT_EQ(seen.size(), g.choices.size());
}
