// Identities between methods, derived by hand and asserted numerically:
// TAKD's elementmean vs batchmean, DKD's decomposition of classic KD, DIST's closed form on a
// batch of two, and Continuation-KD (m = 0, step psi) == Annealing-KD epoch by epoch.
#include <gtest/gtest.h>

#include "kdbench/methods/dist.h"
#include "kdbench/methods/dkd.h"
#include "kdbench/methods/losses.h"
#include "method_test_support.h"

namespace kdbench::methods::testing {
namespace {

torch::Tensor randn(int64_t b, int64_t c, double scale, uint64_t seed) {
  torch::manual_seed(seed);
  return scale * torch::randn({b, c}, torch::kFloat64);
}

TEST(TakdIdentity, ElementmeanIsBatchmeanOverC) {
  // With lambda = 1 only the KD term remains; elementmean divides by B*C, batchmean by B.
  const int64_t b = 6, c = 7;
  const auto zs = randn(b, c, 2.0, 1), zt = randn(b, c, 3.0, 2);
  const auto y = torch::randint(c, {b}, torch::kInt64);
  const auto ctx = step_at(1, 10);
  const auto em = make_method("takd", {{"lambda", "1"}, {"reduction", "elementmean"}});
  const auto bm = make_method("takd", {{"lambda", "1"}, {"reduction", "batchmean"}});
  const auto e = loss_and_grad(*em, zs, zt, y, ctx), m = loss_and_grad(*bm, zs, zt, y, ctx);
  EXPECT_GT(e.value, 0.0);
  EXPECT_TRUE(near_rel(m.value, c * e.value, 1e-12));
  EXPECT_TRUE(all_close(m.grad, c * e.grad, 1e-12));
}

TEST(DkdIdentity, TckdPlusWeightedNckdIsClassicKd) {
  // Per sample, with p = softmax(z/tau), b = [p_gt, 1 - p_gt], p^_c = p_c / (1 - p_gt), c != gt:
  //   KL(p_t||p_s) = p_t,gt log(p_t,gt/p_s,gt) + sum_{c!=gt} p_t,c log(p_t,c/p_s,c)
  //   and for c != gt, log(p_t,c/p_s,c) = log(b_t,rest/b_s,rest) + log(p^_t,c/p^_s,c), so
  //   KL(p_t||p_s) = KL(b_t||b_s) + (1 - p_t,gt) KL(p^_t||p^_s).
  // With DKD's tau^2 factors: tau^2 KL = TCKD + (1 - p^tau_t,gt) NCKD, i.e. KD's soft term.
  const int64_t b = 5, c = 6;
  const double tau = 3.0;
  const auto zs = randn(b, c, 2.0, 3), zt = randn(b, c, 2.5, 4);
  const auto y = torch::tensor({0, 5, 2, 2, 3}, torch::kInt64);
  const auto terms = dkd_terms(zs, zt, y, tau);
  const auto pt_gt = torch::softmax(zt / tau, 1).gather(1, y.view({-1, 1})).squeeze(1);
  const auto recomposed = terms.tckd + (1.0 - pt_gt) * terms.nckd;
  for (int64_t i = 0; i < b; ++i) {
    const auto kl_i = kl_div_with_temperature(zs.slice(0, i, i + 1), zt.slice(0, i, i + 1), tau,
                                              Reduction::BatchMean);
    EXPECT_TRUE(near_rel(recomposed[i].item<double>(), tau * tau * kl_i.item<double>(), 1e-12))
        << "sample " << i;
  }
  // The batch mean is the kd method's loss with alpha = 1 (soft term only).
  const auto kd = make_method("kd", {{"alpha", "1"}, {"temperature", "3"}});
  EXPECT_TRUE(near_rel(recomposed.mean().item<double>(),
                       loss_and_grad(*kd, zs, zt, y, step_at(1, 1)).value, 1e-12));
}

TEST(DkdIdentity, DroppedTargetEqualsThousandOffsetForOrdinaryLogits) {
  // The official code's p^ (docs/methods.md §8) = softmax((z - 1000 onehot(y)) / tau), evaluated
  // literally, against the exact non-target softmax DKD uses.
  const int64_t b = 4, c = 5;
  const double tau = 4.0;
  const auto zs = randn(b, c, 5.0, 5), zt = randn(b, c, 5.0, 6);
  const auto y = torch::tensor({1, 0, 4, 1}, torch::kInt64);
  const auto onehot = torch::one_hot(y, c).to(torch::kFloat64);
  const auto log_ps = torch::log_softmax((zs - 1000.0 * onehot) / tau, 1);
  const auto pt = torch::softmax((zt - 1000.0 * onehot) / tau, 1);
  const auto nckd_offset = tau * tau * (pt * (pt.log() - log_ps)).nan_to_num(0.0).sum(1);
  EXPECT_TRUE(all_close(dkd_terms(zs, zt, y, tau).nckd, nckd_offset, 1e-12));

  // Where rivals of the target sit at -1e4, the offset no longer masks the target (the teacher's
  // "non-target" distribution would be the target itself); the dropped-target form stays right:
  // all non-targets equal -> uniform, so KL against a uniform student is 0.
  auto zt_far = torch::full({1, c}, -1e4, torch::kFloat64);
  zt_far[0][2] = 7.0;
  const auto zs_uniform_rest = torch::zeros({1, c}, torch::kFloat64);
  const auto y2 = torch::tensor({2}, torch::kInt64);
  EXPECT_NEAR(dkd_terms(zs_uniform_rest, zt_far, y2, tau).nckd.item<double>(), 0.0, 1e-12);
}

TEST(DistIdentity, IntraOnABatchOfTwoIsClosedForm) {
  // With B = 2 a centred column is (a, -a), a = (Y[0,j] - Y[1,j]) / 2, so
  //   rho_j = 2 a_j b_j / (2 |a_j| |b_j| + eps) = +-1 up to eps, and intra = 1 - mean_j rho_j.
  const double eps = 1e-8, tau = 4.0;
  const auto dist = make_method("dist", {}, {20, 2, 5});
  const auto* d = dynamic_cast<const Dist*>(dist.get());
  ASSERT_NE(d, nullptr);
  const auto zs = randn(2, 5, 3.0, 7), zt = randn(2, 5, 3.0, 8);
  const auto ys = torch::softmax(zs / tau, 1), yt = torch::softmax(zt / tau, 1);
  double sum = 0.0;
  for (int64_t j = 0; j < 5; ++j) {
    const double a = (ys[0][j].item<double>() - ys[1][j].item<double>()) / 2;
    const double b = (yt[0][j].item<double>() - yt[1][j].item<double>()) / 2;
    sum += 2 * a * b / (2 * std::abs(a) * std::abs(b) + eps);
  }
  EXPECT_TRUE(near_rel(d->intra(zs, zt).item<double>(), 1.0 - sum / 5, 1e-12));

  // Teacher = student with its two rows swapped: every column is perfectly anti-correlated,
  // intra = 1 + mean_j 2 d_j^2 / (2 d_j^2 + eps) (~2), while inter of identical rows is ~0.
  const auto swapped = zs.flip(0);
  double anti = 0.0;
  for (int64_t j = 0; j < 5; ++j) {
    const double dj = (ys[0][j].item<double>() - ys[1][j].item<double>()) / 2;
    anti += 2 * dj * dj / (2 * dj * dj + eps);
  }
  EXPECT_TRUE(near_rel(d->intra(zs, swapped).item<double>(), 1.0 + anti / 5, 1e-12));
  EXPECT_GT(d->intra(zs, swapped).item<double>(), 1.99);
  EXPECT_NEAR(d->inter(zs, zs).item<double>(), 0.0, 1e-6);
}

TEST(ContinuationIdentity, MarginZeroStepPsiReproducesAnnealingEpochByEpoch) {
  const int e1 = 12, e2 = 5, tau_max = 4;
  const auto annealing =
      make_method("annealing", {{"tau_max", "4"}, {"stage1_epochs", "12"}, {"stage2_epochs", "5"}});
  const auto continuation = make_method("continuation",
                                        {{"t_max", "4"},
                                         {"margin", "0"},
                                         {"psi", "step"},
                                         {"psi_epochs", "12"},
                                         {"anneal_epochs", "12"}},
                                        {e1 + e2, 8, 6});
  const auto zs = randn(8, 6, 2.0, 9), zt = randn(8, 6, 3.0, 10);
  const auto y = torch::randint(6, {8}, torch::kInt64);
  std::vector<double> losses;
  for (int epoch = 1; epoch <= e1 + e2; ++epoch) {
    const bool stage1 = epoch <= e1;
    const auto actx =
        stage1 ? step_at(epoch, e1 + e2, 0, epoch, e1) : step_at(epoch, e1 + e2, 1, epoch - e1, e2);
    const auto a = loss_and_grad(*annealing, zs, zt, y, actx);
    const auto c = loss_and_grad(*continuation, zs, zt, y, step_at(epoch, e1 + e2));
    EXPECT_TRUE(near_rel(c.value, a.value, 1e-12)) << "epoch " << epoch;
    EXPECT_TRUE(all_close(c.grad, a.grad, 1e-12)) << "epoch " << epoch;
    losses.push_back(a.value);
  }
  // The algebra behind it, in stage I (psi = 0, m = 0): per-sample errors are >= 0 so the hinge
  // never clips, and with C classes per row, mean_b mean_c = sum / (B C) = elementmean MSE.
  const double phi = 1.0 / tau_max;
  const auto sq = (zs - phi * zt).square();
  const auto per_sample = sq.mean(1);
  EXPECT_TRUE(torch::equal(per_sample.clamp_min(0.0), per_sample));
  EXPECT_TRUE(near_rel(per_sample.mean().item<double>(), sq.mean().item<double>(), 1e-14));
  EXPECT_TRUE(near_rel(losses[0], sq.mean().item<double>(), 1e-12));
  // And the sequence really changes: Phi grows over stage I, then CE takes over.
  EXPECT_NE(losses[0], losses[e1 - 1]);
  EXPECT_TRUE(near_rel(losses[e1], cross_entropy(zs, y).item<double>(), 1e-12));
}

}  // namespace
}  // namespace kdbench::methods::testing
