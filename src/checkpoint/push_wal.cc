#include "checkpoint/push_wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "common/durable_file.h"
#include "dataflow/state_codec.h"
#include "sluice/batch_builder.h"

namespace sluice::checkpoint {
namespace {
namespace fs = std::filesystem;
}

PushWal::PushWal(std::string directory, SchemaPtr schema, int64_t segment_bytes)
    : directory_(std::move(directory)), schema_(std::move(schema)), segment_bytes_(segment_bytes) {}

std::string PushWal::segment_path(int64_t base) const {
  char name[48];
  std::snprintf(name, sizeof name, "segment-%020lld.log", static_cast<long long>(base));
  return (fs::path(directory_) / name).string();
}

Result<std::shared_ptr<PushWal>> PushWal::open(std::string directory, SchemaPtr schema,
                                               int64_t segment_bytes) {
  // data_dir/wal/ and data_dir/wal/<source>/, each its owner's alone.
  SLC_RETURN_IF_ERROR(create_private_directory(fs::path(directory).parent_path().string()));
  SLC_RETURN_IF_ERROR(create_private_directory(directory));
  std::error_code ec;
  std::shared_ptr<PushWal> wal(new PushWal(directory, std::move(schema), segment_bytes));
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("segment-", 0) != 0) continue;
    wal->bases_.push_back(std::strtoll(name.c_str() + 8, nullptr, 10));
  }
  if (ec) return Status(ErrorCode::kIoError, "cannot list " + directory + ": " + ec.message());
  std::sort(wal->bases_.begin(), wal->bases_.end());
  const int64_t last = wal->bases_.empty() ? 0 : wal->bases_.back();
  if (wal->bases_.empty()) wal->bases_.push_back(0);
  SLC_RETURN_IF_ERROR(wal->open_segment(last));
  wal->durable_.store(wal->base_ + wal->current_->size());
  return wal;
}

Status PushWal::open_segment(int64_t base) {
  auto log = std::make_unique<RecordLog>(segment_path(base));
  SLC_RETURN_IF_ERROR(log->open([](std::string_view, int64_t) { return Status::Ok(); }).status());
  current_ = std::move(log);
  base_ = base;
  return Status::Ok();
}

Result<int64_t> PushWal::append(const RecordBatch& batch) {
  MutexLock lock(mutex_);
  if (current_->size() >= segment_bytes_) {
    // Roll: the full segment is made durable first, so durable_ never skips a segment.
    SLC_RETURN_IF_ERROR(current_->sync());
    durable_.store(std::max(durable_.load(), base_ + current_->size()));
    const int64_t next = base_ + current_->size();
    SLC_RETURN_IF_ERROR(open_segment(next));
    bases_.push_back(next);
  }
  scratch_ = encode(batch);
  SLC_ASSIGN_OR_RETURN(int64_t end, current_->append(scratch_));
  return base_ + end;
}

Status PushWal::sync(int64_t offset) {
  if (durable_.load(std::memory_order_acquire) >= offset) return Status::Ok();
  MutexLock sync_lock(sync_mutex_);
  if (durable_.load(std::memory_order_acquire) >= offset) return Status::Ok();  // shared a sync
  int64_t target;
  int fd;
  std::string path;
  {
    MutexLock lock(mutex_);
    target = base_ + current_->size();
    path = current_->path();
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return io_error("cannot open", path);
  // Outside mutex_: appends go on while the disk works, and the next sync takes them all.
  const int synced = ::fdatasync(fd);
  ::close(fd);
  if (synced != 0) return io_error("cannot fsync", path);
  durable_.store(std::max(durable_.load(), target), std::memory_order_release);
  return Status::Ok();
}

Status PushWal::replay(int64_t from,
                       const std::function<Status(RecordBatch, int64_t)>& each) const {
  for (size_t i = 0; i < bases_.size(); ++i) {
    const int64_t base = bases_[i];
    if (i + 1 < bases_.size() && bases_[i + 1] <= from) continue;  // wholly before `from`
    RecordLog segment(segment_path(base));
    SLC_RETURN_IF_ERROR(segment
                            .open([&](std::string_view record, int64_t end) -> Status {
                              if (base + end <= from) return Status::Ok();
                              auto batch = decode(record, schema_);
                              if (!batch.ok()) {
                                return batch.status().with_location(segment.path() +
                                                                    ", record ending at byte " +
                                                                    std::to_string(end));
                              }
                              return each(std::move(batch).value(), base + end);
                            })
                            .status());
  }
  return Status::Ok();
}

void PushWal::drop_before(int64_t offset) {
  MutexLock lock(mutex_);
  // A segment ends where the next begins; the current one is never dropped.
  while (bases_.size() > 1 && bases_[1] <= offset) {
    std::error_code ec;
    fs::remove(segment_path(bases_[0]), ec);
    bases_.erase(bases_.begin());
  }
}

// A batch as rows of typed values, column after column (dataflow::StateWriter's encoding).
std::string PushWal::encode(const RecordBatch& batch) {
  dataflow::StateWriter w;
  w.i64(batch.num_rows());
  for (int c = 0; c < batch.num_columns(); ++c) {
    const Column& col = batch.column(c);
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      const bool null = col.is_null(r);
      w.u8(null ? 0 : 1);
      if (null) continue;
      switch (col.type()) {
        case DataType::kBoolean:
          w.u8(col.bool_value(r) ? 1 : 0);
          break;
        case DataType::kInt32:
        case DataType::kDate:
          w.i64(col.int32_value(r));
          break;
        case DataType::kDecimal:
          w.i128(col.decimal_value(r));
          break;
        case DataType::kInt64:
        case DataType::kTimestamp:
        case DataType::kInterval:
          w.i64(col.int64_value(r));
          break;
        case DataType::kDouble:
          w.f64(col.double_value(r));
          break;
        case DataType::kVarchar:
          w.str(col.string_value(r));
          break;
      }
    }
  }
  return w.take();
}

Result<RecordBatch> PushWal::decode(std::string_view bytes, const SchemaPtr& schema) {
  dataflow::StateReader r(bytes);
  int64_t rows;
  // Every row takes at least a byte per column: a damaged count fails before it sizes anything.
  SLC_RETURN_IF_ERROR(r.count(rows, static_cast<size_t>(std::max(1, schema->num_fields()))));
  BatchBuilder b(schema);
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder& out = b.column(c);
    for (int64_t i = 0; i < rows; ++i) {
      uint8_t valid;
      SLC_RETURN_IF_ERROR(r.u8(valid));
      if (!valid) {
        out.append_null();
        continue;
      }
      int64_t n;
      switch (schema->field(c).type) {
        case DataType::kBoolean: {
          uint8_t v;
          SLC_RETURN_IF_ERROR(r.u8(v));
          out.append_bool(v != 0);
          break;
        }
        case DataType::kInt32:
        case DataType::kDate:
          SLC_RETURN_IF_ERROR(r.i64(n));
          out.append_int32(static_cast<int32_t>(n));
          break;
        case DataType::kDecimal: {
          __int128 v;
          SLC_RETURN_IF_ERROR(r.i128(v));
          out.append_decimal(v);
          break;
        }
        case DataType::kInt64:
        case DataType::kTimestamp:
        case DataType::kInterval:
          SLC_RETURN_IF_ERROR(r.i64(n));
          out.append_int64(n);
          break;
        case DataType::kDouble: {
          double d;
          SLC_RETURN_IF_ERROR(r.f64(d));
          out.append_double(d);
          break;
        }
        case DataType::kVarchar: {
          std::string s;
          SLC_RETURN_IF_ERROR(r.str(s));
          out.append_string(s);
          break;
        }
      }
    }
  }
  if (!r.done()) return Status(ErrorCode::kDataCorrupt, "damaged push-log record (trailing bytes)");
  return b.finish();
}

}  // namespace sluice::checkpoint
