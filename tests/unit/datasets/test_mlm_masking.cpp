// BERT's masking rule (kdbench/datasets/mlm_masking.h): special ids and padding never chosen,
// labels exactly where chosen, the 15 % / 80-10-10 proportions over ~100k tokens, determinism per
// seed, and bad settings refused.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

#include "kdbench/core/errors.h"
#include "kdbench/datasets/mlm_masking.h"

namespace kdbench::datasets {
namespace {

// BERT's special ids: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103.
MlmMasking bert_masking() {
  MlmMasking m;
  m.mask_id = 103;
  m.vocab_size = 30522;
  m.special_ids = {0, 100, 101, 102, 103};
  return m;
}

// Rows "[CLS] w... [SEP] w... [SEP] [PAD]..." of random lengths 4..T, words in [1000, 30000).
struct Corpus {
  torch::Tensor ids, lengths;
};
Corpus corpus(int64_t rows, int64_t width, uint64_t seed) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  Corpus c;
  c.ids = torch::randint(1000, 30000, {rows, width}, g, torch::kLong);
  c.lengths = torch::randint(4, width + 1, {rows}, g, torch::kLong);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = c.lengths[r].item<int64_t>();
    c.ids[r][0] = 101;
    c.ids[r][n / 2] = 102;
    c.ids[r][n - 1] = 102;
    c.ids[r].slice(0, n).fill_(0);
    if (r % 7 == 0) c.ids[r][1] = 100;  // an [UNK] now and then
  }
  return c;
}

MaskedTokens masked(const Corpus& c, const MlmMasking& m, uint64_t seed) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return mask_tokens(c.ids, c.lengths, m, g);
}

TEST(MlmMasking, SpecialIdsAndPaddingAreNeverChosenAndLabelsMarkTheChosen) {
  const Corpus c = corpus(2000, 64, 1);
  const MaskedTokens out = masked(c, bert_masking(), 2);
  const auto chosen = out.labels.ne(kIgnoredLabel);
  const auto padding = torch::arange(64, torch::kLong).unsqueeze(0).ge(c.lengths.unsqueeze(1));
  auto special = padding.clone();
  for (int64_t id : {0, 100, 101, 102}) special |= c.ids.eq(id);
  EXPECT_EQ((chosen & special).sum().item<int64_t>(), 0);
  EXPECT_GT(chosen.sum().item<int64_t>(), 0);
  // Labels: the original id where chosen, -100 everywhere else; unchosen inputs untouched.
  EXPECT_TRUE(torch::equal(out.labels.masked_select(chosen), c.ids.masked_select(chosen)));
  EXPECT_TRUE(torch::equal(out.input_ids.masked_select(chosen.logical_not()),
                           c.ids.masked_select(chosen.logical_not())));
  // Padding ids beyond a row's length are not chosen even when they are ordinary words.
  Corpus words = c;
  words.ids = torch::full_like(c.ids, 5000);
  const auto w = masked(words, bert_masking(), 3);
  EXPECT_EQ((w.labels.ne(kIgnoredLabel) & padding).sum().item<int64_t>(), 0);
}

TEST(MlmMasking, ProportionsAreBerts) {
  // 1600 rows of 64 words (no specials, no padding): 102,400 candidates.
  MlmMasking m = bert_masking();
  Corpus c{torch::full({1600, 64}, 5000, torch::kLong), torch::full({1600}, 64, torch::kLong)};
  const MaskedTokens out = masked(c, m, 11);
  const auto chosen = out.labels.ne(kIgnoredLabel);
  const double n = 1600.0 * 64, k = chosen.sum().item<double>();
  // Binomial standard deviations: sqrt(n p (1-p)) = 114 of 15,360 chosen; 5 of them as bounds.
  EXPECT_NEAR(k / n, 0.15, 5 * std::sqrt(0.15 * 0.85 / n));
  const double as_mask = (chosen & out.input_ids.eq(103)).sum().item<double>();
  const double kept = (chosen & out.input_ids.eq(5000)).sum().item<double>();
  const double replaced = k - as_mask - kept;
  const double sd_80 = std::sqrt(0.8 * 0.2 / k), sd_10 = std::sqrt(0.1 * 0.9 / k);
  EXPECT_NEAR(as_mask / k, 0.8, 5 * sd_80);
  // A random replacement can draw 5000 itself (1 in 30,522): counted as kept, well within bounds.
  EXPECT_NEAR(kept / k, 0.1, 5 * sd_10);
  EXPECT_NEAR(replaced / k, 0.1, 5 * sd_10);
  // Random ids lie in the vocabulary and are spread over it.
  const auto random =
      out.input_ids.masked_select(chosen & out.input_ids.ne(103) & out.input_ids.ne(5000));
  EXPECT_GE(random.min().item<int64_t>(), 0);
  EXPECT_LT(random.max().item<int64_t>(), m.vocab_size);
  EXPECT_GT(std::get<0>(torch::_unique(random)).size(0), random.size(0) * 9 / 10);
  // Another probability: p = 0.4.
  m.probability = 0.4;
  const double k40 = masked(c, m, 12).labels.ne(kIgnoredLabel).sum().item<double>();
  EXPECT_NEAR(k40 / n, 0.4, 5 * std::sqrt(0.4 * 0.6 / n));
}

TEST(MlmMasking, TheSameSeedGivesTheSameMasks) {
  const Corpus c = corpus(300, 32, 4);
  const auto a = masked(c, bert_masking(), 9), b = masked(c, bert_masking(), 9);
  EXPECT_TRUE(torch::equal(a.input_ids, b.input_ids));
  EXPECT_TRUE(torch::equal(a.labels, b.labels));
  const auto other = masked(c, bert_masking(), 10);
  EXPECT_FALSE(torch::equal(a.labels, other.labels));
  // int32 ids (a TokenSet's) mask exactly as their int64 values.
  const auto narrow = masked({c.ids.to(torch::kInt), c.lengths}, bert_masking(), 9);
  EXPECT_TRUE(torch::equal(narrow.input_ids, a.input_ids));
  EXPECT_EQ(narrow.labels.scalar_type(), torch::kLong);
}

TEST(MlmMasking, BadSettingsAreConfigErrors) {
  const Corpus c = corpus(4, 8, 5);
  for (double p : {0.0, -0.1, 1.0, 1.5, std::nan("")}) {
    MlmMasking m = bert_masking();
    m.probability = p;
    EXPECT_THROW(masked(c, m, 1), ConfigError) << p;
  }
  MlmMasking m = bert_masking();
  m.probability = 0;
  try {
    check_masking(m);
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("strictly between 0 and 1"), std::string::npos);
  }
  m = bert_masking();
  m.mask_id = 30522;
  EXPECT_THROW(check_masking(m), ConfigError);
  m.vocab_size = 0;
  EXPECT_THROW(check_masking(m), ConfigError);
}

}  // namespace
}  // namespace kdbench::datasets
