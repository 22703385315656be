#include "connectors/postgres/postgres_sink.h"

#include <algorithm>
#include <array>
#include <functional>
#include <thread>
#include <utility>

#include "columnar/value_parse.h"
#include "common/crc32c.h"
#include "common/spill_file.h"
#include "common/wait_signal.h"
#include "connectors/postgres/copy_encoder.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_table.h"
#include "sql/options.h"

namespace sluice::connectors::postgres {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstReconnectDelay{50};
constexpr milliseconds kMaxReconnectDelay{2000};
constexpr const char* kUndefinedObject = "42704";  // no such prepared transaction
constexpr size_t kMaxGidPrefix = 160;              // gids are at most 200 bytes

struct PostgresOptions {
  ConnectParams connect;
  bool statement_timeout_given = false;
  TableSpec table;
  int64_t batch_rows = 4096;
  int64_t resend_memory = 16 << 20;
};

// How rows travel, by mode:
//
// At-least-once. Rows are encoded into `rows_` as they are written; at batch.size rows, and
// on every flush (flush.interval, 250 ms by default), they are delivered in one transaction:
// append is one COPY; upsert is COPY into a per-connection temporary staging table, then one
// INSERT ... ON CONFLICT merge. The rows stay in `rows_` until PostgreSQL acknowledged them,
// so after a lost connection they are sent again (possibly twice: at-least-once).
//
// Exactly-once. One transaction per epoch, opened at the epoch's first delivery; flushes
// COPY into it and so stay invisible. pre_commit(e) finishes it (an upsert merges its
// staging table, an unlogged table, since a prepared transaction may not touch temporary
// ones), records e as the sink's progress in <schema>.sluice_progress (in the same
// transaction, so the row is there exactly when the epoch's rows are) and runs PREPARE
// TRANSACTION 'sluice:<schema.table>:<sink>:<e>'; commit(e) runs COMMIT PREPARED,
// rollback(e) ROLLBACK PREPARED, and recover(c) resolves what pg_prepared_xacts holds under
// the sink's prefix. The progress row says which epoch the table holds last
// (committed_epoch()), and tells a prepared transaction that is gone because it was
// committed from one that was lost: an epoch the manifest decided whose transaction is
// neither prepared nor recorded is an error (SLC-4003), not a silent loss. The sink keeps the whole
// open epoch: a lost connection takes the transaction with it, and the epoch is sent again from its
// start on a new one, so the pipeline goes on from its last checkpoint without a restart. Rows sent
// into the transaction move from `rows_` to a spill file once they pass resend.memory bytes,
// so a long epoch costs disk, not memory. While
// epoch e is prepared, rows of e+1 wait in `rows_` until commit(e): the prepared transaction
// holds locks the next one could wait on.
//
// Connection loss: every statement is retried on a new connection, with backoff from 50 ms
// doubling to 2 s, for up to write.timeout; then the call fails with SLC-3001.
class PostgresSink final : public sink::Sink {
 public:
  explicit PostgresSink(PostgresOptions options) : options_(std::move(options)) {}

  sink::SinkCapabilities capabilities() const override {
    const bool upsert = options_.table.upsert;
    return {.exactly_once = true, .upsert = upsert, .changelog = upsert, .idempotent = upsert};
  }
  milliseconds default_flush_interval() const override { return milliseconds(250); }

  Status open(const sink::SinkContext& context) override {
    name_ = context.name;
    exactly_once_ = context.exactly_once;
    write_timeout_ = context.write_timeout;
    if (!options_.statement_timeout_given) options_.connect.statement_timeout = write_timeout_;
    SLC_RETURN_IF_ERROR(conn_.connect(options_.connect));
    if (exactly_once_) SLC_RETURN_IF_ERROR(check_prepared_transactions());
    SLC_ASSIGN_OR_RETURN(layout_, prepare_table(conn_, options_.table, *context.schema));
    const bool upsert = options_.table.upsert;
    encoder_ = CopyEncoder(layout_.copy, layout_.op_column, upsert);
    if (upsert) {
      // Temporary per connection at-least-once; a table of its own for exactly-once.
      stage_ = exactly_once_ ? quote_ident(options_.table.schema) + "." +
                                   quote_ident(bounded_name(
                                       "sluice_stage_" + options_.table.table + "_" + name_, 63))
                             : quote_ident("sluice_stage");
      upsert_sql_ = merge_sql(layout_, stage_, false);
      upsert_delete_sql_ = merge_sql(layout_, stage_, true);
    }
    copy_sql_ = copy_sql(layout_, upsert ? stage_ : layout_.qualified, upsert);
    gid_prefix_ =
        bounded_name("sluice:" + options_.table.schema + "." + options_.table.table + ":" + name_,
                     kMaxGidPrefix) +
        ":";
    progress_ = quote_ident(options_.table.schema) + ".sluice_progress";
    if (exactly_once_) SLC_RETURN_IF_ERROR(ensure_progress_table());
    return Status::Ok();
  }

  Status write(const RecordBatch& batch) override {
    // Rows already taken go first, when there are enough or their last delivery failed; if
    // they cannot go, this batch is not taken (the task retries it, then applies on.error).
    if (unsent_rows() >= options_.batch_rows || !send_error_.ok()) SLC_RETURN_IF_ERROR(send());
    deletes_ += encoder_.encode(batch, rows_, next_seq_);
    row_count_ += batch.num_rows();
    if (unsent_rows() >= options_.batch_rows) send().ignore();  // a failure shows next call
    return Status::Ok();
  }

  Status flush() override { return send(); }

  Status begin_epoch(uint64_t epoch) override {
    if (exactly_once_ && (txn_open_ || row_count_ > 0)) {
      // Left by an epoch whose pre-commit failed: it is rolled back, and replayed.
      if (txn_open_) conn_.exec("ROLLBACK").ignore();
      discard_epoch();
    }
    txn_error_ = Status::Ok();
    epoch_ = epoch;
    return Status::Ok();
  }

  Status pre_commit(uint64_t epoch) override {
    if (!exactly_once_) return send();
    if (!txn_error_.ok()) return txn_error_;
    if (prepared_ != 0) {
      return Status(ErrorCode::kInternal, "epoch " + std::to_string(epoch) +
                                              " pre-committed while epoch " +
                                              std::to_string(prepared_) + " is still prepared");
    }
    if (row_count_ == 0 && !txn_open_) return Status::Ok();  // nothing to prepare or commit
    const std::string gid = gid_of(epoch);
    Status s = with_reconnect("preparing epoch " + std::to_string(epoch), [&]() -> Status {
      if (prepare_sent_) {
        // The connection broke around PREPARE: it may have been done.
        const std::string params[] = {gid};
        SLC_ASSIGN_OR_RETURN(PgRows found,
                             conn_.query("SELECT 1 FROM pg_prepared_xacts WHERE gid = $1", params));
        if (!found.empty()) return Status::Ok();
        prepare_sent_ = false;
      }
      SLC_RETURN_IF_ERROR(send_in_transaction());
      if (!stage_.empty()) {
        SLC_RETURN_IF_ERROR(conn_.exec(merge()));
        SLC_RETURN_IF_ERROR(conn_.exec("TRUNCATE " + stage_));
      }
      SLC_RETURN_IF_ERROR(conn_.exec("INSERT INTO " + progress_ + " (sink, epoch) VALUES (" +
                                     quote_literal(gid_prefix_) + ", " + std::to_string(epoch) +
                                     ") ON CONFLICT (sink) DO UPDATE SET epoch = EXCLUDED.epoch"));
      prepare_sent_ = true;
      return conn_.exec("PREPARE TRANSACTION " + quote_literal(gid));
    });
    prepare_sent_ = false;
    if (!s.ok()) return fail_transaction(s);
    txn_open_ = false;
    bytes_written_ += static_cast<int64_t>(rows_.size() + spill_.size());
    prepared_rows_ = row_count_;
    discard_epoch();
    prepared_ = epoch;
    return Status::Ok();
  }

  std::optional<sink::StagedEpoch> staged_epoch(uint64_t epoch) const override {
    if (!exactly_once_ || prepared_ != epoch) return std::nullopt;
    return sink::StagedEpoch{gid_of(epoch), prepared_rows_, 0, 0};
  }

  Status commit(uint64_t epoch) override {
    if (!exactly_once_ || prepared_ != epoch) return Status::Ok();  // nothing was prepared
    bool gone = false;
    SLC_RETURN_IF_ERROR(finish_prepared("COMMIT", epoch, &gone));
    // Gone: committed by an earlier try whose answer was lost, or lost.
    if (gone) SLC_RETURN_IF_ERROR(check_published(epoch, prepared_rows_));
    // Rows of the next epoch waited for this.
    if (unsent_rows() >= options_.batch_rows) send().ignore();
    return Status::Ok();
  }

  Result<uint64_t> committed_epoch() override {
    if (!exactly_once_) return uint64_t{0};
    const std::string params[] = {gid_prefix_};
    PgRows rows;
    SLC_RETURN_IF_ERROR(with_reconnect("reading the sink's progress", [&]() -> Status {
      SLC_ASSIGN_OR_RETURN(
          rows, conn_.query("SELECT epoch FROM " + progress_ + " WHERE sink = $1", params));
      return Status::Ok();
    }));
    int64_t epoch = 0;
    if (!rows.empty() && rows[0][0]) SLC_RETURN_IF_ERROR(parse_int64(*rows[0][0], epoch));
    return static_cast<uint64_t>(epoch);
  }

  Status rollback(uint64_t epoch) override {
    if (!exactly_once_) return Status::Ok();
    return finish_prepared("ROLLBACK", epoch);
  }

  Status recover(uint64_t committed_epoch,
                 const std::optional<sink::StagedEpoch>& staged) override {
    const std::string params[] = {gid_prefix_};
    PgRows in_doubt;
    SLC_RETURN_IF_ERROR(with_reconnect("recovery", [&]() -> Status {
      SLC_ASSIGN_OR_RETURN(in_doubt, conn_.query("SELECT gid FROM pg_prepared_xacts WHERE "
                                                 "database = current_database() AND "
                                                 "starts_with(gid, $1)",
                                                 params));
      return Status::Ok();
    }));
    bool decided_in_doubt = false;  // the manifest's epoch is among them
    for (const auto& row : in_doubt) {
      const std::string& gid = *row[0];
      int64_t epoch = 0;
      if (!parse_int64(std::string_view(gid).substr(gid_prefix_.size()), epoch).ok()) continue;
      if (static_cast<uint64_t>(epoch) == committed_epoch) decided_in_doubt = true;
      SLC_RETURN_IF_ERROR(
          finish_prepared(static_cast<uint64_t>(epoch) <= committed_epoch ? "COMMIT" : "ROLLBACK",
                          static_cast<uint64_t>(epoch)));
    }
    // The manifest says this sink prepared rows for its epoch: they are either committed
    // (its progress says so) or were just committed above; otherwise they are lost.
    if (exactly_once_ && staged && staged->location == gid_of(committed_epoch) &&
        !decided_in_doubt) {
      SLC_RETURN_IF_ERROR(check_published(committed_epoch, staged->rows));
    }
    return Status::Ok();
  }

  Status close() override {
    Status s;
    if (!exactly_once_) {
      s = send();
    } else if (txn_open_) {
      conn_.exec("ROLLBACK").ignore();  // never prepared: replayed from the last checkpoint
      txn_open_ = false;
    }
    conn_.disconnect();
    return s;
  }

  int64_t bytes_written() const override { return bytes_written_; }

 private:
  int64_t unsent_rows() const { return row_count_ - sent_rows_; }

  // A name of at most `limit` bytes: long ones end in a hash of the whole, so they differ.
  static std::string bounded_name(const std::string& name, size_t limit) {
    if (name.size() <= limit) return name;
    char hash[16];
    std::snprintf(hash, sizeof hash, "_%08x", crc32c(name));
    return name.substr(0, limit - 9) + hash;
  }

  std::string gid_of(uint64_t epoch) const { return gid_prefix_ + std::to_string(epoch); }

  Status check_prepared_transactions() {
    SLC_ASSIGN_OR_RETURN(PgRows rows, conn_.query("SHOW max_prepared_transactions"));
    if (!rows.empty() && rows[0][0] == std::optional<std::string>("0")) {
      return Status(ErrorCode::kUnsupported,
                    "delivery = 'exactly-once' needs prepared transactions, and PostgreSQL " +
                        conn_.where() +
                        " has max_prepared_transactions = 0: set it to at least the number "
                        "of exactly-once sinks (postgresql.conf) and restart the server");
    }
    return Status::Ok();
  }

  // <schema>.sluice_progress: the newest epoch each exactly-once sink writing into the
  // schema has prepared (committed, once its transaction is). Sinks opening at the same time
  // may race to create it: the loser finds it there.
  Status ensure_progress_table() {
    Status s = conn_.exec("CREATE TABLE IF NOT EXISTS " + progress_ +
                          " (sink text PRIMARY KEY, epoch bigint NOT NULL)");
    if (s.ok() || (conn_.last_sqlstate() != "23505" && conn_.last_sqlstate() != "42P07")) return s;
    return conn_.exec("SELECT 1 FROM " + progress_ + " LIMIT 0");
  }

  // Epoch e's prepared transaction is gone: it is published when the progress row (written
  // in that same transaction) has reached e.
  Status check_published(uint64_t epoch, int64_t rows) {
    SLC_ASSIGN_OR_RETURN(uint64_t progress, committed_epoch());
    if (progress >= epoch) return Status::Ok();
    return Status(ErrorCode::kStagedEpochLost,
                  "epoch " + std::to_string(epoch) + " was decided with " + std::to_string(rows) +
                      " rows in prepared transaction " + quote_literal(gid_of(epoch)) +
                      ", but PostgreSQL " + conn_.where() +
                      " holds no such prepared transaction and " + progress_ + " records epoch " +
                      std::to_string(progress) +
                      " for this sink: those rows are lost (was the transaction rolled back "
                      "by hand?)");
  }

  // Runs `step` on a live connection; on a lost connection reconnects with backoff and runs
  // it again, for up to write.timeout. Any other error is returned at once.
  Status with_reconnect(const std::string& what, const std::function<Status()>& step) {
    const Deadline deadline = deadline_after(write_timeout_);
    milliseconds delay = kFirstReconnectDelay;
    for (;;) {
      Status s = conn_.connected() ? Status::Ok() : reconnect();
      if (s.ok()) s = step();
      if (s.ok() || s.code() != ErrorCode::kUnavailable) return s;
      connection_lost();
      if (SteadyClock::now() + delay > deadline) {
        return Status(ErrorCode::kUnavailable, std::string(s.message()) + "; gave up " + what +
                                                   " after write.timeout (" +
                                                   std::to_string(write_timeout_.count()) + " ms)");
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, kMaxReconnectDelay);
    }
  }

  Status reconnect() {
    SLC_RETURN_IF_ERROR(conn_.connect(options_.connect));
    temp_stage_ready_ = false;  // temporary tables died with the old session
    return Status::Ok();
  }

  // The session is gone, and with it an open transaction: an exactly-once epoch is sent
  // again from its first row.
  void connection_lost() {
    conn_.disconnect();
    txn_open_ = false;
    sent_rows_ = 0;
    sent_bytes_ = 0;
  }

  Status ensure_stage() {
    if (stage_.empty()) return Status::Ok();
    if (exactly_once_) {
      if (unlogged_stage_ready_) return Status::Ok();
      // Outside any transaction, and only while no epoch is prepared (it may hold the old
      // stage's lock): dropped first, so a changed stream gets a stage of its shape.
      SLC_RETURN_IF_ERROR(conn_.exec("DROP TABLE IF EXISTS " + stage_));
      SLC_RETURN_IF_ERROR(conn_.exec(create_stage_sql(layout_, stage_, false)));
      unlogged_stage_ready_ = true;
      return Status::Ok();
    }
    if (temp_stage_ready_) return Status::Ok();
    SLC_RETURN_IF_ERROR(conn_.exec(create_stage_sql(layout_, stage_, true)));
    temp_stage_ready_ = true;
    return Status::Ok();
  }

  // COPYs the rows not yet sent into the open transaction (opening it first). After a lost
  // connection that is the whole epoch again: the spilled part first, then `rows_`.
  Status send_in_transaction() {
    if (!txn_open_) {
      SLC_RETURN_IF_ERROR(ensure_stage());
      SLC_RETURN_IF_ERROR(conn_.exec("BEGIN"));
      txn_open_ = true;
    }
    if (unsent_rows() == 0) return Status::Ok();
    const bool resend_spill = sent_rows_ == 0 && spill_.size() > 0;
    size_t spill_at = resend_spill ? 0 : spill_.size();
    // The header, the spill file's part to send (in pieces), then rows_ and the trailer.
    bool header_sent = false;
    const std::array<std::string_view, 2> tail = {std::string_view(rows_).substr(sent_bytes_),
                                                  CopyEncoder::trailer()};
    size_t tail_at = 0;
    SLC_RETURN_IF_ERROR(conn_.copy_in(copy_sql_, [&](std::string_view& chunk) -> Result<bool> {
      if (!std::exchange(header_sent, true)) {
        chunk = CopyEncoder::header();
      } else if (spill_at < spill_.size()) {
        SLC_ASSIGN_OR_RETURN(chunk, spill_.read(spill_at, size_t{1} << 20, spill_buffer_));
        spill_at += chunk.size();
      } else if (tail_at < tail.size()) {
        chunk = tail[tail_at++];
      } else {
        return false;
      }
      return true;
    }));
    sent_bytes_ = rows_.size();
    sent_rows_ = row_count_;
    if (exactly_once_ && rows_.size() > static_cast<size_t>(options_.resend_memory)) {
      // In the transaction now; kept only in case it must go again. A spill that fails
      // leaves the rows in memory, which is no worse than before.
      if (spill_.append(rows_).ok()) {
        rows_.clear();
        sent_bytes_ = 0;
      }
    }
    return Status::Ok();
  }

  Status send() {
    send_error_ = unsent_rows() == 0 ? Status::Ok() : exactly_once_ ? send_epoch() : deliver();
    return send_error_;
  }

  // At-least-once: the buffered rows, in one transaction, acknowledged or kept.
  Status deliver() {
    Status s = with_reconnect("delivering " + std::to_string(row_count_) + " rows", [&] {
      if (stage_.empty()) {
        const std::array<std::string_view, 3> chunks = {CopyEncoder::header(), rows_,
                                                        CopyEncoder::trailer()};
        return conn_.copy_in(copy_sql_, chunks);
      }
      Status t = send_in_transaction();
      if (t.ok()) t = conn_.exec(merge());
      if (t.ok()) t = conn_.exec("COMMIT");  // which empties the temporary staging table
      if (!t.ok() && t.code() != ErrorCode::kUnavailable) conn_.exec("ROLLBACK").ignore();
      txn_open_ = false;
      sent_rows_ = 0;
      sent_bytes_ = 0;
      return t;
    });
    if (!s.ok()) return s;
    bytes_written_ += static_cast<int64_t>(rows_.size());
    discard_epoch();
    return Status::Ok();
  }

  // Exactly-once: the epoch's new rows into its transaction, unless an epoch is prepared.
  Status send_epoch() {
    if (prepared_ != 0) return Status::Ok();
    if (!txn_error_.ok()) return txn_error_;
    Status s = with_reconnect("sending epoch " + std::to_string(epoch_),
                              [&] { return send_in_transaction(); });
    return s.ok() ? s : fail_transaction(s);
  }

  // A statement of the epoch's transaction was rejected: the transaction is rolled back and
  // the epoch cannot commit; pre_commit reports it, and the checkpoint fails.
  Status fail_transaction(const Status& error) {
    if (txn_open_ && conn_.connected()) conn_.exec("ROLLBACK").ignore();
    txn_open_ = false;
    sent_rows_ = 0;
    sent_bytes_ = 0;
    txn_error_ = error.with_location("sink '" + name_ + "', epoch " + std::to_string(epoch_));
    return txn_error_;
  }

  // COMMIT PREPARED or ROLLBACK PREPARED; a transaction that is not there was resolved
  // already (or the epoch wrote nothing): `gone` says so.
  Status finish_prepared(const char* verb, uint64_t epoch, bool* gone = nullptr) {
    const std::string sql = std::string(verb) + " PREPARED " + quote_literal(gid_of(epoch));
    SLC_RETURN_IF_ERROR(
        with_reconnect(std::string(verb) + " of epoch " + std::to_string(epoch), [&] {
          Status s = conn_.exec(sql);
          if (!s.ok() && conn_.last_sqlstate() == kUndefinedObject) {
            if (gone != nullptr) *gone = true;
            return Status::Ok();
          }
          return s;
        }));
    if (prepared_ == epoch) prepared_ = 0;
    return Status::Ok();
  }

  const std::string& merge() const { return deletes_ > 0 ? upsert_delete_sql_ : upsert_sql_; }

  void discard_epoch() {
    rows_.clear();
    spill_.clear();
    row_count_ = 0;
    sent_rows_ = 0;
    sent_bytes_ = 0;
    next_seq_ = 0;
    deletes_ = 0;
  }

  PostgresOptions options_;
  std::string name_;
  bool exactly_once_ = false;
  milliseconds write_timeout_{30000};
  PgConnection conn_;
  TableLayout layout_;
  CopyEncoder encoder_;
  std::string copy_sql_;
  std::string stage_;              // upsert: the staging table, quoted; empty for append
  std::string upsert_sql_;         // upsert: staging → target
  std::string upsert_delete_sql_;  // the same, for rows that delete keys too
  std::string gid_prefix_;
  std::string progress_;  // <schema>.sluice_progress, quoted
  bool temp_stage_ready_ = false;
  bool unlogged_stage_ready_ = false;

  std::string rows_;  // encoded tuples: not yet acknowledged, or of the open epoch
  SpillFile spill_;   // exactly-once: the open epoch's first rows, sent, kept to resend
  std::string spill_buffer_;
  int64_t row_count_ = 0;
  int64_t sent_rows_ = 0;  // exactly-once: rows of the epoch in the open transaction
  size_t sent_bytes_ = 0;  // and the bytes of rows_ among them
  int64_t next_seq_ = 0;   // upsert: orders rows of a key within a delivery or epoch
  int64_t deletes_ = 0;    // upsert: rows in rows_ that delete their key
  bool txn_open_ = false;
  bool prepare_sent_ = false;
  uint64_t epoch_ = 0;
  uint64_t prepared_ = 0;      // exactly-once: a prepared epoch not yet committed (0: none)
  int64_t prepared_rows_ = 0;  // and its rows
  Status txn_error_;
  Status send_error_;  // the last send's: rows are waiting that could not go
  int64_t bytes_written_ = 0;
};

}  // namespace

Result<std::unique_ptr<sink::Sink>> make_postgres_sink(const sql::SinkDef& def) {
  const sql::OptionMap& o = def.options;
  auto get = [&](const char* key) -> const std::string* {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->second;
  };
  PostgresOptions p;
  if (const std::string* dsn = get("dsn")) p.connect.dsn = *dsn;
  for (const char* key : {"host", "port", "dbname", "user", "password"}) {
    if (const std::string* v = get(key)) p.connect.keywords.emplace_back(key, *v);
  }
  SLC_ASSIGN_OR_RETURN(int64_t connect_micros, sql::parse_duration(o.at("connect.timeout")));
  p.connect.connect_timeout = milliseconds(connect_micros / 1000);
  if (const std::string* v = get("statement.timeout")) {
    SLC_ASSIGN_OR_RETURN(int64_t micros, sql::parse_duration(*v));
    p.connect.statement_timeout = milliseconds(micros / 1000);
    p.statement_timeout_given = true;
  }
  p.table.schema = o.at("schema");
  p.table.table = o.at("table");
  p.table.upsert = o.at("mode") == "upsert";
  if (const std::string* key = get("primary.key")) p.table.key = sql::split_column_list(*key);
  SLC_RETURN_IF_ERROR(parse_bool(o.at("auto.create"), p.table.auto_create));
  SLC_RETURN_IF_ERROR(parse_int64(o.at("batch.size"), p.batch_rows));
  SLC_RETURN_IF_ERROR(parse_int64(o.at("resend.memory"), p.resend_memory));
  return std::unique_ptr<sink::Sink>(std::make_unique<PostgresSink>(std::move(p)));
}

}  // namespace sluice::connectors::postgres
