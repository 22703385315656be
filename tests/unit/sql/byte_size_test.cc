// parse_byte_size: the sizes `--state-memory-max` takes.
#include <gtest/gtest.h>

#include "sql/options.h"

namespace sluice::sql {
namespace {

TEST(ByteSize, NumbersWithAndWithoutUnits) {
  EXPECT_EQ(*parse_byte_size("1048576"), 1048576);
  EXPECT_EQ(*parse_byte_size("512B"), 512);
  EXPECT_EQ(*parse_byte_size("2kb"), 2000);
  EXPECT_EQ(*parse_byte_size("3 MB"), 3000000);
  EXPECT_EQ(*parse_byte_size("512MiB"), int64_t{512} << 20);
  EXPECT_EQ(*parse_byte_size("2GiB"), int64_t{2} << 30);
  EXPECT_EQ(*parse_byte_size("1TiB"), int64_t{1} << 40);
}

TEST(ByteSize, AnythingElseIsAnError) {
  for (const char* bad :
       {"", "MB", "-1", "1.5GB", "12 parsecs", "99999999999999999999", "9000000TiB"}) {
    EXPECT_EQ(parse_byte_size(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sluice::sql
