#pragma once
// The fixed data the fuzz targets and the corpus generator share.
//
// events_schema(): one column of each type, one of them NOT NULL. The JSON, CSV and WAL targets
// decode against it; it is also the durable source `events` of the pipeline below, so the WAL
// segments the generator records seed the WAL target.
//
// pipeline_statements(): a small durable pipeline over `events` with every kind of operator
// state (tumbling, hopping and session windows, an unwindowed aggregate, COUNT(DISTINCT),
// FIRST/LAST_VALUE, views with their tables, a cascade). The state target restores into exactly
// this graph, and the corpus generator checkpoints it, so the state files it records fit.
//
// event_lines(): the rows the generator pushes, as JSON lines.

#include <string>
#include <vector>

#include "sluice/schema.h"

namespace sluice::fuzz {

inline SchemaPtr events_schema() {
  return make_schema({{"flag", DataType::kBoolean},
                      {"small", DataType::kInt32},
                      {"id", DataType::kInt64, false},
                      {"price", DataType::kDouble},
                      {"symbol", DataType::kVarchar},
                      {"ts", DataType::kTimestamp},
                      {"pause", DataType::kInterval},
                      {"amount", DataType::Decimal(12, 2)},
                      {"day", DataType::kDate}});
}

inline std::vector<std::string> pipeline_statements() {
  return {
      "CREATE SOURCE events (" + events_schema()->to_string() +
          ", WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (durable = true)",
      "CREATE STREAM per_minute AS SELECT symbol, window_start, window_end, "
      "SUM(price * id) AS turnover, COUNT(*) AS n, FIRST_VALUE(small) AS first, "
      "LAST_VALUE(small) AS last FROM events GROUP BY symbol, TUMBLE(ts, INTERVAL '1' MINUTE)",
      "CREATE STREAM sessions AS SELECT symbol, window_start, window_end, "
      "COUNT(DISTINCT small) AS smalls, MIN(price) AS low, MAX(ts) AS last_ts "
      "FROM events GROUP BY symbol, SESSION(ts, INTERVAL '30' SECOND)",
      "CREATE MATERIALIZED VIEW hops AS SELECT window_start, COUNT(*) AS n, AVG(price) AS mean "
      "FROM events GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '2' MINUTE) EMIT CHANGES",
      "CREATE MATERIALIZED VIEW totals AS SELECT symbol, SUM(id) AS ids, COUNT(flag) AS flags, "
      "MAX(pause) AS longest, SUM(amount) AS amount, AVG(amount) AS mean_amount, "
      "MAX(day) AS last_day FROM events GROUP BY symbol",
      "CREATE STREAM latest AS SELECT symbol, MAX(price) AS top FROM events GROUP BY symbol "
      "EMIT CHANGES",
      "CREATE MATERIALIZED VIEW flagged AS SELECT id, symbol, price FROM events WHERE flag",
      "CREATE STREAM busy AS SELECT symbol, window_start, n FROM per_minute WHERE n > 1",
  };
}

inline std::string event_lines() {
  return R"({"flag":true,"small":1,"id":1,"price":10.5,"symbol":"AAPL","ts":"2026-11-24T10:00:01Z","pause":1000,"amount":12.34,"day":"2026-11-24"}
{"flag":false,"small":2,"id":2,"price":20,"symbol":"AAPL","ts":"2026-11-24T10:00:30Z","pause":null,"amount":"-0.05","day":"1969-12-31"}
{"flag":null,"small":null,"id":3,"price":null,"symbol":"MSFT","ts":"2026-11-24T10:00:59Z"}
{"flag":true,"small":2,"id":4,"price":-3.25,"symbol":"Zürich","ts":1795514460000,"pause":-5}
{"small":7,"id":5,"price":1e300,"symbol":"","ts":"2026-11-24T10:01:06.123456Z","pause":0,"amount":9999999999.99}
{"flag":true,"small":-2147483648,"id":6,"price":0,"symbol":"MSFT","ts":"2026-11-24T10:02:40+01:00"}
{"flag":false,"small":2147483647,"id":7,"symbol":"a\"b\\c\n","ts":"2026-11-24T10:03:00Z"}
)";
}

}  // namespace sluice::fuzz
