// Runs the data-file SQL tests in tests/sql/*.test (format: tests/sql/README.md). Each
// file is one test case; its blocks run in order against one fresh Pipeline.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "columnar/timestamp.h"
#include "connectors/registry.h"
#include "dataflow/pipeline.h"
#include "sluice/value.h"
#include "sql/catalog.h"

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

TEST_P(SqlFile, Passes) {
  const fs::path path = GetParam();
  connectors::Registry connectors;
  connectors::register_builtin_connectors(connectors);
  dataflow::Pipeline pipeline;
  pipeline.set_connectors(&connectors);
  std::map<std::string, std::vector<std::string>> emitted;  // by lower-case name
  pipeline.set_listener([&](const std::string& name, sql::ObjectKind, const RecordBatch& batch) {
    auto rows = render(batch);
    auto& into = emitted[sql::to_lower(name)];
    into.insert(into.end(), rows.begin(), rows.end());
  });
  for (const Block& b : read_blocks(path)) {
    const std::string where = path.filename().string() + ":" + std::to_string(b.line);
    const std::vector<std::string> words = split_words(b.header);
    const std::string& cmd = words[0];
    if (cmd == "statement") {
      const std::string sql = join(b.body, "\n");
      auto result = pipeline.execute(sql);
      if (words.size() > 1 && words[1] == "ok") {
        ASSERT_TRUE(result.ok()) << where << ": " << result.status().to_string() << "\n" << sql;
      } else {
        check_error(result.status(), words, 2, b, where);
      }
    } else if (cmd == "query") {
      auto result = pipeline.execute(join(b.body, "\n"));
      if (words.size() > 1 && words[1] == "error") {
        check_error(result.status(), words, 2, b, where);
        continue;
      }
      ASSERT_TRUE(result.ok()) << where << ": " << result.status().to_string();
      check_rows(render(result->rows), b.expected, words.size() > 1 && words[1] == "ordered",
                 where);
    } else if (cmd == "push") {
      ASSERT_GE(words.size(), 2u) << where;
      Status s = pipeline.push_json(words[1], join(b.body, "\n"));
      if (words.size() > 2 && words[2] == "error") {
        check_error(s, words, 3, b, where);
      } else {
        ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
      }
    } else if (cmd == "watermark") {
      ASSERT_EQ(words.size(), 3u) << where << ": watermark SOURCE TIMESTAMP";
      auto t = parse_timestamp(words[2]);
      ASSERT_TRUE(t.ok()) << where << ": " << t.status().to_string();
      Status s = pipeline.advance_watermark(words[1], *t);
      ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
    } else if (cmd == "checkpointing") {
      pipeline.set_checkpointing(true);  // as a database with a data_dir
    } else if (cmd == "end") {
      Status s = words.size() > 1 ? pipeline.end_input(words[1]) : pipeline.end_all_inputs();
      ASSERT_TRUE(s.ok()) << where << ": " << s.to_string();
    } else if (cmd == "expect") {
      ASSERT_GE(words.size(), 2u) << where;
      auto& got = emitted[sql::to_lower(words[1])];
      std::vector<std::string> want = b.body;
      want.insert(want.end(), b.expected.begin(), b.expected.end());
      check_rows(got, want, words.size() > 2 && words[2] == "ordered", where);
      got.clear();
    } else if (cmd == "stats") {
      ASSERT_EQ(words.size(), 3u) << where << ": stats NAME late=N";
      auto st = pipeline.stats(words[1]);
      ASSERT_TRUE(st.ok()) << where << ": " << st.status().to_string();
      const std::string& kv = words[2];
      const auto eq = kv.find('=');
      const int64_t want = std::stoll(kv.substr(eq + 1));
      const std::string key = kv.substr(0, eq);
      const int64_t got = key == "late" ? st->late_rows_dropped
                          : key == "in" ? st->rows_in
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
