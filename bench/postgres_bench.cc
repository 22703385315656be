// PostgreSQL sink throughput against a plain libpq loop, in the same run, on a throwaway
// server (tools/pg_tmp.sh; fsync off, as in the tests, so the disk does not decide):
//   baseline   COPY ... FROM STDIN (FORMAT binary) of pre-encoded rows, nothing else: the
//              ceiling for any client. Run with one COPY per 4096 rows (batch.size) and per
//              65536 (what the sink sends when the engine has merged pushes into its largest
//              batches); the faster of the two is the baseline
//   append     the same rows pushed through a database into INTO postgres (mode 'append')
//   upsert     the same rows into mode 'upsert' (200,000 distinct keys, so most rows update)
//   durable    append at-least-once from a durable push source (its rows go to the WAL)
//   exactly    append with delivery = 'exactly-once' (1 s checkpoints; the source is durable,
//              since exactly-once needs a source that replays; compare it with `durable`)
// Each is run three times, interleaved; the median rows/s of each is reported, and the
// ratios: append ÷ baseline (goal ≥ 0.9), upsert ÷ append, exactly-once ÷ append.
//   build/release/bench/postgres_bench [--rows N]
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "connectors/postgres/copy_encoder.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"
#include "support/pg_server.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using connectors::postgres::CopyEncoder;
using connectors::postgres::WireType;

constexpr int kBatchRows = 4096;

void must(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "postgres_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

std::vector<RecordBatch> make_rows(int64_t rows) {
  std::vector<RecordBatch> out;
  const char* symbols[] = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "Zürich AG", "東京電力"};
  for (int64_t start = 0; start < rows; start += kBatchRows) {
    BatchBuilder b(make_schema({{"id", DataType::kInt64, false},
                                {"symbol", DataType::kVarchar, false},
                                {"price", DataType::kDouble, false},
                                {"qty", DataType::kInt32, false},
                                {"ts", DataType::kTimestamp, false}}));
    for (int64_t i = start; i < std::min(rows, start + kBatchRows); ++i) {
      b.column(0).append_int64(i % 200000);  // upsert keys repeat; append does not care
      b.column(1).append_string(symbols[i % 7]);
      b.column(2).append_double(100.0 + static_cast<double>(i % 1000) / 8);
      b.column(3).append_int32(static_cast<int32_t>(i % 500));
      b.column(4).append_int64(1'795'000'000'000'000 + i * 1000);
    }
    out.push_back(b.finish());
  }
  return out;
}

class Bench {
 public:
  explicit Bench(int64_t rows) : rows_(rows), batches_(make_rows(rows)) {
    dir_ = fs::temp_directory_path() / ("sluice_pg_bench_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dsn_ = pg_.dsn();
    conn_ = PQconnectdb(dsn_.c_str());
    must(PQstatus(conn_) == CONNECTION_OK, PQerrorMessage(conn_));
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~Bench() {
    PQfinish(conn_);
    fs::remove_all(dir_);
  }

  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto st = PQresultStatus(r);
    must(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, sql + ": " + PQresultErrorMessage(r));
    PQclear(r);
  }
  int64_t count(const std::string& table) {
    PGresult* r = PQexec(conn_, ("SELECT count(*) FROM " + table).c_str());
    must(PQresultStatus(r) == PGRES_TUPLES_OK, PQresultErrorMessage(r));
    const int64_t n = std::atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
  }
  void reset(const std::string& table, bool keyed) {
    exec("DROP TABLE IF EXISTS " + table);
    exec("CREATE TABLE " + table +
         " (id bigint NOT NULL, symbol text NOT NULL, price double precision NOT NULL, qty "
         "integer NOT NULL, ts timestamptz NOT NULL" +
         (keyed ? ", PRIMARY KEY (id))" : ")"));
    exec("CHECKPOINT");  // the server's own: the previous run's dirty pages are written out
  }

  // Pre-encoded rows, one COPY per `copy_rows`, nothing else.
  double baseline(int copy_rows) {
    reset("baseline", false);
    CopyEncoder encoder({{0, WireType::kInt8},
                         {1, WireType::kText},
                         {2, WireType::kFloat8},
                         {3, WireType::kInt4},
                         {4, WireType::kTimestamp}},
                        -1, false);
    std::vector<std::string> encoded;
    const size_t per_copy = static_cast<size_t>(copy_rows / kBatchRows);
    for (size_t i = 0; i < batches_.size(); i += per_copy) {
      std::string data(CopyEncoder::header());
      int64_t seq = 0;
      for (size_t j = i; j < std::min(batches_.size(), i + per_copy); ++j)
        encoder.encode(batches_[j], data, seq);
      data += CopyEncoder::trailer();
      encoded.push_back(std::move(data));
    }
    if (copy_rows == 65536) {  // the encoder alone, for the record
      const auto e0 = Clock::now();
      std::string scratch;
      int64_t seq = 0;
      for (const RecordBatch& b : batches_) {
        scratch.clear();
        encoder.encode(b, scratch, seq);
      }
      encode_rate_ =
          static_cast<double>(rows_) / std::chrono::duration<double>(Clock::now() - e0).count();
    }
    const auto t0 = Clock::now();
    for (const std::string& data : encoded) {
      PGresult* r =
          PQexec(conn_, "COPY baseline (id, symbol, price, qty, ts) FROM STDIN (FORMAT binary)");
      must(PQresultStatus(r) == PGRES_COPY_IN, PQerrorMessage(conn_));
      PQclear(r);
      must(PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) == 1, "copy data");
      must(PQputCopyEnd(conn_, nullptr) == 1, "copy end");
      while (PGresult* res = PQgetResult(conn_)) {
        must(PQresultStatus(res) == PGRES_COMMAND_OK, PQresultErrorMessage(res));
        PQclear(res);
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    must(count("baseline") == rows_, "baseline lost rows");
    return static_cast<double>(rows_) / seconds;
  }

  // The same rows through a database into the sink; timed until shutdown has delivered all.
  double sink(const std::string& table, const std::string& options, bool durable) {
    reset(table, options.find("upsert") != std::string::npos);
    const fs::path data_dir = dir_ / ("data_" + table);
    fs::remove_all(data_dir);
    DatabaseOptions o;
    if (durable) o.data_dir = data_dir.string();
    auto db = Database::open(o).value();
    auto r = db->execute(
        std::string("CREATE SOURCE t (id BIGINT NOT NULL, symbol VARCHAR NOT NULL, price DOUBLE "
                    "NOT NULL, qty INT NOT NULL, ts TIMESTAMP NOT NULL)") +
        (durable ? " WITH (durable = true)" : "") +
        "; CREATE SINK out FROM t INTO postgres (dsn = '" + dsn_ + "', table = '" + table + "'" +
        options + ")");
    must(r.ok(), r.status().to_string());
    auto source = db->source("t").value();
    const auto t0 = Clock::now();
    for (const RecordBatch& b : batches_) must(source.push(b).ok(), "push");
    must(db->shutdown().ok(), db->status().to_string());
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const int64_t want =
        options.find("upsert") != std::string::npos ? std::min<int64_t>(rows_, 200000) : rows_;
    must(count(table) == want,
         table + " holds " + std::to_string(count(table)) + " rows, want " + std::to_string(want));
    fs::remove_all(data_dir);
    return static_cast<double>(rows_) / seconds;
  }

  double encode_rate() const { return encode_rate_; }

 private:
  int64_t rows_;
  double encode_rate_ = 0;
  std::vector<RecordBatch> batches_;
  testing::PgServer pg_;
  fs::path dir_;
  std::string dsn_;
  PGconn* conn_ = nullptr;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  int64_t rows = 2'000'000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--rows") rows = std::atoll(argv[i + 1]);
  }
  sluice::Bench bench(rows);
  std::vector<double> base, append, upsert, durable, exactly;
  for (int rep = 0; rep < 3; ++rep) {
    const double small = bench.baseline(4096), large = bench.baseline(65536);
    std::printf("rep %d: libpq loop %.0f rows/s (4096-row COPYs), %.0f (65536-row COPYs)\n", rep,
                small, large);
    base.push_back(std::max(small, large));
    append.push_back(bench.sink("append_t", "", false));
    upsert.push_back(bench.sink("upsert_t", ", mode = 'upsert', primary.key = 'id'", false));
    durable.push_back(bench.sink("durable_t", "", true));
    exactly.push_back(bench.sink("exactly_t", ", delivery = 'exactly-once'", true));
    std::printf(
        "rep %d: baseline %.0f, append %.0f, upsert %.0f, durable-source append %.0f, "
        "exactly-once %.0f rows/s\n",
        rep, base.back(), append.back(), upsert.back(), durable.back(), exactly.back());
  }
  const double b = sluice::median(base), a = sluice::median(append), u = sluice::median(upsert),
               e = sluice::median(exactly), d = sluice::median(durable);
  std::printf(
      "postgres sink, %lld rows of (bigint, text, double, int, timestamptz), medians of 3:\n",
      static_cast<long long>(rows));
  std::printf("ratio append / libpq COPY loop        %5.2f  (%.0f vs %.0f rows/s)\n", a / b, a, b);
  std::printf("ratio upsert / append                 %5.2f  (%.0f rows/s)\n", u / a, u);
  std::printf("ratio exactly-once / append           %5.2f  (%.0f rows/s)\n", e / a, e);
  std::printf(
      "ratio exactly-once / durable-source append  %5.2f  (%.0f rows/s: the push WAL's share)\n",
      e / d, d);
  std::printf("encoder alone: %.1f M rows/s\n", bench.encode_rate() / 1e6);
  return 0;
}
