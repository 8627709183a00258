#pragma once
// TEST ONLY. Fault tests (tests/e2e/faults.sh, bench/fault_soak.sh) must hit moments that last
// microseconds: a checkpoint write, a results flush, evaluation. With
//   KDBENCH_TEST_PAUSE_AT=<point>[,<point>...]   (points: first-step, evaluation,
//                                                  checkpoint-write, results-flush,
//                                                  pretrain-state)
// the process prints "kdbench test pause: <point> pid <pid>" to stderr the first time it reaches
// a named point and sleeps KDBENCH_TEST_PAUSE_SECONDS (default 10; a signal
// delivered to the sleeping thread ends the sleep early),
// so the test can kill or signal it exactly there. Unset (every real run): one getenv per point
// and process, nothing else.
namespace kdbench {

void test_pause_point(const char* point);

}  // namespace kdbench
