// The one place that lists kdbench's methods (DESIGN.md §4: explicit registry).
#include "methods/kd.h"
#include "methods/nokd.h"
#include "methods/registry.h"

namespace kdbench::methods {

void register_builtin_methods(Registry& r) {
  r.add("nokd", "baseline: cross-entropy only", &NoKd::create);
  r.add("kd", "Hinton KD: (1-a) CE + a tau^2 KL_batchmean", &Kd::create);
}

}  // namespace kdbench::methods
