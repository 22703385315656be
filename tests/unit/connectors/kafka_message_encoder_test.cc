// The kafka sink's messages, without a broker: values and keys per row in JSON and CSV, one
// buffer for a batch, and a changelog with a key as upserts and tombstones.
#include "connectors/kafka/message_encoder.h"

#include <gtest/gtest.h>

#include "sluice/batch_builder.h"

namespace sluice::connectors::kafka {
namespace {

RecordBatch changes() {
  BatchBuilder b(make_schema({{"k", DataType::kVarchar, true},
                              {"n", DataType::kInt64, true},
                              {"_op", DataType::kVarchar, false}}));
  const char* ops[] = {"insert", "delete", "insert"};
  for (int i = 0; i < 3; ++i) {
    b.column(0).append_string(i == 2 ? "b,\"c\"" : "a");
    b.column(1).append_int64(i);
    b.column(2).append_string(ops[i]);
  }
  return b.finish();
}

std::vector<std::string> all(const EncodedMessages& m, bool keys) {
  std::vector<std::string> out;
  for (size_t i = 0; i < m.size(); ++i) {
    auto v = keys ? m.key(i) : m.value(i);
    out.push_back(v ? std::string(*v) : "<none>");
  }
  return out;
}

TEST(KafkaMessageEncoder, WithoutAKeyEveryRowIsAValueAndOpAColumn) {
  const RecordBatch batch = changes();
  auto e = MessageEncoder::make(*batch.schema(), MessageFormat::kJson, {});
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->upsert());
  EncodedMessages m;
  e->encode(batch, m);
  EXPECT_EQ(all(m, false), (std::vector<std::string>{R"({"k":"a","n":0,"_op":"insert"})",
                                                     R"({"k":"a","n":1,"_op":"delete"})",
                                                     R"({"k":"b,\"c\"","n":2,"_op":"insert"})"}));
  EXPECT_EQ(all(m, true), (std::vector<std::string>{"<none>", "<none>", "<none>"}));
}

TEST(KafkaMessageEncoder, AKeyedChangelogIsUpsertsAndTombstonesInOneBuffer) {
  const RecordBatch batch = changes();
  auto e = MessageEncoder::make(*batch.schema(), MessageFormat::kJson, {"K"});
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->upsert());
  EncodedMessages m;
  e->encode(batch, m);
  e->encode(batch.slice(0, 1), m);  // appends
  EXPECT_EQ(all(m, false),
            (std::vector<std::string>{R"({"k":"a","n":0})", "<none>", R"({"k":"b,\"c\"","n":2})",
                                      R"({"k":"a","n":0})"}));
  EXPECT_EQ(all(m, true), (std::vector<std::string>{R"({"k":"a"})", R"({"k":"a"})",
                                                    R"({"k":"b,\"c\""})", R"({"k":"a"})"}));
  size_t total = 0;
  for (size_t i = 0; i < m.size(); ++i) total += m[i].key_len + m[i].value_len;
  EXPECT_EQ(m.bytes(), total);  // every key and value, back to back, nothing else
  m.clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.bytes(), 0u);
}

TEST(KafkaMessageEncoder, CsvRecordsWithoutLineEnds) {
  const RecordBatch batch = changes();
  auto e = MessageEncoder::make(*batch.schema(), MessageFormat::kCsv, {"k", "n"});
  ASSERT_TRUE(e.ok());
  EncodedMessages m;
  e->encode(batch, m);
  EXPECT_EQ(all(m, true), (std::vector<std::string>{"a,0", "a,1", "\"b,\"\"c\"\"\",2"}));
  EXPECT_EQ(all(m, false), (std::vector<std::string>{"a,0", "<none>", "\"b,\"\"c\"\"\",2"}));
}

TEST(KafkaMessageEncoder, KeyColumnsMustBeInputColumns) {
  const RecordBatch batch = changes();
  auto e = MessageEncoder::make(*batch.schema(), MessageFormat::kJson, {"k", "region"});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kSqlUnknownName);
  EXPECT_NE(e.status().to_string().find("key column 'region'"), std::string::npos);
  EXPECT_FALSE(MessageEncoder::make(*batch.schema(), MessageFormat::kJson, {"_op"}).ok());
}

}  // namespace
}  // namespace sluice::connectors::kafka
