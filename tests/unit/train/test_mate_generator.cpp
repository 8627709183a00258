// Combined-KD's text generator (kdbench/train/mate_generator.h): a generator step raises
// MSE(z_s(x~), z_t(x~)) on a fixed batch with fixed networks and changes nothing but the
// generator; samples keep every unchosen token; the init leaves torch's generator alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kdbench/core/errors.h"
#include "kdbench/models/bert.h"
#include "kdbench/train/mate_generator.h"

namespace kdbench::train {
namespace {

constexpr int64_t kVocab = 40;

models::BertClassifier tiny_classifier(uint64_t seed, const std::string& name) {
  torch::manual_seed(seed);
  auto c = models::BertConfig::from_name(name);
  c.vocab_size = kVocab;
  models::BertClassifier net(c);
  net->eval();  // fixed networks: no dropout
  return net;
}

models::Inputs fixed_batch() {
  torch::manual_seed(11);
  models::Inputs x;
  x.input_ids = torch::randint(5, kVocab, {8, 12});
  x.input_ids.select(1, 0).fill_(2);   // [CLS]
  x.input_ids.select(1, 11).fill_(3);  // [SEP]
  x.attention_mask = torch::ones_like(x.input_ids);
  x.token_type_ids = torch::zeros_like(x.input_ids);
  return x;
}

MateTokens tiny_tokens() { return {kVocab, 12, /*mask_id=*/4, {2, 3, 0}}; }

methods::MateParams fast_params() {
  methods::MateParams p;
  p.generator = "bert-L1-H32-A2";
  p.generator_lr = 3e-2;  // the paper's 5e-7 would move nothing visible in a few steps
  p.generator_steps = 1;
  p.student_steps = 1;
  return p;
}

std::vector<torch::Tensor> copies(const torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

TEST(MateGenerator, StepsRaiseTheStudentTeacherGapAndTouchNothingElse) {
  auto student = tiny_classifier(1, "bert-L1-H32-A2");
  auto teacher = tiny_classifier(2, "bert-L2-H32-A2");
  const auto student_before = copies(*student), teacher_before = copies(*teacher);
  MateGenerator gen(fast_params(), tiny_tokens(), 7, torch::kCPU);
  gen.net().eval();  // the same generator forward for the same draws
  const auto x = fixed_batch();
  const InputsForward s = [&](const models::Inputs& v) { return student->forward(v); };
  const InputsForward t = [&](const models::Inputs& v) { return teacher->forward(v); };
  // The same masks and noise every time (the draws are reseeded): only the generator changes.
  const auto gap = [&]() {
    torch::manual_seed(5);
    return gen.adversary_step(x, s, t);  // the MSE before its own step
  };
  const double first = gap();
  for (int i = 0; i < 4; ++i) gap();
  const double later = gap();
  EXPECT_GT(later, first);
  for (size_t i = 0; i < student_before.size(); ++i) {
    EXPECT_TRUE(torch::equal(student->parameters()[i], student_before[i]));
    EXPECT_FALSE(student->parameters()[i].grad().defined());
  }
  for (size_t i = 0; i < teacher_before.size(); ++i)
    EXPECT_TRUE(torch::equal(teacher->parameters()[i], teacher_before[i]));
}

TEST(MateGenerator, SamplesReplaceOnlyChosenTokensWithPlainIds) {
  MateGenerator gen(fast_params(), tiny_tokens(), 7, torch::kCPU);
  const auto x = fixed_batch();
  torch::manual_seed(3);
  const auto xs = gen.sample(x);
  EXPECT_FALSE(xs.token_weights.defined());
  EXPECT_FALSE(xs.input_ids.requires_grad());
  // [CLS] and [SEP] stay; about 30 % of the 80 others may change.
  EXPECT_TRUE(torch::equal(xs.input_ids.select(1, 0), x.input_ids.select(1, 0)));
  EXPECT_TRUE(torch::equal(xs.input_ids.select(1, 11), x.input_ids.select(1, 11)));
  torch::manual_seed(3);
  const auto chosen = methods::mask_for_generator(x.input_ids, x.attention_mask, {2, 3, 0}, 0.3);
  EXPECT_TRUE(
      torch::equal(xs.input_ids.masked_select(~chosen), x.input_ids.masked_select(~chosen)));
  EXPECT_GT(chosen.sum().item<int64_t>(), 0);
}

TEST(MateGenerator, InitIsSeededAndLeavesTorchsGeneratorAlone) {
  torch::manual_seed(42);
  const auto expected = torch::rand({3});
  torch::manual_seed(42);
  MateGenerator a(fast_params(), tiny_tokens(), 7, torch::kCPU);
  EXPECT_TRUE(torch::equal(torch::rand({3}), expected));
  MateGenerator b(fast_params(), tiny_tokens(), 7, torch::kCPU);
  MateGenerator c(fast_params(), tiny_tokens(), 8, torch::kCPU);
  const auto pa = a.net().parameters(), pb = b.net().parameters(), pc = c.net().parameters();
  EXPECT_TRUE(torch::equal(pa[0], pb[0]));
  EXPECT_FALSE(torch::equal(pa[0], pc[0]));
}

TEST(MateGenerator, StartsFromAHuggingFaceDirectory) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kdbench-mate-init-" + std::to_string(::getpid()));
  auto c = models::BertConfig::from_name("bert-L1-H32-A2");
  c.vocab_size = kVocab;
  torch::manual_seed(9);
  models::BertMaskedLM saved(c);
  models::save_hf_dir(*saved, dir.string());
  auto p = fast_params();
  p.generator_init = dir.string();
  MateGenerator gen(p, tiny_tokens(), 7, torch::kCPU);
  const auto want = saved->named_parameters();
  for (const auto& item : gen.net().named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), want[item.key()])) << item.key();
  p.generator = "bert-L2-H32-A2";  // another architecture than the directory's
  EXPECT_THROW(MateGenerator(p, tiny_tokens(), 7, torch::kCPU), DataError);
  std::filesystem::remove_all(dir);
}

TEST(MateGenerator, BadGeneratorNamesAreConfigErrors) {
  auto p = fast_params();
  p.generator = "bert-L1-H33";
  EXPECT_THROW(MateGenerator(p, tiny_tokens(), 7, torch::kCPU), ConfigError);
}

}  // namespace
}  // namespace kdbench::train
