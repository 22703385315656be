// Embedding sluice in a C++ program: declare a pipeline in SQL, push events from the
// application, receive results from a subscription. The test suite builds and runs this
// file, so it stays true.

#include <cstdio>
#include <thread>

#include "sluice/database.h"

int main() {
  auto opened = sluice::Database::open();
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().to_string().c_str());
    return 1;
  }
  std::unique_ptr<sluice::Database> db = std::move(opened).value();

  auto ddl = db->execute(R"(
    CREATE SOURCE trades (
        symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP,
        WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
    CREATE STREAM per_minute AS
        SELECT symbol, window_start, SUM(price * volume) / SUM(volume) AS vwap, COUNT(*) AS trades
        FROM trades
        GROUP BY symbol, TUMBLE(ts, INTERVAL '1' MINUTE);
  )");
  if (!ddl.ok()) {
    std::fprintf(stderr, "%s\n", ddl.status().to_string().c_str());
    return 1;
  }

  auto results = db->subscribe("per_minute").value();
  sluice::SourceHandle trades = db->source("trades").value();

  // Push from another thread, as an application would; rows can also be built by column.
  std::thread producer([&] {
    trades
        .push_json(R"({"symbol":"AAPL","price":189.5,"volume":100,"ts":"2026-11-24T10:00:01Z"}
{"symbol":"AAPL","price":190.5,"volume":300,"ts":"2026-11-24T10:00:31Z"})")
        .ignore();
    sluice::RowBuilder rows = trades.row_builder();
    rows.set("symbol", sluice::Value::Varchar("MSFT"))
        .set("price", sluice::Value::Double(411.0))
        .set("volume", sluice::Value::Int64(50))
        .set("ts", sluice::Value::Varchar("2026-11-24T10:00:45Z"));
    if (sluice::Status s = rows.end_row(); !s.ok())
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
    trades.push(rows).ignore();
    trades.end().ignore();  // no more input: the final watermark closes the last windows
  });

  int64_t windows = 0;
  while (windows < 2) {
    auto batch = results.recv_for(std::chrono::seconds(10));
    if (!batch.ok()) {
      std::fprintf(stderr, "%s\n", batch.status().to_string().c_str());
      return 1;
    }
    std::printf("%s", batch->to_string().c_str());
    windows += batch->num_rows();
  }
  producer.join();
  sluice::Status done = db->shutdown();
  return done.ok() ? 0 : 1;
}
