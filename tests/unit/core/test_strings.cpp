#include <gtest/gtest.h>

#include "kdbench/core/errors.h"
#include "kdbench/core/strings.h"

using namespace kdbench;

TEST(Strings, SplitTrimJoin) {
  EXPECT_EQ(split_ws("  a b,c\t d  "), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(split_ws("   ").empty());
  EXPECT_EQ(trim("  x y \n"), "x y");
  EXPECT_EQ(join({"a", "b"}, "-"), "a-b");
  EXPECT_EQ(with_thousands(1730714), "1,730,714");
  EXPECT_EQ(with_thousands(999), "999");
}

TEST(Strings, NumbersRejectGarbage) {
  EXPECT_DOUBLE_EQ(parse_double(" 5e-4 ", "train.weight_decay"), 5e-4);
  EXPECT_EQ(parse_int("42", "k"), 42);
  EXPECT_THROW(parse_double("0.1x", "train.lr"), ConfigError);
  EXPECT_THROW(parse_double("", "train.lr"), ConfigError);
  EXPECT_THROW(parse_double("nan", "train.lr"), ConfigError);
  EXPECT_THROW(parse_int("3.5", "train.epochs"), ConfigError);
  EXPECT_THROW(parse_int("99999999999999999999", "train.epochs"), ConfigError);
  EXPECT_THROW(parse_bool("maybe", "train.augment"), ConfigError);
  try {
    parse_double("abc", "train.lr");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "train.lr: 'abc' is not a finite number");
  }
}
