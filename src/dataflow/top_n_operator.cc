#include "dataflow/top_n_operator.h"

#include <functional>

#include "dataflow/project_operator.h"
#include "dataflow/value_order.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sql/expr_eval.h"

namespace sluice::dataflow {
namespace {

// The store of rows that belong to no window: never dropped.
constexpr int64_t kForever = INT64_MAX;

void write_store(StateWriter& w, int64_t end, const TopNOperator::StoreData& s) {
  w.i64(end);
  w.i64(s.partitions.size());
  w.i64(s.rows.size());
  w.i64(s.free_rows);
  w.i64(s.live_rows);
  s.partitions.write(w);
  s.rows.write(w);
  s.arena.write(w);
}

class TopNImage final : public StateImage {
 public:
  TopNImage(int64_t watermark, uint64_t next_arrival,
            std::vector<std::pair<int64_t, TopNOperator::StoreData>> stores)
      : watermark_(watermark), next_arrival_(next_arrival), stores_(std::move(stores)) {}
  void write(StateWriter& w) const override {
    w.i64(watermark_);
    w.i64(static_cast<int64_t>(next_arrival_));
    w.i64(static_cast<int64_t>(stores_.size()));
    for (const auto& [end, data] : stores_) write_store(w, end, data);
  }

 private:
  int64_t watermark_;
  uint64_t next_arrival_;
  std::vector<std::pair<int64_t, TopNOperator::StoreData>> stores_;
};

// Whether every value a top-N reads is an input column as it is (no WHERE, no computed key or
// column): then the rows it is given can be read where they lie in their batch, since reading a
// column costs nothing (a computed one would be computed for the whole batch each time).
bool reads_columns_only(const sql::BoundQuery& q) {
  const auto plain = [](const sql::BoundExprPtr& e) {
    return e->kind == sql::BoundExpr::Kind::kColumn;
  };
  if (q.where) return false;
  for (const sql::BoundExprPtr& e : q.top_n->partition_keys) {
    if (!plain(e)) return false;
  }
  for (const sql::TopNSortKey& k : q.top_n->sort_keys) {
    if (!plain(k.expr)) return false;
  }
  for (size_t i = 0; i < q.projection.size(); ++i) {
    if (static_cast<int>(i) != q.top_n->row_number_column && !plain(q.projection[i])) {
      return false;
    }
  }
  return true;
}

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "top-N state is damaged: " + what);
}

}  // namespace

TopNOperator::TopNOperator(std::shared_ptr<const sql::BoundQuery> query)
    : query_(std::move(query)),
      top_(*query_->top_n),
      in_place_(reads_columns_only(*query_)),
      out_(query_->output_schema) {
  std::vector<Field> fields;
  for (size_t i = 0; i < query_->projection.size(); ++i) {
    if (static_cast<int>(i) != top_.row_number_column) {
      fields.push_back(query_->output_schema->field(static_cast<int>(i)));
    }
  }
  value_schema_ = make_schema(std::move(fields));
}

TopNOperator::~TopNOperator() = default;

Status TopNOperator::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  SLC_ASSIGN_OR_RETURN(RecordBatch rows, filter_batch(query_->where, input, selection_));
  return rank_rows(rows, nullptr, rows.num_rows(), out);
}

Status TopNOperator::process_rows(const RecordBatch& input, std::span<const uint32_t> rows,
                                  std::vector<RecordBatch>& out) {
  if (!in_place_) return Operator::process_rows(input, rows, out);
  return rank_rows(input, rows.data(), static_cast<int64_t>(rows.size()), out);
}

Status TopNOperator::rank_rows(const RecordBatch& rows, const uint32_t* order, int64_t n,
                               std::vector<RecordBatch>& out) {
  if (n == 0) return Status::Ok();
  std::vector<Column> keys, sorts, values;
  for (const sql::BoundExprPtr& e : top_.partition_keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*e, rows));
    keys.push_back(std::move(c));
  }
  for (const sql::TopNSortKey& k : top_.sort_keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*k.expr, rows));
    sorts.push_back(std::move(c));
  }
  for (size_t i = 0; i < query_->projection.size(); ++i) {
    if (static_cast<int>(i) == top_.row_number_column) continue;
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*query_->projection[i], rows));
    values.push_back(std::move(c));
  }
  Candidate row;
  Store* store = nullptr;  // the last row's (a batch is mostly one window's, or unwindowed)
  int64_t store_end = 0;
  row.sort.resize(sorts.size());
  row.output.resize(values.size());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = order != nullptr ? order[i] : i;
    int64_t end = kForever;
    key_writer_.clear();
    for (size_t k = 0; k < keys.size(); ++k) {
      if (static_cast<int>(k) == top_.window_key && !keys[k].is_null(r)) {
        end = keys[k].int64_value(r) + top_.window_end_offset;  // a TIMESTAMP
      }
      key_writer_.cell(keys[k], r);
    }
    if (end != kForever && end <= watermark_) {
      ++stats_.late_rows_dropped;  // its window's partitions were dropped: it came too late
      continue;
    }
    for (size_t k = 0; k < sorts.size(); ++k) row.sort[k] = Value::from_column(sorts[k], r);
    row.columns = &values;
    row.index = r;
    row.loaded = false;
    row.arrival = next_arrival_++;
    const std::string_view key = key_writer_.bytes();
    const uint64_t hash = std::hash<std::string_view>{}(key);
    if (store == nullptr || store_end != end) {
      store = &stores_[end];
      store_end = end;
    }
    SLC_RETURN_IF_ERROR(rank(*store, key, hash, row));
  }
  if (out_.num_rows() == 0) return Status::Ok();
  SLC_ASSIGN_OR_RETURN(RecordBatch changes, finish_output());
  out.push_back(std::move(changes));
  return Status::Ok();
}

uint32_t TopNOperator::partition_of(Store& store, std::string_view key, uint64_t hash) {
  StoreData& d = store.data;
  const uint32_t found =
      store.index.find(hash, [&](uint32_t p) { return d.arena.get(d.partitions[p].key) == key; });
  if (found != GroupTable::kNotFound) return found;
  Partition p;
  p.hash = hash;
  p.key = d.arena.add(key);
  const uint32_t index = d.partitions.size();
  d.partitions.push_back(p);
  store.index.insert(hash, index);
  return index;
}

Status TopNOperator::rank(Store& store, std::string_view key, uint64_t hash, Candidate& row) {
  StoreData& d = store.data;
  const uint32_t p = partition_of(store, key, hash);
  // The list runs worst first, so that a row below a full top N (most rows, once it fills)
  // costs one comparison. Walk past the kept rows that rank after the new one.
  const int64_t count = d.partitions[p].count;
  uint32_t prev = kNone;
  uint32_t at = d.partitions[p].head;
  int64_t worse = 0;
  while (at != kNone && compare(d, row, at) < 0) {
    prev = at;
    at = d.rows[at].next;
    ++worse;
  }
  const int64_t position = count - worse;           // 0: the best
  if (position >= top_.limit) return Status::Ok();  // below the top N: not kept
  StateWriter& w = row_writer_;
  w.clear();
  for (const Value& v : row.sort) w.value(v);
  for (const Column& c : *row.columns) w.cell(c, row.index);
  const uint32_t r = add_row(d, row, w.bytes());
  d.rows.mut(r).next = at;
  if (prev == kNone) {
    d.partitions.mut(p).head = r;
  } else {
    d.rows.mut(prev).next = r;
  }
  emit_row(*row.columns, row.index, position + 1, true);
  // The `worse` rows before it in the list move down one place: the k-th (worst first) from
  // number count - k to count - k + 1; past N it leaves (only the worst, of a full top N).
  const bool numbered = top_.row_number_column >= 0;
  const bool full = count + 1 > top_.limit;
  if (numbered || full) {
    uint32_t cur = d.partitions[p].head;
    for (int64_t k = 0; k < worse; ++k, cur = d.rows[cur].next) {
      const bool leaves = full && k == 0;
      if (!numbered && !leaves) break;
      SLC_RETURN_IF_ERROR(emit_kept(d, cur, count - k, false));
      if (!leaves) SLC_RETURN_IF_ERROR(emit_kept(d, cur, count - k + 1, true));
    }
  }
  if (full) {
    const uint32_t gone = d.partitions[p].head;
    d.partitions.mut(p).head = d.rows[gone].next;
    free_row(d, gone);
    compact_if_needed(d);
  } else {
    d.partitions.mut(p).count = static_cast<uint32_t>(count + 1);
  }
  return Status::Ok();
}

int TopNOperator::compare(const StoreData& store, Candidate& row, uint32_t r) {
  // The kept row's values are read in order and only as far as they decide: the sort keys,
  // then (rarely) the output columns.
  StateReader reader(store.arena.get(store.rows[r].values));
  Value& kept = compare_scratch_;
  for (size_t k = 0; k < top_.sort_keys.size(); ++k) {
    if (!reader.value(kept).ok()) return 1;  // damage was refused on restore
    const sql::TopNSortKey& key = top_.sort_keys[k];
    const int c = compare_nullable(row.sort[k], kept, key.descending, key.nulls_first);
    if (c != 0) return c;
  }
  const std::vector<Value>& output = row.values();
  for (size_t k = 0; k < output.size(); ++k) {
    if (!reader.value(kept).ok()) return 1;
    const int c = compare_nullable(output[k], kept, false, false);
    if (c != 0) return c;
  }
  return row.arrival < store.rows[r].arrival ? -1 : 1;
}

Status TopNOperator::emit_kept(const StoreData& store, uint32_t r, int64_t number, bool insert) {
  // Read from the arena straight into the output (no Value made: a kept row's strings are
  // copied once).
  const int64_t rows = out_.num_rows();
  StateReader reader(store.arena.get(store.rows[r].values));
  Status s = reader.skip_values(static_cast<int64_t>(top_.sort_keys.size()));
  const int columns = value_schema_->num_fields() + (top_.row_number_column >= 0);
  for (int c = 0; c < columns && s.ok(); ++c) {
    if (c != top_.row_number_column) s = reader.append_to(out_.column(c));
  }
  if (s.ok() && !reader.done()) s = damaged("a kept row has bytes past its values");
  if (!s.ok()) {
    out_.truncate(rows);  // no half-made change
    return s;
  }
  emit_tail(number, insert);
  return Status::Ok();
}

void TopNOperator::emit_row(const std::vector<Column>& columns, int64_t row, int64_t number,
                            bool insert) {
  size_t v = 0;
  for (int c = 0; c < value_schema_->num_fields() + (top_.row_number_column >= 0); ++c) {
    if (c != top_.row_number_column) out_.column(c).append_from(columns[v++], row);
  }
  emit_tail(number, insert);
}

void TopNOperator::emit_tail(int64_t number, bool insert) {
  if (top_.row_number_column >= 0) out_.column(top_.row_number_column).append_int64(number);
  out_.column(query_->output_schema->num_fields() - 1).append_string(insert ? "insert" : "delete");
}

uint32_t TopNOperator::add_row(StoreData& store, const Candidate& row, std::string_view encoded) {
  Row entry;
  entry.values = store.arena.add(encoded);
  entry.arrival = row.arrival;
  ++store.live_rows;
  if (store.free_rows != kNone) {
    const uint32_t r = store.free_rows;
    store.free_rows = store.rows[r].next;
    store.rows.mut(r) = entry;
    return r;
  }
  store.rows.push_back(entry);
  return store.rows.size() - 1;
}

void TopNOperator::free_row(StoreData& store, uint32_t r) {
  Row& row = store.rows.mut(r);
  store.arena.release(row.values);
  row.values = StringRef{};
  row.next = store.free_rows;
  store.free_rows = r;
  --store.live_rows;
}

void TopNOperator::compact_if_needed(StoreData& store) {
  // Amortized: the garbage rewritten away is at least as large as what is copied.
  if (store.arena.garbage() < (1u << 20) || store.arena.garbage() < store.arena.used() / 2) return;
  StringArena fresh;
  for (uint32_t p = 0; p < store.partitions.size(); ++p) {
    Partition& part = store.partitions.mut(p);
    part.key = fresh.add(store.arena.get(part.key));
    for (uint32_t r = part.head; r != kNone; r = store.rows[r].next) {
      Row& row = store.rows.mut(r);
      row.values = fresh.add(store.arena.get(row.values));
    }
  }
  store.arena = std::move(fresh);
}

Result<RecordBatch> TopNOperator::finish_output() {
  return out_.finish();
}

Status TopNOperator::on_watermark(int64_t watermark, std::vector<RecordBatch>& out) {
  (void)out;  // a dropped window's rows stay in the output: they were final
  watermark_ = watermark;
  while (!stores_.empty() && stores_.begin()->first != kForever &&
         stores_.begin()->first <= watermark) {
    stores_.erase(stores_.begin());
  }
  return Status::Ok();
}

std::unique_ptr<StateImage> TopNOperator::capture() const {
  std::vector<std::pair<int64_t, StoreData>> stores;
  stores.reserve(stores_.size());
  for (const auto& [end, store] : stores_) stores.emplace_back(end, store.data);
  return std::make_unique<TopNImage>(watermark_, next_arrival_, std::move(stores));
}

void TopNOperator::snapshot(StateWriter& writer) const {
  capture()->write(writer);
}

Status TopNOperator::restore(StateReader& reader) {
  int64_t watermark = 0, arrival = 0, count = 0;
  SLC_RETURN_IF_ERROR(reader.i64(watermark));
  SLC_RETURN_IF_ERROR(reader.i64(arrival));
  SLC_RETURN_IF_ERROR(reader.count(count, 40));
  std::map<int64_t, Store> stores;
  for (int64_t i = 0; i < count; ++i) {
    int64_t end = 0, partitions = 0, rows = 0, free_rows = 0, live = 0;
    SLC_RETURN_IF_ERROR(reader.i64(end));
    SLC_RETURN_IF_ERROR(reader.i64(partitions));
    SLC_RETURN_IF_ERROR(reader.i64(rows));
    SLC_RETURN_IF_ERROR(reader.i64(free_rows));
    SLC_RETURN_IF_ERROR(reader.i64(live));
    if (partitions < 0 || rows < 0 || partitions > UINT32_MAX - 1 || rows > UINT32_MAX - 1 ||
        live < 0 || live > rows || (free_rows != kNone && (free_rows < 0 || free_rows >= rows))) {
      return damaged("a store's counts are out of range");
    }
    Store& s = stores[end];
    StoreData& d = s.data;
    SLC_RETURN_IF_ERROR(
        d.partitions.read(reader, static_cast<uint32_t>(partitions), read_scratch_));
    SLC_RETURN_IF_ERROR(d.rows.read(reader, static_cast<uint32_t>(rows), read_scratch_));
    SLC_RETURN_IF_ERROR(d.arena.read(reader));
    d.free_rows = static_cast<uint32_t>(free_rows);
    d.live_rows = live;
    // Every reference is checked before anything follows it: damage is an error, never a read
    // out of bounds or a loop.
    int64_t listed = 0;
    size_t held = 0;  // the arena's live bytes (compact_if_needed's references)
    s.index.reserve(static_cast<uint32_t>(partitions));
    for (uint32_t p = 0; p < d.partitions.size(); ++p) {
      const Partition& part = d.partitions[p];
      if (!d.arena.valid(part.key) || part.count > top_.limit) {
        return damaged("a partition's key or count is out of range");
      }
      uint32_t seen = 0;
      held += StringArena::live_bytes(part.key);
      for (uint32_t r = part.head; r != kNone; r = d.rows[r].next) {
        if (r >= d.rows.size() || ++seen > part.count || !d.arena.valid(d.rows[r].values)) {
          return damaged("a partition's rows are out of range");
        }
        held += StringArena::live_bytes(d.rows[r].values);
      }
      if (seen != part.count) return damaged("a partition's row count does not match its rows");
      listed += seen;
      s.index.insert(part.hash, p);
    }
    if (listed != live) return damaged("the rows listed do not match the rows counted");
    // The garbage as it was when captured, so a restored store compacts when the uninterrupted
    // one does.
    d.arena.recount_garbage(held);
  }
  stores_ = std::move(stores);
  watermark_ = watermark;
  next_arrival_ = static_cast<uint64_t>(arrival);
  return Status::Ok();
}

StateStats TopNOperator::state_stats() const {
  StateStats s;
  for (const auto& [end, store] : stores_) {
    const StoreData& d = store.data;
    s.groups += d.live_rows;
    s.bytes += static_cast<int64_t>(d.partitions.bytes() + d.rows.bytes() + d.arena.bytes() +
                                    store.index.bytes()) +
               64;  // the map's node
  }
  return s;
}

int64_t TopNOperator::partitions() const {
  int64_t n = 0;
  for (const auto& [end, store] : stores_) n += store.data.partitions.size();
  return n;
}

std::string TopNOperator::describe() const {
  std::string out;
  if (query_->where) out += "filter " + query_->where->sql.str() + " → ";
  out += "top-N " + top_.sql;
  if (top_.window_key >= 0) out += " per window (state dropped as windows end)";
  return out + " → " + describe_projection(*query_);
}

}  // namespace sluice::dataflow
