// Kafka sink throughput against a plain librdkafka producer, in the same run, on the same mock
// cluster (the kafka_mock tool, tests/support/kafka_mock_main.cc, in a process of its own, so
// the broker's work is outside the measured process as a real broker's would be):
//   baseline     a plain librdkafka producer with the sink's settings (idempotent, acks = all)
//                sending the same rows, encoded as the sink encodes them (JSON objects) before
//                the clock starts, then flush: the ceiling for any client
//   sink         the same rows pushed through a database INTO kafka (at-least-once), timed
//                until shutdown has every message acknowledged
//   durable      the same from a durable push source (its rows go to the WAL): the pipeline
//                exactly-once needs
//   exactly      delivery = 'exactly-once' from a durable source with 1 s checkpoints (a
//                transaction per epoch, each epoch staged in the data directory)
// and the sink's JSON encoding alone (one encode per row, as the sink), so the sink's cost beyond
// producer + encoding shows.
// Each is run --runs times (5 by default), interleaved, each repetition on a fresh mock cluster
// (its memory holds every message), timed in wall-clock seconds and in the CPU seconds of the
// whole process (every thread; the mock's is its own process's). The medians of each are
// reported, and the ratios, both per wall-clock second and per CPU-second (the baseline's CPU per
// row over ours; on a shared machine the steadier figure): sink ÷ baseline (goal ≥ 0.9),
// exactly-once ÷ durable at-least-once (goal ≥ 0.8).
//   build/release/bench/kafka_bench [--rows N] [--runs R]
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "columnar/row_encoder.h"
#include "run_cost.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"
#include "support/kafka_mock.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kBatchRows = 4096;

void must(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "kafka_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

SchemaPtr schema() {
  return make_schema({{"id", DataType::kInt64, false},
                      {"symbol", DataType::kVarchar, false},
                      {"price", DataType::kDouble, false},
                      {"qty", DataType::kInt32, false},
                      {"ts", DataType::kTimestamp, false}});
}

std::vector<RecordBatch> make_rows(int64_t rows) {
  std::vector<RecordBatch> out;
  const char* symbols[] = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "Zürich AG", "東京電力"};
  for (int64_t start = 0; start < rows; start += kBatchRows) {
    BatchBuilder b(schema());
    for (int64_t i = start; i < std::min(rows, start + kBatchRows); ++i) {
      b.column(0).append_int64(i);
      b.column(1).append_string(symbols[i % 7]);
      b.column(2).append_double(100.0 + static_cast<double>(i % 1000) / 8);
      b.column(3).append_int32(static_cast<int32_t>(i % 500));
      b.column(4).append_int64(1'795'000'000'000'000 + i * 1000);
    }
    out.push_back(b.finish());
  }
  return out;
}

// Messages in a topic: the sum of its partitions' high watermarks.
int64_t messages_in(const std::string& bootstrap, const std::string& topic) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), why, sizeof why);
  rd_kafka_conf_set(conf, "log_level", "0", why, sizeof why);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  must(rk != nullptr, why);
  int64_t low = 0, high = 0;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, topic.c_str(), 0, &low, &high, 10000);
  rd_kafka_destroy(rk);
  must(err == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2str(err));
  return high;
}

class Bench {
 public:
  explicit Bench(int64_t rows) : rows_(rows), batches_(make_rows(rows)) {
    dir_ = fs::temp_directory_path() / ("sluice_kafka_bench_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The values as the sink encodes them (JSON objects without the line end), before timing.
    JsonLinesEncoder encoder(*schema());
    std::string line;
    for (const RecordBatch& b : batches_) {
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        line.clear();
        encoder.encode_rows(b, r, r + 1, line);
        line.pop_back();
        encoded_.push_back(line);
      }
    }
  }
  ~Bench() { fs::remove_all(dir_); }

  // The sink's encoding alone: one encode per row into one buffer, as the sink's
  // MessageEncoder does (message_encoder.cc). Producer + this is the floor of the sink's CPU per
  // row; what the sink spends beyond it is its own.
  bench::RunCost encode_only() {
    JsonLinesEncoder encoder(*schema());
    std::string buffer;
    int64_t bytes = 0;
    const bench::CostClock clock;
    for (const RecordBatch& b : batches_) {
      buffer.clear();
      for (int64_t r = 0; r < b.num_rows(); ++r) encoder.encode_rows(b, r, r + 1, buffer);
      bytes += static_cast<int64_t>(buffer.size());
    }
    const bench::RunCost cost = clock.stop(rows_);
    must(bytes > rows_, "encode: nothing encoded");
    return cost;
  }

  void new_cluster() {
    mock_.reset();
    mock_ = std::make_unique<testing::KafkaMock>(1);
  }

  bench::RunCost baseline(const std::string& topic) {
    mock_->create_topic(topic, 1);
    char why[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [k, v] :
         std::vector<std::pair<std::string, std::string>>{{"bootstrap.servers", mock_->bootstrap()},
                                                          {"enable.idempotence", "true"},
                                                          {"acks", "all"},
                                                          {"log_level", "0"}}) {
      must(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), why, sizeof why) == RD_KAFKA_CONF_OK, why);
    }
    static int64_t failed;
    failed = 0;
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
      if (m->err) ++failed;
    });
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    must(rk != nullptr, why);
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const bench::CostClock clock;
    for (const std::string& value : encoded_) {
      while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                              const_cast<char*>(value.data()), value.size(), nullptr, 0,
                              nullptr) != 0) {
        must(rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL, "produce");
        rd_kafka_poll(rk, 10);
      }
      rd_kafka_poll(rk, 0);
    }
    must(rd_kafka_flush(rk, 60000) == RD_KAFKA_RESP_ERR_NO_ERROR, "flush");
    const bench::RunCost cost = clock.stop(rows_);
    rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
    must(failed == 0, "baseline deliveries failed");
    must(messages_in(mock_->bootstrap(), topic) == rows_, "baseline lost messages");
    return cost;
  }

  // The same rows through a database into the sink; timed until shutdown has delivered all.
  bench::RunCost sink(const std::string& topic, bool durable, bool exactly_once) {
    mock_->create_topic(topic, 1);
    const fs::path data_dir = dir_ / ("data_" + topic);
    fs::remove_all(data_dir);
    DatabaseOptions o;
    if (durable) {
      o.data_dir = data_dir.string();
      o.checkpoint_interval = 1s;
    }
    auto db = Database::open(o).value();
    auto r = db->execute(
        std::string("CREATE SOURCE t (id BIGINT NOT NULL, symbol VARCHAR NOT NULL, price DOUBLE "
                    "NOT NULL, qty INT NOT NULL, ts TIMESTAMP NOT NULL)") +
        (durable ? " WITH (durable = true)" : "") +
        "; CREATE SINK out FROM t INTO kafka (bootstrap.servers = '" + mock_->bootstrap() +
        "', topic = '" + topic + "'" + (exactly_once ? ", delivery = 'exactly-once'" : "") + ")");
    must(r.ok(), r.status().to_string());
    auto source = db->source("t").value();
    const bench::CostClock clock;
    for (const RecordBatch& b : batches_) must(source.push(b).ok(), "push");
    must(db->shutdown().ok(), db->status().to_string());
    const bench::RunCost cost = clock.stop(rows_);
    const int64_t in_topic = messages_in(mock_->bootstrap(), topic);
    // A transactional topic's high watermark counts the commit markers too.
    must(exactly_once ? in_topic >= rows_ : in_topic == rows_,
         topic + " holds " + std::to_string(in_topic) + " messages, want " + std::to_string(rows_));
    fs::remove_all(data_dir);
    return cost;
  }

 private:
  int64_t rows_;
  std::vector<RecordBatch> batches_;
  std::vector<std::string> encoded_;
  std::unique_ptr<testing::KafkaMock> mock_;
  fs::path dir_;
};

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  int64_t rows = 500'000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--rows") rows = std::atoll(argv[i + 1]);
    if (std::string(argv[i]) == "--runs") runs = std::atoi(argv[i + 1]);
  }
  sluice::Bench bench(rows);
  std::vector<sluice::bench::RunCost> base, sink, durable, exactly;
  for (int rep = 0; rep < runs; ++rep) {
    bench.new_cluster();
    const std::string r = std::to_string(rep);
    base.push_back(bench.baseline("baseline" + r));
    sink.push_back(bench.sink("sink" + r, false, false));
    durable.push_back(bench.sink("durable" + r, true, false));
    exactly.push_back(bench.sink("exactly" + r, true, true));
    std::printf(
        "rep %d rows/s (CPU us/row): librdkafka producer %.0f (%.2f), sink %.0f (%.2f), "
        "durable-source sink %.0f (%.2f), exactly-once %.0f (%.2f)\n",
        rep, base.back().rows_per_second(), base.back().cpu_micros_per_row(),
        sink.back().rows_per_second(), sink.back().cpu_micros_per_row(),
        durable.back().rows_per_second(), durable.back().cpu_micros_per_row(),
        exactly.back().rows_per_second(), exactly.back().cpu_micros_per_row());
  }
  using sluice::bench::median_cost;
  const auto b = median_cost(base), s = median_cost(sink), d = median_cost(durable),
             e = median_cost(exactly);
  std::printf(
      "kafka sink, %lld rows of (bigint, text, double, int, timestamp) as JSON, one "
      "partition, mock cluster, medians of %d:\n",
      static_cast<long long>(rows), runs);
  sluice::bench::print_cost_ratio("sink / librdkafka producer", s, b);
  sluice::bench::print_cost_ratio("exactly-once / durable a-l-once", e, d);
  sluice::bench::print_cost_ratio("durable a-l-once / sink", d, s);
  std::vector<sluice::bench::RunCost> encode;
  for (int rep = 0; rep < runs; ++rep) encode.push_back(bench.encode_only());
  const auto c = median_cost(encode);
  std::printf(
      "JSON encoding alone %.2f CPU us/row; producer + encoding %.2f CPU us/row: sink / that per "
      "CPU-second %.2f (the sink's own cost beyond both: %.2f CPU us/row)\n",
      c.cpu_micros_per_row, b.cpu_micros_per_row + c.cpu_micros_per_row,
      (b.cpu_micros_per_row + c.cpu_micros_per_row) / s.cpu_micros_per_row,
      s.cpu_micros_per_row - b.cpu_micros_per_row - c.cpu_micros_per_row);
  return 0;
}
