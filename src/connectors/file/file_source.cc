#include "connectors/file/file_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "columnar/row_decoder.h"

namespace sluice::connectors {
namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr int64_t kBatchRows = 8192;
constexpr int kLoggedErrors = 10;
// How often a followed file is checked for new lines once its end is reached.
constexpr std::chrono::milliseconds kFollowPoll{100};

}  // namespace

void FileSource::run() {
  const sql::OptionMap& options = source().definition->options;
  const std::string& path = options.at("path");
  const std::string where = "source '" + source().name() + "' (" + path + ")";
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    ingest().fail(Status(ErrorCode::kIoError, "cannot open " + path + ": " + std::strerror(errno),
                         "source '" + source().name() + "'"));
    return;
  }
  std::unique_ptr<RowDecoder> decoder;
  if (options.at("format") == "csv") {
    CsvOptions csv;
    csv.header = options.at("header") == "true";
    csv.delimiter = options.at("delimiter")[0];
    decoder = make_csv_decoder(source().schema(), csv);
  } else {
    decoder = make_json_lines_decoder(source().schema());
  }
  const bool skip = options.at("on.error") == "skip";
  const bool follow = options.at("follow") == "true";
  // The offset: the byte position after the last line handed to the decoder. A recovered
  // database starts at the checkpoint's (a CSV header is read first: it names the columns).
  int64_t offset = source().resume_offset.load(std::memory_order_acquire);
  // A UTF-8 byte-order mark opens some files (spreadsheet exports): it is not data. Offsets
  // stay file positions, so the first line starts after it.
  char bom[3];
  const bool has_bom = std::fread(bom, 1, 3, file) == 3 && std::memcmp(bom, "\xEF\xBB\xBF", 3) == 0;
  if (!has_bom) std::rewind(file);
  if (offset == 0 && has_bom) offset = 3;
  if (offset > 3 || (offset > 0 && !has_bom)) {
    if (options.at("format") == "csv" && options.at("header") == "true") {
      std::string header;
      for (int ch; (ch = std::fgetc(file)) != EOF;) {
        header.push_back(static_cast<char>(ch));
        if (ch == '\n') break;
      }
      decoder->append(header, false, [](const Status&) { return true; }).status().ignore();
    }
    if (std::fseek(file, static_cast<long>(offset), SEEK_SET) != 0) {
      ingest().fail(Status(
          ErrorCode::kIoError,
          "cannot seek to byte " + std::to_string(offset) + " to resume: " + std::strerror(errno),
          "source '" + source().name() + "', " + path));
      std::fclose(file);
      return;
    }
  }
  bool failed = false;
  auto on_error = [&](const Status& error) {
    if (!skip) return false;  // the decoder stops; the loop below delivers what came before
    const Status located = error.with_location(path);
    if (lines_skipped_.fetch_add(1) < kLoggedErrors) {
      std::fprintf(stderr, "sluice: %s: skipped: %s\n", where.c_str(), located.to_string().c_str());
    }
    return true;
  };
  // The offset the last push carried: a read whose lines made no row (every one skipped as
  // bad) still moves it, with a push of no rows (Ingest::push), so a recovery neither reads nor
  // counts those lines again; a read of nothing new (a followed file's poll) pushes nothing.
  int64_t pushed_offset = offset;
  auto push_rows = [&]() -> bool {
    if (decoder->num_rows() == 0 && offset == pushed_offset) return true;
    RecordBatch batch = decoder->finish();
    rows_read_.fetch_add(batch.num_rows());
    pushed_offset = offset;
    Status s = ingest().push(source(), std::move(batch), offset);
    return s.ok();  // a closed database or dropped source ends reading
  };

  std::string buffer;
  std::string chunk(kChunkBytes, '\0');
  bool eof = false;
  while (!eof && !failed && !stopping()) {
    if (!wait_aligned()) break;  // ahead of its alignment group: paused
    const size_t n = std::fread(chunk.data(), 1, chunk.size(), file);
    bool at_end = false;
    if (n < chunk.size()) {
      if (std::ferror(file)) {
        ingest().fail(Status(ErrorCode::kIoError,
                             "read failed: " + std::string(std::strerror(errno)),
                             "source '" + source().name() + "', " + path));
        failed = true;
        break;
      }
      at_end = true;
      eof = !follow;  // a followed file has no end: a partial last line waits for the rest
    }
    buffer.append(chunk.data(), n);
    Result<size_t> consumed = decoder->append(buffer, eof, on_error);
    if (!consumed.ok()) {
      // on.error = 'fail': the lines before the bad one are delivered (their offset is where
      // the bad line starts), then the pipeline fails.
      offset += static_cast<int64_t>(decoder->stopped_at());
      if (push_rows()) {
        ingest().fail_after_input(source(), consumed.status().with_location(path).with_location(
                                                "source '" + source().name() + "'"));
      }
      failed = true;
      break;
    }
    buffer.erase(0, *consumed);
    offset += static_cast<int64_t>(*consumed);
    if (decoder->num_rows() >= kBatchRows || at_end) {
      if (!push_rows()) break;
    }
    if (at_end && follow) {
      std::clearerr(file);
      if (!sleep_until(deadline_after(kFollowPoll))) break;
    }
  }
  std::fclose(file);
  if (!failed && !stopping()) {
    if (push_rows()) ingest().end_input(source()).ignore();
  }
  if (lines_skipped_.load() > kLoggedErrors) {
    std::fprintf(stderr, "sluice: %s: %lld bad lines skipped in all\n", where.c_str(),
                 static_cast<long long>(lines_skipped_.load()));
  }
}

}  // namespace sluice::connectors
