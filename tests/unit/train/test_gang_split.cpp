#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/train/gang_sync.h"

using namespace kdbench;

TEST(GangSplit, SharesAreContiguousCoverTheBatchAndDifferByAtMostOne) {
  for (int members : {1, 2, 3, 4, 7}) {
    for (int64_t batch : {0, 1, 2, 5, 128, 129, 130}) {
      int64_t next = 0, smallest = batch, largest = 0;
      for (int m = 0; m < members; ++m) {
        const auto s = train::split_batch(batch, m, members);
        EXPECT_EQ(s.begin, next) << batch << " over " << members;
        next = s.end;
        smallest = std::min(smallest, s.size());
        largest = std::max(largest, s.size());
      }
      EXPECT_EQ(next, batch);
      EXPECT_LE(largest - smallest, 1);
    }
  }
}

TEST(GangSplit, TheFirstMembersTakeTheRemainder) {
  // 128 over 3: 43 + 43 + 42.
  EXPECT_EQ(train::split_batch(128, 0, 3).size(), 43);
  EXPECT_EQ(train::split_batch(128, 1, 3).begin, 43);
  EXPECT_EQ(train::split_batch(128, 2, 3).size(), 42);
  // A batch of 1 over 3: only the root has rows.
  EXPECT_EQ(train::split_batch(1, 0, 3).size(), 1);
  EXPECT_EQ(train::split_batch(1, 2, 3).size(), 0);
}

TEST(GangSplit, RejectsAMemberOutsideTheGang) {
  EXPECT_THROW(train::split_batch(10, 3, 3), Error);
  EXPECT_THROW(train::split_batch(10, 0, 0), Error);
}
