// Runs the data-file SQL tests in tests/sql/*.test (format: tests/sql/README.md). Each
// file is one test case; its blocks run in order against one fresh compute loop, through the
// same statement dispatcher a Database uses (SHOW SINKS and CHECKPOINT included). Pushes go
// through the intake like any pusher's; the runner waits for the compute thread before each
// check, so results do not depend on timing.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "checkpoint/push_wal.h"
#include "columnar/row_decoder.h"
#include "columnar/timestamp.h"
#include "connectors/blackhole/blackhole_sink.h"
#include "connectors/registry.h"
#include "runtime/compute_loop.h"
#include "sluice/value.h"
#include "sql/catalog.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string cell(const Column& c, int64_t row) {
  if (c.is_null(row)) return "NULL";
  if (c.type() == DataType::kVarchar && c.string_value(row).empty()) return "''";
  return Value::from_column(c, row).to_string();
}

std::vector<std::string> render(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    std::string line;
    for (int c = 0; c < batch.num_columns(); ++c) {
      if (c) line += '|';
      line += cell(batch.column(c), r);
    }
    rows.push_back(line);
  }
  return rows;
}

// "a | b" and "a|b" are the same row.
std::string normalize_row(const std::string& row) {
  std::string out;
  std::istringstream in(row);
  bool first = true;
  for (std::string part; std::getline(in, part, '|');) {
    if (!first) out += '|';
    out += trim(part);
    first = false;
  }
  if (!row.empty() && row.back() == '|') out += "|";
  return out;
}

struct Block {
  int line = 0;
  std::string header;
  std::vector<std::string> body;      // lines before ----
  std::vector<std::string> expected;  // lines after ----
  bool has_separator = false;
};

std::vector<Block> read_blocks(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  Block current;
  bool in_block = false;
  int line_no = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty()) {
      if (in_block) blocks.push_back(std::move(current));
      current = Block();
      in_block = false;
      continue;
    }
    if (!in_block) {
      if (line[0] == '#') continue;
      current.line = line_no;
      current.header = line;
      in_block = true;
      continue;
    }
    if (line == "----") {
      current.has_separator = true;
      continue;
    }
    (current.has_separator ? current.expected : current.body).push_back(raw);
  }
  if (in_block) blocks.push_back(std::move(current));
  return blocks;
}

std::string join(const std::vector<std::string>& lines, const char* sep) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += sep;
    out += lines[i];
  }
  return out;
}

class SqlFile : public ::testing::TestWithParam<std::string> {};

void check_error(const Status& s, const std::vector<std::string>& words, size_t code_at,
                 const Block& b, const std::string& where) {
  ASSERT_FALSE(s.ok()) << where << ": expected an error, the statement succeeded";
  if (words.size() > code_at) {
    EXPECT_EQ(s.code_string(), words[code_at]) << where << ": " << s.to_string();
  }
  const std::string want = join(b.expected, "\n");
  if (!want.empty()) {
    EXPECT_NE(s.to_string().find(trim(want)), std::string::npos)
        << where << ": error\n  " << s.to_string() << "\nshould contain\n  " << want;
  }
}

void check_rows(std::vector<std::string> got, std::vector<std::string> want, bool ordered,
                const std::string& where) {
  for (std::string& w : want) w = normalize_row(w);
  for (std::string& g : got) g = normalize_row(g);
  if (!ordered) {
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
  }
  EXPECT_EQ(got, want) << where << "\n  got:\n    " << join(got, "\n    ") << "\n  expected:\n    "
                       << join(want, "\n    ");
}

// A compute loop as a Database runs it, with every object's output recorded. Sinks are
// declared and validated as in a database, but write to a blackhole: these files test SQL,
// routing and filters (what each sink is handed), not connectors.
class Harness {
 public:
  Harness() : loop_(runtime::ComputeOptions{}) {
    connectors::register_builtin_connectors(registry_);
    loop_.set_connectors(&registry_);
    loop_.set_sink_factory([](const sql::SinkDef&) -> Result<std::unique_ptr<sink::Sink>> {
      return connectors::blackhole::make_blackhole_sink();
    });
    loop_.set_tap([this](const std::string& name, const RecordBatch& batch) {
      auto rows = render(batch);
      std::lock_guard lock(mutex_);
      auto& into = emitted_[sql::to_lower(name)];
      into.insert(into.end(), rows.begin(), rows.end());
    });
  }

  // As a database with a data_dir: exactly-once sinks and durable sources are allowed, and
  // durable sources log to a real write-ahead log. Cuts are acknowledged at once (no sink
  // here stages anything).
  void enable_checkpoints() {
    runtime::CheckpointHooks hooks;
    hooks.on_cut = [this](runtime::EpochCut cut) {
      loop_.epoch_resolved(cut.epoch);
      if (cut.done) cut.done->set(cut.epoch);
    };
    hooks.reserve_epoch = [](uint64_t) { return Status::Ok(); };
    hooks.log_statement = [](const std::string&) { return Status::Ok(); };
    hooks.resume_sink = [](const std::string&) { return sink::SinkTask::Resume{}; };
    hooks.open_push_log =
        [this](const sql::SourceDef& source) -> Result<std::shared_ptr<runtime::PushLog>> {
      SLC_ASSIGN_OR_RETURN(auto wal,
                           checkpoint::PushWal::open((dir_ / source.name).string(), source.schema));
      return std::shared_ptr<runtime::PushLog>(wal);
    };
    loop_.enable_checkpoints(std::move(hooks));
  }

  runtime::ComputeLoop& loop() { return loop_; }

  Status push_json(const std::string& source, const std::string& lines) {
    SLC_ASSIGN_OR_RETURN(auto s, loop_.source(source));
    SLC_ASSIGN_OR_RETURN(RecordBatch batch, decode_json_lines(s->schema(), lines));
    SLC_RETURN_IF_ERROR(loop_.push(*s, batch));
    return loop_.flush();
  }
  Status watermark(const std::string& source, int64_t micros) {
    SLC_ASSIGN_OR_RETURN(auto s, loop_.source(source));
    SLC_RETURN_IF_ERROR(loop_.advance_watermark(*s, micros));
    return loop_.flush();
  }
  Status end(const std::string& source) {
    std::vector<std::shared_ptr<runtime::SourceRuntime>> sources;
    if (source.empty()) {
      sources = loop_.sources();
    } else {
      SLC_ASSIGN_OR_RETURN(auto s, loop_.source(source));
      sources.push_back(s);
    }
    for (const auto& s : sources) SLC_RETURN_IF_ERROR(loop_.end_input(*s));
    return loop_.flush();
  }
  // What `name` emitted since the last call.
  std::vector<std::string> take(const std::string& name) {
    loop_.flush().ignore();
    std::lock_guard lock(mutex_);
    return std::exchange(emitted_[sql::to_lower(name)], {});
  }

 private:
  testing::TempDir dir_;
  connectors::Registry registry_;  // outlives the loop that reads it
  runtime::ComputeLoop loop_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> emitted_;  // by lower-case name
};

// `query columns=a,b` keeps only those columns (SHOW SINKS has live metrics besides).
RecordBatch pick_columns(const RecordBatch& rows, const std::string& spec) {
  std::vector<int> keep;
  std::istringstream in(spec);
  for (std::string name; std::getline(in, name, ',');) keep.push_back(rows.schema()->find(name));
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (int c : keep) {
    if (c < 0) return RecordBatch();
    fields.push_back(rows.schema()->field(c));
    columns.push_back(rows.column(c));
  }
  return RecordBatch::make(make_schema(std::move(fields)), std::move(columns)).value();
}

TEST_P(SqlFile, Passes) {
  const fs::path path = GetParam();
  Harness h;
  bool started = false;
  for (const Block& b : read_blocks(path)) {
    const std::string where = path.filename().string() + ":" + std::to_string(b.line);
    const std::vector<std::string> words = split_words(b.header);
    const std::string& cmd = words[0];
    if (cmd != "checkpointing") started = true;
    if (cmd == "statement") {
      const std::string sql = join(b.body, "\n");
      auto result = h.loop().execute(sql);
      if (words.size() > 1 && words[1] == "ok") {
        ASSERT_TRUE(result.ok()) << where << ": " << result.status().to_string() << "\n" << sql;
      } else {
        check_error(result.status(), words, 2, b, where);
      }
    } else if (cmd == "query") {
      ASSERT_TRUE(h.loop().flush_sinks().ok()) << where;  // SHOW SINKS counts written rows
      auto result = h.loop().execute(join(b.body, "\n"));
      if (words.size() > 1 && words[1] == "error") {
        check_error(result.status(), words, 2, b, where);
        continue;
      }
      ASSERT_TRUE(result.ok()) << where << ": " << result.status().to_string();
      RecordBatch rows = result->rows;
      bool ordered = false;
      for (size_t w = 1; w < words.size(); ++w) {
        if (words[w] == "ordered") ordered = true;
        if (words[w].rfind("columns=", 0) == 0) {
          rows = pick_columns(rows, words[w].substr(8));
          ASSERT_TRUE(rows.schema() != nullptr) << where << ": unknown column in " << words[w];
        }
      }
      check_rows(render(rows), b.expected, ordered, where);
    } else if (cmd == "push") {
      ASSERT_GE(words.size(), 2u) << where;
      Status s = h.push_json(words[1], join(b.body, "\n"));
      if (words.size() > 2 && words[2] == "error") {
        check_error(s, words, 3, b, where);
      } else {
        ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
      }
    } else if (cmd == "watermark") {
      ASSERT_EQ(words.size(), 3u) << where << ": watermark SOURCE TIMESTAMP";
      auto t = parse_timestamp(words[2]);
      ASSERT_TRUE(t.ok()) << where << ": " << t.status().to_string();
      Status s = h.watermark(words[1], *t);
      ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
    } else if (cmd == "checkpointing") {
      ASSERT_FALSE(started) << where << ": 'checkpointing' comes before every other block";
      h.enable_checkpoints();  // as a database with a data_dir
    } else if (cmd == "end") {
      Status s = h.end(words.size() > 1 ? words[1] : "");
      ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
    } else if (cmd == "expect") {
      ASSERT_GE(words.size(), 2u) << where;
      std::vector<std::string> got = h.take(words[1]);
      std::vector<std::string> want = b.body;
      want.insert(want.end(), b.expected.begin(), b.expected.end());
      check_rows(got, want, words.size() > 2 && words[2] == "ordered", where);
    } else if (cmd == "stats") {
      ASSERT_EQ(words.size(), 3u) << where << ": stats NAME late=N (or in=, out=, unmatched=)";
      auto st = h.loop().stats(words[1]);
      ASSERT_TRUE(st.ok()) << where << ": " << st.status().to_string();
      const std::string& kv = words[2];
      const auto eq = kv.find('=');
      const int64_t want = std::stoll(kv.substr(eq + 1));
      const std::string key = kv.substr(0, eq);
      const int64_t got = key == "late"        ? st->late_rows_dropped
                          : key == "unmatched" ? st->unmatched_deletes
                          : key == "in"        ? st->rows_in
                                               : st->rows_out;
      EXPECT_EQ(got, want) << where << ": " << key;
    } else {
      FAIL() << where << ": unknown directive '" << cmd << "'";
    }
  }
}

std::vector<std::string> test_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(fs::path(SLUICE_SOURCE_DIR) / "tests" / "sql")) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Sql, SqlFile, ::testing::ValuesIn(test_files()), test_name);

}  // namespace
}  // namespace sluice
