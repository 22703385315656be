#pragma once
// The Arrow C Data Interface: hand a RecordBatch to any Arrow implementation (pyarrow,
// DuckDB, Arrow C++) and take one back, without copying column data.
//
// A batch travels as a struct array ("+s") whose children are the columns. Export gives the
// receiver structures whose release callbacks drop sluice's references to the buffers; the
// memory lives until the last of sluice and the receiver lets go. Import takes ownership of
// the given structures (they are marked released, as the spec asks) and keeps the producer's
// memory alive until every batch and slice made from it is gone, then calls its release.

#include <cstdint>

#include "sluice/record_batch.h"
#include "sluice/schema.h"
#include "sluice/status.h"

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

extern "C" {
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};
}
#endif  // ARROW_C_DATA_INTERFACE

namespace sluice {

Status export_schema(const Schema& schema, ArrowSchema* out);
Status export_record_batch(const RecordBatch& batch, ArrowArray* out_array,
                           ArrowSchema* out_schema = nullptr);

// Reads a schema; the caller keeps ownership of `schema`.
Result<SchemaPtr> import_schema(const ArrowSchema* schema);
// Takes ownership of both structures (each is released or moved, even on error).
Result<RecordBatch> import_record_batch(ArrowArray* array, ArrowSchema* schema);

}  // namespace sluice
