#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sluice/status.h"

namespace sluice {
namespace {

TEST(Status, OkHasNoCodeAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kOk);
  EXPECT_EQ(s.to_string(), "OK");
}

TEST(Status, ErrorPrintsStableCodeLocationAndMessage) {
  Status s(ErrorCode::kSqlUnknownName, "unknown column 'pirce' in trades (did you mean 'price'?)",
           "3:14");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code_string(), "SLC-1002");
  EXPECT_EQ(s.to_string(),
            "SLC-1002 at 3:14: unknown column 'pirce' in trades (did you mean 'price'?)");
  Status plain(ErrorCode::kTimeout, "no batch within 5 ms");
  EXPECT_EQ(plain.to_string(), "SLC-0004: no batch within 5 ms");
}

TEST(Status, WithLocationNestsOuterFirst) {
  Status inner(ErrorCode::kValueConversion, "expected a number", "field 'price'");
  Status outer = inner.with_location("line 3");
  EXPECT_EQ(outer.to_string(), "SLC-2003 at line 3, field 'price': expected a number");
  EXPECT_EQ(inner.location(), "field 'price'");  // the original is unchanged
}

TEST(Status, WithLocationNamesAPlaceOnce) {
  // A connector that located its error at its sink, wrapped again by the sink's task.
  Status connector(ErrorCode::kRejected, "COPY rejected", "sink 'pg', epoch 7");
  EXPECT_EQ(connector.with_location("sink 'pg'").to_string(),
            "SLC-3002 at sink 'pg', epoch 7: COPY rejected");
  EXPECT_EQ(connector.with_location("sink 'pg', epoch 7").location(), "sink 'pg', epoch 7");
  EXPECT_EQ(connector.with_location("sink 'pg', periodic flush").location(),
            "sink 'pg', periodic flush, epoch 7");
  // A different place, or one that only shares a prefix of text, is still added.
  EXPECT_EQ(connector.with_location("sink 'p'").location(), "sink 'p', sink 'pg', epoch 7");
  EXPECT_EQ(connector.with_location("checkpoint of epoch 7").location(),
            "checkpoint of epoch 7, sink 'pg', epoch 7");
}

TEST(Status, CopiesAreIndependent) {
  Status a(ErrorCode::kIoError, "disk full");
  Status b = a;
  a = Status::Ok();
  EXPECT_EQ(b.message(), "disk full");
  EXPECT_TRUE(a.ok());
}

Result<int> half(int x) {
  if (x % 2 != 0) return Status(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> quarter(int x) {
  SLC_ASSIGN_OR_RETURN(int h, half(x));
  SLC_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*quarter(8), 2);
  Result<int> r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
}

TEST(Result, FromOkStatusIsAnInternalError) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

// Every code in the list is documented in docs/errors.md, and every documented code exists.
TEST(ErrorCodes, DocsListEveryCode) {
  std::ifstream file(std::string(SLUICE_SOURCE_DIR) + "/docs/errors.md");
  ASSERT_TRUE(file.good()) << "docs/errors.md is missing";
  std::stringstream ss;
  ss << file.rdbuf();
  const std::string doc = ss.str();
  int listed = 0;
#define CHECK_DOCUMENTED(name, number, meaning)                                            \
  if (ErrorCode::name != ErrorCode::kOk) {                                                 \
    const std::string code = format_error_code(ErrorCode::name);                           \
    EXPECT_NE(doc.find("| " + code + " |"), std::string::npos) << code << " undocumented"; \
    ++listed;                                                                              \
  }
  SLUICE_ERROR_CODES(CHECK_DOCUMENTED)
#undef CHECK_DOCUMENTED
  size_t documented = 0;
  for (size_t pos = doc.find("| SLC-"); pos != std::string::npos;
       pos = doc.find("| SLC-", pos + 1)) {
    ++documented;
  }
  EXPECT_EQ(documented, static_cast<size_t>(listed))
      << "docs/errors.md lists a code that does not exist";
}

}  // namespace
}  // namespace sluice
