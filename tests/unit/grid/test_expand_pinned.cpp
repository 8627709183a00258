// Pins expand()'s output on two representative grids: the keys and order of every task, and a
// digest of everything else a task carries (dependencies, alternatives, chains, kept checkpoints,
// resolved parameters, costs) and of the TAKD auto choices. The expected values were captured
// from expand() before it was split into a builder and a TAKD unit; a changed key makes users
// retrain finished work, so these must never be updated to follow a code change.
//
// To print the current values in the form used below: KDBENCH_PRINT_PINNED=1 ./test_grid.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "kdbench/core/hash.h"
#include "kdbench/grid/parse_grid.h"
#include "kdbench/grid/task_graph.h"

using namespace kdbench::grid;

namespace {

// TAKD `assistants = auto` with the checkpoint-search axis, Pro-KD (own trajectory) and
// Annealing-KD (two phases): cnn10 -> cnn2 is a choice between cnn6 and cnn4; cnn10 -> cnn4 and
// cnn6 -> cnn2 are fixed chains; cnn6 -> cnn4 is direct.
const char* const kAutoGrid = R"([grid]
name     = pinned-auto
data_dir = /nonexistent
teachers = cnn10 cnn6
students = cnn2 cnn4
methods  = nokd kd takd annealing prokd
seeds    = 1
teacher_checkpoints = 1 final
[train]
epochs = 2
train_subset = 320
[teacher]
epochs = 3
checkpoints = 2
[method.takd]
assistants = auto
[method.annealing]
tau_max = 2
)";

// An explicit TAKD path with a link override, unpaired teacher seeds and DKD.
const char* const kPathGrid = R"([grid]
name     = pinned-path
dataset  = cifar10
data_dir = /nonexistent
teachers = cnn10 cnn8
students = cnn2 cnn4
methods  = nokd takd dkd
seeds    = 1 2
teacher_seeds = 5
teacher_checkpoints = final 2
[train]
epochs = 3
lr_schedule = step 0.3 0.6
[teacher]
epochs = 4
[method.takd]
assistants = cnn6 cnn4
links = cnn10>cnn6:0.5:5
)";

TaskGraph graph_of(const std::string& text) {
  return expand(parse_grid_text(text, "pinned.ini", ParseOptions{false}));
}

std::string join_ints(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// "key label" per task, in graph order.
std::vector<std::string> keys_and_labels(const TaskGraph& g) {
  std::vector<std::string> out;
  for (const auto& t : g.tasks) out.push_back(t.key + " " + t.label());
  return out;
}

// Everything else expand() decides, as text (printed when the digest differs).
std::string details(const TaskGraph& g) {
  std::ostringstream os;
  os.precision(17);
  for (const auto& t : g.tasks) {
    os << t.key << " kind=" << t.kind << " model=" << t.model << " method=" << t.method
       << " variant=" << t.method_variant << " seed=" << t.seed
       << " params=" << t.method_params_resolved.dump() << " raw=";
    for (const auto& [k, v] : t.method_params) os << k << ":" << v << ",";
    os << " epochs=" << t.train.epochs << " total=" << t.total_epochs << " deps=";
    for (const auto& d : t.deps) os << d << ",";
    os << " teacher=" << t.teacher_key << "@" << t.teacher_checkpoint << ":" << t.teacher_model
       << ":" << t.teacher_epochs << " keep=" << join_ints(t.keep_checkpoints) << " chain=";
    for (const auto& m : t.chain) os << m << ",";
    os << " size=" << t.params_count << " macs=" << t.macs_per_image << " cost=" << t.cost
       << " alt=";
    for (const auto& a : t.alternative_of) os << a.choice_id << ":" << a.candidate << ",";
    os << "\n";
  }
  for (const auto& [id, c] : g.choices) {
    os << "choice " << id << " teacher=" << c.teacher_key << "@" << c.teacher_checkpoint
       << " student_baseline=" << c.student_baseline_key << " candidates=";
    for (const auto& cand : c.candidates) os << cand.model << ":" << cand.baseline_key << ",";
    os << "\n";
  }
  return os.str();
}

void print_if_asked(const char* name, const TaskGraph& g) {
  if (!std::getenv("KDBENCH_PRINT_PINNED")) return;
  std::cout << name << "\n";
  for (const auto& line : keys_and_labels(g)) std::cout << "      \"" << line << "\",\n";
  std::cout << "digest: " << kdbench::content_key(details(g)) << "\n";
}

void expect_pinned(const TaskGraph& g, const std::vector<std::string>& expected_keys,
                   const std::string& expected_digest) {
  EXPECT_EQ(keys_and_labels(g), expected_keys);
  const std::string text = details(g);
  EXPECT_EQ(kdbench::content_key(text), expected_digest) << text;
}

}  // namespace

TEST(ExpandPinned, TakdAutoGridKeepsItsKeysAndOrder) {
  const TaskGraph g = graph_of(kAutoGrid);
  print_if_asked("auto", g);
  expect_pinned(g,
                {
                    "a02b3933dd1ad0bdadd71183 teacher cnn10 seed 1",
                    "d63c6a8cb8378d6726e500da teacher cnn6 seed 1",
                    "34840826f1b9a859048ef64b student cnn2 nokd seed 1",
                    "ad0c98db9a1c1c281500927d student cnn2 kd<-cnn10@1 seed 1",
                    "a6554f19a03547315744bb4b student cnn2 kd<-cnn10 seed 1",
                    "65db42d23306c4cfacc898ef student cnn2 kd<-cnn6@1 seed 1",
                    "e7797b82e2744d3e3108354d student cnn2 kd<-cnn6 seed 1",
                    "dfb9b280c1897978a9d7d82f baseline cnn6 nokd seed 1",
                    "fb46a54709b212c3bad73d33 student cnn4 nokd seed 1",
                    "16270caacc7d76815f4c09f8 assistant cnn6 takd<-cnn10@1 seed 1",
                    "1d67dd22c9cb31b99862686a student cnn2 takd<-cnn6 seed 1",
                    "e574d214f25d4f7d0ca8345e assistant cnn4 takd<-cnn10@1 seed 1",
                    "5d4c4a15e6ab87e51203b143 student cnn2 takd<-cnn4 seed 1",
                    "2dc48fa25a835dbd1b1c8b7f assistant cnn6 takd<-cnn10 seed 1",
                    "eb7346f0a34d88465ea049a3 student cnn2 takd<-cnn6 seed 1",
                    "7ff14eaa0d54eab108e14d03 assistant cnn4 takd<-cnn10 seed 1",
                    "ce8a01d83a2dcadbe1406b97 student cnn2 takd<-cnn4 seed 1",
                    "0b1223e2d36b954b256c0af7 assistant cnn4 takd<-cnn6@1 seed 1",
                    "8776de299adb58439a14f13d student cnn2 takd<-cnn4 seed 1",
                    "17894903f7a655518d19c10e assistant cnn4 takd<-cnn6 seed 1",
                    "c60ca09fbceadd19b75f025c student cnn2 takd<-cnn4 seed 1",
                    "30a88f2d10d06c10440eb559 student cnn2 annealing<-cnn10@1 seed 1",
                    "a40bf9f878e92b9163c09828 student cnn2 annealing<-cnn10 seed 1",
                    "7232c0758342cea8a50f6234 student cnn2 annealing<-cnn6@1 seed 1",
                    "9251ea1317e0112e5f829c43 student cnn2 annealing<-cnn6 seed 1",
                    "346ed3ff83a072ad54428f3a student cnn2 prokd<-cnn10 seed 1",
                    "4f57ec5e6668b84b74745338 student cnn2 prokd<-cnn6 seed 1",
                    "bf554fbb7d21c8c6598ae451 student cnn4 kd<-cnn10@1 seed 1",
                    "1d9167e1d0c320318cac64fc student cnn4 kd<-cnn10 seed 1",
                    "db2d473f75ff21b3d41716da student cnn4 kd<-cnn6@1 seed 1",
                    "121cdacb335e7e9b01c21260 student cnn4 kd<-cnn6 seed 1",
                    "362f261e4428cb7578124d38 student cnn4 takd<-cnn6 seed 1",
                    "73e56bd93b8edc5ed6b6240c student cnn4 takd<-cnn6 seed 1",
                    "60d9eba14f49da24ffa9a968 student cnn4 takd<-cnn6@1 seed 1",
                    "f7684921dc87f578287c118f student cnn4 takd<-cnn6 seed 1",
                    "4d6d199dcc1c2129ee65598b student cnn4 annealing<-cnn10@1 seed 1",
                    "77142cf746050be2b299d85e student cnn4 annealing<-cnn10 seed 1",
                    "a0d763e69c6c6ee4c19fcb53 student cnn4 annealing<-cnn6@1 seed 1",
                    "65f4d88330f5e84a2e3a2e73 student cnn4 annealing<-cnn6 seed 1",
                    "e358b808a796379354b1d3e5 student cnn4 prokd<-cnn10 seed 1",
                    "0ebfcd4a49bf34b6b3e0c1cb student cnn4 prokd<-cnn6 seed 1",
                },
                "d63129c008abcf04dfa77f52");
}

TEST(ExpandPinned, TakdPathGridKeepsItsKeysAndOrder) {
  const TaskGraph g = graph_of(kPathGrid);
  print_if_asked("path", g);
  expect_pinned(g,
                {
                    "a8bf4fbe3e7b80139eca93e4 teacher cnn10 seed 5",
                    "fd90e7a2bb873f19d9dfb965 teacher cnn8 seed 5",
                    "98781b7b33a061e1850d2dcf student cnn2 nokd seed 1",
                    "99f4d85d0cd073fd937cbfbd assistant cnn6 takd<-cnn10 seed 1",
                    "30e328d652a84afe3440542c assistant cnn4 takd<-cnn6 seed 1",
                    "4f2475bf8475ac9661c82eed student cnn2 takd<-cnn4 seed 1",
                    "2540202b08a73540147f5665 assistant cnn6 takd<-cnn10@2 seed 1",
                    "9f6cc9f2370bb9d8880933b2 assistant cnn4 takd<-cnn6 seed 1",
                    "2271070c6398aff505856308 student cnn2 takd<-cnn4 seed 1",
                    "64a0e2fe8447167da751b028 assistant cnn6 takd<-cnn8 seed 1",
                    "ab539c039ab1e60c56645c52 assistant cnn4 takd<-cnn6 seed 1",
                    "f7187d94aa56c1e3e6d2dd94 student cnn2 takd<-cnn4 seed 1",
                    "5f4137217c9ebaf025b95c76 assistant cnn6 takd<-cnn8@2 seed 1",
                    "a09ee990c64e9fce9029027b assistant cnn4 takd<-cnn6 seed 1",
                    "c78b2b696a617318e77f2fdd student cnn2 takd<-cnn4 seed 1",
                    "15dff5272ef5741cbaa7370f student cnn2 dkd<-cnn10 seed 1",
                    "d1e361f544f9b17e72196896 student cnn2 dkd<-cnn10@2 seed 1",
                    "1f5280c577276bcb73464127 student cnn2 dkd<-cnn8 seed 1",
                    "37ca3c725f169c06e24d0fef student cnn2 dkd<-cnn8@2 seed 1",
                    "cbc16c7590a6b8824be2474a student cnn2 nokd seed 2",
                    "63719941efd874bb9efc6989 assistant cnn6 takd<-cnn10 seed 2",
                    "b61ae9953ffeadb051b523d8 assistant cnn4 takd<-cnn6 seed 2",
                    "468af0928bc5e3729bff8e16 student cnn2 takd<-cnn4 seed 2",
                    "ca94fccf589113bed6bc403b assistant cnn6 takd<-cnn10@2 seed 2",
                    "2e5864acc3296e7e829d9fd3 assistant cnn4 takd<-cnn6 seed 2",
                    "2882b790187261c836ba4f2b student cnn2 takd<-cnn4 seed 2",
                    "768c835d236cc0d938c8c8f5 assistant cnn6 takd<-cnn8 seed 2",
                    "6cd92deaee5c9b10ac2a4196 assistant cnn4 takd<-cnn6 seed 2",
                    "a80df7023cc35241af47087a student cnn2 takd<-cnn4 seed 2",
                    "5cfd4f220da0863883b62fd9 assistant cnn6 takd<-cnn8@2 seed 2",
                    "8b931118a3ab4916035bd981 assistant cnn4 takd<-cnn6 seed 2",
                    "d0eba4ed2da2bf24a50fa08f student cnn2 takd<-cnn4 seed 2",
                    "d5047cd5ffcc920d5cbd7c1a student cnn2 dkd<-cnn10 seed 2",
                    "66ff106dc28afbec7c0720e2 student cnn2 dkd<-cnn10@2 seed 2",
                    "52b1025857185540e1adf199 student cnn2 dkd<-cnn8 seed 2",
                    "0fa51aea43f3f34600e3496c student cnn2 dkd<-cnn8@2 seed 2",
                    "5daa70ef9af273ff2c81791d student cnn4 nokd seed 1",
                    "fe149d6fca38ed74677c9b9d student cnn4 takd<-cnn6 seed 1",
                    "914bd06012ed219a8c275a57 student cnn4 takd<-cnn6 seed 1",
                    "3ca7b1862fd5606fb4d47caf student cnn4 takd<-cnn6 seed 1",
                    "2edbe48e4aa6911a56ef6c5a student cnn4 takd<-cnn6 seed 1",
                    "9aaba66f4de5f1955dcce86b student cnn4 dkd<-cnn10 seed 1",
                    "1e9ad1ffa96aaf4471c1356d student cnn4 dkd<-cnn10@2 seed 1",
                    "85d3f89533fe0b8401abf3fd student cnn4 dkd<-cnn8 seed 1",
                    "66c6a341738696986cf2a260 student cnn4 dkd<-cnn8@2 seed 1",
                    "fc8bb41d7173f1b92f845c27 student cnn4 nokd seed 2",
                    "aeef70cf1f29d7174f7dd9b6 student cnn4 takd<-cnn6 seed 2",
                    "bde7f4eb0fb5c34980ad882f student cnn4 takd<-cnn6 seed 2",
                    "9e9b5c7739da973e31d44603 student cnn4 takd<-cnn6 seed 2",
                    "ba4ca4dafe480875d2b32d49 student cnn4 takd<-cnn6 seed 2",
                    "458e69058e873259a6a8930a student cnn4 dkd<-cnn10 seed 2",
                    "a620dff2f8e4b8205de51e4e student cnn4 dkd<-cnn10@2 seed 2",
                    "3e70b9926d137126ae5626b3 student cnn4 dkd<-cnn8 seed 2",
                    "9ab38526fdac14890c0ebbdc student cnn4 dkd<-cnn8@2 seed 2",
                },
                "15fa817ad82569b5095fd968");
}
