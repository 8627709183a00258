// The one place that lists kdbench's methods (docs/design.md §4: explicit registry).
#include "kdbench/methods/annealing.h"
#include "kdbench/methods/combined.h"
#include "kdbench/methods/continuation.h"
#include "kdbench/methods/dist.h"
#include "kdbench/methods/dkd.h"
#include "kdbench/methods/kd.h"
#include "kdbench/methods/nokd.h"
#include "kdbench/methods/prokd.h"
#include "kdbench/methods/registry.h"
#include "kdbench/methods/takd.h"

namespace kdbench::methods {

void register_builtin_methods(Registry& r) {
  r.add("nokd", "baseline: cross-entropy only", &NoKd::create);
  r.add("kd", "Hinton KD: (1-a) CE + a tau^2 KL_batchmean", &Kd::create);
  r.add("takd", "teacher-assistant KD link: (1-l) CE + l tau^2 KL_elementmean", &Takd::create);
  r.add("annealing", "Annealing-KD: MSE(z_s, Phi z_t) for E1 epochs, then CE for E2",
        &Annealing::create);
  r.add("prokd", "Pro-KD: KD from the teacher's checkpoint trajectory, tau annealed to 1",
        &Prokd::create);
  r.add("continuation", "Continuation-KD: psi CE + (1-psi) hinge MSE(z_s, phi z_t)",
        &Continuation::create);
  r.add("combined", "Combined-KD (vision): annealing on clean + adversarial inputs",
        &Combined::create);
  r.add("dkd", "Decoupled KD: CE + warmup (alpha TCKD + beta NCKD)", &Dkd::create);
  r.add("dist", "DIST: CE + tau^2 (beta inter + gamma intra) Pearson relations", &Dist::create);
}

}  // namespace kdbench::methods
