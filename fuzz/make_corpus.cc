// Regenerates the seed corpora in fuzz/corpus/<target>/ (fuzz/README.md):
//   sql            every statement of tests/sql/*.test, and the pipeline of pipeline.h
//   json_decoder   the JSON lines pushed in tests/sql/*.test, and the pipeline's rows
//   csv_decoder    the pipeline's rows as CSV (with and without a header, each delimiter), and a
//                  few RFC 4180 corner cases
//   wal, manifest, state
//                  real files: the pipeline of pipeline.h run in a Database with a data_dir,
//                  rows pushed into its durable source and checkpointed between pushes; its
//                  push-log segment (whole, and one record per seed), manifests and state files.
// Usage: fuzz_corpus REPOSITORY_ROOT. Each target's directory is emptied and written again.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checkpoint/record_log.h"
#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "pipeline.h"
#include "sluice/database.h"
#include "support/temp_dir.h"

namespace sluice::fuzz {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One target's corpus directory: emptied when made; identical seeds are written once.
class Corpus {
 public:
  Corpus(const fs::path& root, const std::string& target) : dir_(root / target) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Corpus() { std::printf("%s: %zu seeds\n", dir_.c_str(), seen_.size()); }

  void add(const std::string& name, const std::string& bytes) {
    if (!seen_.insert(bytes).second) return;
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }

 private:
  fs::path dir_;
  std::set<std::string> seen_;
};

// The blocks of a tests/sql file (format: tests/sql/README.md): header line, then the lines
// up to "----" or a blank line.
std::vector<std::pair<std::string, std::string>> blocks(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line, header, body;
  bool in_body = false, past_separator = false;
  auto flush = [&] {
    if (!header.empty()) out.emplace_back(header, body);
    header.clear();
    body.clear();
    past_separator = false;
  };
  while (std::getline(in, line)) {
    if (line.empty()) {
      flush();
      in_body = false;
      continue;
    }
    if (line[0] == '#') continue;
    if (!in_body) {
      header = line;
      in_body = true;
      continue;
    }
    if (line == "----") past_separator = true;
    if (!past_separator) body += line + "\n";
  }
  flush();
  return out;
}

void sql_and_json_seeds(const fs::path& repo, const fs::path& corpora) {
  Corpus sql(corpora, "sql");
  Corpus json(corpora, "json_decoder");
  std::map<std::string, fs::path> tests;  // by name, so the order is stable
  for (const auto& entry : fs::directory_iterator(repo / "tests" / "sql"))
    if (entry.path().extension() == ".test") tests[entry.path().stem()] = entry.path();
  for (const auto& [name, path] : tests) {
    int n = 0;
    for (const auto& [header, body] : blocks(read_file(path))) {
      ++n;
      if (header.rfind("statement", 0) == 0 || header.rfind("query", 0) == 0) {
        sql.add(name + "-" + std::to_string(n), body);
      } else if (header.rfind("push", 0) == 0) {
        json.add(name + "-" + std::to_string(n), "\x80" + body);  // split in the middle
      }
    }
  }
  int n = 0;
  for (const std::string& s : pipeline_statements()) sql.add("pipeline-" + std::to_string(++n), s);
  json.add("events", "\x80" + event_lines());
}

void csv_seeds(const fs::path& corpora) {
  Corpus csv(corpora, "csv_decoder");
  auto rows = decode_json_lines(events_schema(), event_lines());
  if (!rows.ok()) {
    std::fprintf(stderr, "fuzz_corpus: the pipeline's rows: %s\n",
                 rows.status().to_string().c_str());
    std::exit(1);
  }
  const char delimiters[] = {',', ';', '\t', '|'};
  for (int d = 0; d < 4; ++d) {
    for (int header = 0; header < 2; ++header) {
      CsvOptions options;
      options.delimiter = delimiters[d];
      options.header = header != 0;
      const CsvEncoder encoder(*events_schema(), options);
      std::string text;
      text += static_cast<char>(header | (d << 1));  // the target's option byte
      text += '\x80';                                // split in the middle
      if (options.header) encoder.encode_header(text);
      encoder.encode(*rows, text);
      csv.add(std::string("events-") + "cstp"[d] + (header ? "-header" : ""), text);
    }
  }
  // Quoted fields with delimiters, quotes and line breaks inside; CRLF; an empty quoted string
  // against an empty (NULL) field; a header naming columns out of order, one unknown.
  csv.add("quoting", std::string("\x00\x80", 2) +
                         "true,1,2,\"3.5\",\"a,\"\"b\"\"\nc\",2026-11-24T10:00:00Z,5\r\n"
                         ",,3,,\"\",,\r\n");
  csv.add("header",
          std::string("\x01\x80", 2) + "symbol,id,unknown,ts\nAAPL,1,x,1795514400000\n\"\",2,,\n");
}

void checkpoint_seeds(const fs::path& corpora) {
  Corpus wal(corpora, "wal");
  Corpus manifests(corpora, "manifest");
  Corpus states(corpora, "state");
  testing::TempDir data_dir("sluice_fuzz_corpus_");
  {
    DatabaseOptions options;
    options.data_dir = data_dir.string();
    options.checkpoint_interval = std::chrono::hours(1);  // only the checkpoints asked for
    auto db = Database::open(options);
    auto fail = [](const Status& s) {
      std::fprintf(stderr, "fuzz_corpus: %s\n", s.to_string().c_str());
      std::exit(1);
    };
    if (!db.ok()) fail(db.status());
    for (const std::string& s : pipeline_statements())
      if (auto r = (*db)->execute(s); !r.ok()) fail(r.status());
    auto events = (*db)->source("events");
    if (!events.ok()) fail(events.status());
    // Three pushes (three WAL records), a checkpoint after each of the first two.
    std::istringstream lines(event_lines());
    std::vector<std::string> pushes(3);
    int i = 0;
    for (std::string line; std::getline(lines, line); ++i)
      pushes[std::min(i / 3, 2)] += line + "\n";
    for (int p = 0; p < 3; ++p) {
      if (Status s = events->push_json(pushes[static_cast<size_t>(p)]); !s.ok()) fail(s);
      if (p < 2) {
        if (auto epoch = (*db)->checkpoint(); !epoch.ok()) fail(epoch.status());
      }
    }
    if (Status s = (*db)->shutdown(); !s.ok()) fail(s);
  }
  for (const auto& entry : fs::directory_iterator(data_dir.path() / "checkpoints")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("manifest-", 0) == 0) manifests.add(name, read_file(entry.path()));
    if (name.rfind("state-", 0) == 0) states.add(name, read_file(entry.path()));
  }
  for (const auto& entry : fs::directory_iterator(data_dir.path() / "wal" / "events")) {
    const std::string segment = read_file(entry.path());
    wal.add(entry.path().filename().string(), segment);
    size_t at = 0;
    int n = 0;
    while (auto frame = checkpoint::read_frame(segment, at)) {
      wal.add("record-" + std::to_string(++n), segment.substr(at, frame->end - at));
      at = frame->end;
    }
  }
}

}  // namespace
}  // namespace sluice::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_corpus REPOSITORY_ROOT\n");
    return 2;
  }
  const std::filesystem::path repo(argv[1]);
  const std::filesystem::path corpora = repo / "fuzz" / "corpus";
  sluice::fuzz::sql_and_json_seeds(repo, corpora);
  sluice::fuzz::csv_seeds(corpora);
  sluice::fuzz::checkpoint_seeds(corpora);
  return 0;
}
