#include <gtest/gtest.h>

#include "kdbench/core/hash.h"

using namespace kdbench;

TEST(Hash, ContentKeyIsStableAndSensitive) {
  const std::string a = content_key("kind=teacher;model=resnet8;seed=1");
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a, content_key("kind=teacher;model=resnet8;seed=1"));
  EXPECT_NE(a, content_key("kind=teacher;model=resnet8;seed=2"));
  EXPECT_NE(content_key(""), content_key(" "));
}

TEST(Hash, DerivedSeedsDiffer) {
  EXPECT_EQ(derive_seed(1, "k"), derive_seed(1, "k"));
  EXPECT_NE(derive_seed(1, "k"), derive_seed(2, "k"));
  EXPECT_NE(derive_seed(1, "k"), derive_seed(1, "l"));
}
