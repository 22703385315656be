#pragma once
// MessageEncoder: the rows of a batch as Kafka messages, a key and a value each, encoded with the
// row encoders the file sink uses (columnar/row_encoder.h: JSON objects or CSV records, without
// the line end). Every key and value of a batch goes into one reused buffer, one encode per row,
// no string per row; a message is a pair of spans into it.
//
// - `key` columns: the message key is those columns, encoded the same way (a JSON object of
//   them, or a CSV record); no key columns: messages have no key.
// - A changelog (the input has EMIT CHANGES' `_op` column) with key columns is an upsert
//   stream: the value is the row without `_op`, and a row whose `_op` is 'delete' becomes a
//   tombstone (the key, no value), as compacted topics and upsert consumers expect. Without key
//   columns `_op` is an ordinary column and every row is a message.
//
// Thread: immutable after make(); encode() writes only into the caller's EncodedMessages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/row_encoder.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::connectors::kafka {

enum class MessageFormat { kJson, kCsv };

// The messages of one or more batches: keys and values back to back in `buffer`.
class EncodedMessages {
 public:
  struct Message {
    size_t key_at = 0;
    size_t key_len = 0;
    size_t value_at = 0;
    size_t value_len = 0;
    bool has_key = false;
    bool tombstone = false;  // no value (a delete in an upsert stream)
  };

  size_t size() const { return messages_.size(); }
  const Message& operator[](size_t i) const { return messages_[i]; }
  std::optional<std::string_view> key(size_t i) const;
  std::optional<std::string_view> value(size_t i) const;
  size_t bytes() const { return buffer_.size(); }
  void clear() {
    buffer_.clear();
    messages_.clear();
  }

 private:
  friend class MessageEncoder;
  std::string buffer_;
  std::vector<Message> messages_;
};

class MessageEncoder {
 public:
  // `key_columns` name columns of `input` (checked: SLC-1002 otherwise).
  static Result<MessageEncoder> make(const Schema& input, MessageFormat format,
                                     const std::vector<std::string>& key_columns);

  // Appends one message per row of `batch` (whose schema is the input's).
  void encode(const RecordBatch& batch, EncodedMessages& out) const;

  bool upsert() const { return op_column_ >= 0; }

 private:
  MessageEncoder() = default;
  // Appends rows [row, row + 1) of `batch` in the format, without its line end.
  void encode_row(const RecordBatch& batch, int64_t row, bool key, std::string& out) const;

  MessageFormat format_ = MessageFormat::kJson;
  std::vector<int> key_indices_;    // input columns of the key
  std::vector<int> value_indices_;  // input columns of the value (all but an upsert's _op)
  bool value_is_input_ = true;      // the value is every input column, as they are
  int op_column_ = -1;              // upsert: the _op column
  SchemaPtr key_schema_, value_schema_;
  std::optional<JsonLinesEncoder> json_key_, json_value_;
  std::optional<CsvEncoder> csv_key_, csv_value_;
};

}  // namespace sluice::connectors::kafka
