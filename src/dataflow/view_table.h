#pragma once
// ViewTable: the current rows of a materialized view, a multiset kept from the view's output
// (inserts, and deletes when its query emits a changelog). Ad-hoc SELECTs read it.
//
// Layout: each distinct row is encoded once (its values as the state codec writes them) into
// an arena of fixed-size chunks, behind its count of copies; an open-addressing index (linear
// probing, backward-shift deletion) maps a row's hash to where it lives. A million rows of a
// few columns take tens of megabytes, not the ~500 bytes per row of a map of Value vectors.
//
// Checkpoints: capture() shares the chunks with the image it returns (a copy of the chunk
// pointers: cost in proportion to the number of chunks, not rows). A chunk the image holds is
// copied before the table next changes it (copy-on-write by chunk), so the image stays as it
// was while the table moves on. Rows are written in arena order (first insertion), the order
// restore() reads them back in, so a restored table writes the same bytes again.
//
// Memory: a deleted row leaves a hole in its chunk; a chunk with no live row is freed at once,
// and when holes outweigh live rows the arena is rewritten without them (amortized over the
// deletes that made them).
//
// Thread: the compute thread (or a test's) only; an image from capture() may be written on
// any one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/cow_ptr.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/value.h"

namespace sluice::dataflow {

class ViewTable {
 public:
  explicit ViewTable(SchemaPtr schema);
  ~ViewTable();
  ViewTable(const ViewTable&) = delete;
  ViewTable& operator=(const ViewTable&) = delete;

  const SchemaPtr& schema() const { return schema_; }
  // Rows, copies counted.
  int64_t size() const { return size_; }
  int64_t distinct_rows() const { return distinct_; }
  // Adds one copy of `row`, or (insert = false) removes one if present; false when it was not
  // (a delete that matched nothing: the caller counts it).
  bool apply(const std::vector<Value>& row, bool insert);
  RecordBatch to_batch() const;

  // Writes the distinct rows' count, then each distinct row with its copies (the format
  // Graph::snapshot frames); the image does so later, as the table was at the capture.
  std::unique_ptr<StateImage> capture() const;
  // Reads back what an image wrote after its count (`distinct_rows`). `max_rows` bounds the
  // copies: a view holds at most the rows it has emitted, so a count past it is damage,
  // refused before anything is sized by it (SELECT would materialize them).
  Status restore(StateReader& reader, int64_t distinct_rows, int64_t max_rows);
  // Distinct rows, and the bytes of the arena and index.
  StateStats state_stats() const;

  // Chunks of the arena the table holds (freed ones not counted).
  size_t chunk_count() const;

  // The arena's unit (view_table.cc); an image shares them with the table.
  struct Chunk;

 private:
  struct Slot {
    uint64_t hash;
    uint32_t chunk;   // kEmpty: a free slot
    uint32_t offset;  // of the row's header in its chunk
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;

  // The slot holding the row whose encoding key() returns, or the free slot where it would
  // go (key() is called only on a matching hash).
  template <typename KeyFn>
  size_t find_slot(uint64_t hash, KeyFn&& key) const;
  std::string_view payload_at(uint32_t chunk, uint32_t offset) const;
  // The chunk, unshared (copied first if an image still holds it).
  Chunk& writable(uint32_t chunk);
  // Appends a row with its copies at the arena's end; returns its place.
  std::pair<uint32_t, uint32_t> append(std::string_view key, int64_t copies);
  void insert_slot(uint64_t hash, uint32_t chunk, uint32_t offset);
  // Indexes the rows restore() appended (their hashes and places, in arena order; consumed).
  Status index_restored_rows(std::vector<Slot>& rows);
  void erase_slot(size_t slot);
  void grow_index();
  // Rewrites the arena without its holes (chunk order kept) and re-indexes it.
  void compact();
  void release_chunk(uint32_t chunk);

  SchemaPtr schema_;
  std::vector<CowPtr<Chunk>> chunks_;  // null: freed (no live row left)
  std::vector<int64_t> chunk_live_;    // live rows per chunk
  std::vector<Slot> slots_;            // power-of-two size, at most 70% full
  int64_t distinct_ = 0;
  int64_t size_ = 0;
  int64_t arena_bytes_ = 0;  // capacity of the live chunks
  int64_t live_bytes_ = 0;   // bytes of live rows
  int64_t dead_bytes_ = 0;   // bytes of deleted rows still in chunks
  StateWriter key_;          // reused: the row being applied, encoded
};

}  // namespace sluice::dataflow
