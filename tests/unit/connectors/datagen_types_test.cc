// datagen over DECIMAL and DATE columns: whole numbers within the type, dates from text.
#include <gtest/gtest.h>

#include "connectors/generator/datagen.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"

namespace sluice::connectors {
namespace {

SchemaPtr schema() {
  return make_schema({{"x", DataType::Decimal(4, 2)}, {"d", DataType::kDate}});
}

TEST(DatagenTypes, DecimalSequencesWrapWithinTheTypeAndDatesComeFromValues) {
  auto gen = make_datagen(*schema(), {{"fields.x.kind", "sequence"},
                                      {"fields.x.start", "98"},
                                      {"fields.d.kind", "values"},
                                      {"fields.d.values", "2024-01-31"}});
  ASSERT_TRUE(gen.ok()) << gen.status().to_string();
  BatchBuilder out(schema());
  (*gen)->generate(0, 3, out);
  const RecordBatch b = out.finish();
  EXPECT_EQ(Value::from_column(b.column(0), 0).to_string(), "98.00");
  EXPECT_EQ(Value::from_column(b.column(0), 1).to_string(), "99.00");
  EXPECT_EQ(Value::from_column(b.column(0), 2).to_string(), "0.00");
  EXPECT_EQ(Value::from_column(b.column(1), 2).to_string(), "2024-01-31");
}

TEST(DatagenTypes, RandomDecimalBoundsMustFitTheType) {
  auto gen = make_datagen(*schema(), {{"fields.x.max", "101"}});
  EXPECT_EQ(gen.status().code(), ErrorCode::kSqlInvalidOption);
  EXPECT_NE(gen.status().message().find("does not fit DECIMAL(4,2)"), std::string::npos);
  auto bad_date =
      make_datagen(*schema(), {{"fields.d.kind", "values"}, {"fields.d.values", "2024-02-30"}});
  EXPECT_EQ(bad_date.status().code(), ErrorCode::kSqlInvalidOption);
}

}  // namespace
}  // namespace sluice::connectors
