#include "sql/event_time.h"

#include <numeric>
#include <string>

#include "columnar/timestamp.h"

namespace sluice::sql {

namespace {

// Where the window's time column comes from.
struct Origin {
  enum class Kind {
    kUnwatermarked,    // no watermark upstream: windows close only at the end of input
    kWatermarkColumn,  // a source's watermark column, passed through
    kWindowBound,      // window_start or window_end of an upstream windowed aggregate
    kOther,            // anything else: refused when a watermark exists upstream
  };
  Kind kind = Kind::kOther;
  const BoundQuery* window_query = nullptr;  // kWindowBound: the aggregate that made the rows
  bool window_end = false;                   // kWindowBound: window_end (else window_start)
  std::string detail;                        // kOther: what the column is, for the message

  static Origin of(Kind kind) {
    Origin o;
    o.kind = kind;
    return o;
  }
};

Origin trace(const Catalog& catalog, std::string_view name, int column) {
  const Catalog::Entry* e = catalog.find(name);
  if (e == nullptr) return Origin{};
  if (!catalog.has_watermark(name)) return Origin::of(Origin::Kind::kUnwatermarked);
  if (e->source) {
    const SourceDef& s = *e->source;
    if (column == s.watermark_column) return Origin::of(Origin::Kind::kWatermarkColumn);
    Origin o;
    o.detail = "'" + s.schema->field(column).name + "' is not the watermark's column of source '" +
               s.name + "' (its watermark is on '" + s.schema->field(s.watermark_column).name +
               "')";
    return o;
  }
  if (!e->query) return Origin{};
  const BoundQuery& q = *e->query->query;
  const BoundExpr& p = *q.projection[static_cast<size_t>(column)];
  const std::string col = "'" + e->schema()->field(column).name + "' of '" + e->name() + "'";
  if (p.kind != BoundExpr::Kind::kColumn) {
    Origin o;
    o.detail = col + " is computed (" + p.sql.str() + "), not the watermark's column";
    return o;
  }
  if (!q.aggregate) return trace(catalog, q.input, p.column);
  if (q.window && q.emit == EmitMode::kOnWindowClose &&
      (p.column == q.window_start_index() || p.column == q.window_start_index() + 1)) {
    Origin o = Origin::of(Origin::Kind::kWindowBound);
    o.window_query = &q;
    o.window_end = p.column == q.window_start_index() + 1;
    return o;
  }
  Origin o;
  o.detail = col + " is a group key or an aggregate's result, not the watermark's column";
  return o;
}

std::string seconds(int64_t micros) {
  std::string s;
  append_interval(micros, s);
  return s;
}

// A row of an upstream window [start, end) is emitted when the watermark reaches end +
// upstream lateness, so the watermark a downstream window sees before the row is below
// end + lateness. The row, at time t (start or end), is never late if every downstream
// window containing t stays open that long: its end + lateness >= upstream end + lateness.
Status check_window_bound(const Origin& o, const WindowSpec& down, int64_t down_lateness) {
  const WindowSpec& up = *o.window_query->window;
  const int64_t up_lateness = o.window_query->lateness;
  const char* bound = o.window_end ? "window_end" : "window_start";
  if (up.kind == WindowKind::kSession && !o.window_end) {
    return Status(ErrorCode::kSqlInvalidQuery,
                  std::string("a window over the window_start of SESSION windows could drop "
                              "rows depending on timing (a session's length is unbounded); "
                              "use window_end"));
  }
  // The row's end minus its time t: the size for window_start, 0 for window_end.
  const int64_t end_minus_t = o.window_end ? 0 : up.size;
  int64_t shortest;  // the least (end - t) over the downstream windows that may hold t
  if (down.kind == WindowKind::kSession) {
    shortest = down.gap;  // a new session [t, t + gap)
  } else {
    // Upstream rows' t lie on a grid of the upstream slide (1 µs for sessions) offset by
    // the size for window_end; t mod (downstream slide) is at most q - g + (offset mod g).
    const int64_t p = up.kind == WindowKind::kSession ? 1 : up.slide;
    const int64_t q = down.slide;
    const int64_t g = std::gcd(p, q);
    const int64_t offset = o.window_end && up.kind != WindowKind::kSession ? up.size : 0;
    const int64_t worst_residue = q - g + (offset % g);
    shortest = down.size - worst_residue;
  }
  if (shortest + down_lateness >= end_minus_t + up_lateness) return Status::Ok();
  return Status(
      ErrorCode::kSqlInvalidQuery,
      std::string("this window over the upstream's ") + bound +
          " could drop rows depending on timing: an upstream window is emitted when the "
          "watermark passes its end" +
          (up_lateness ? " + " + seconds(up_lateness) : std::string()) +
          ", and a downstream window holding its " + bound + " may close " +
          seconds(end_minus_t + up_lateness - shortest - down_lateness) +
          " earlier. Use windows that are multiples of the upstream's and aligned with it, a "
          "window over window_end, or ALLOW LATENESS of at least " +
          seconds(end_minus_t + up_lateness - shortest));
}

}  // namespace

Status check_window_time(const Catalog& catalog, std::string_view input, int column,
                         const WindowSpec& window, int64_t lateness) {
  const Origin o = trace(catalog, input, column);
  switch (o.kind) {
    case Origin::Kind::kUnwatermarked:
    case Origin::Kind::kWatermarkColumn:
      return Status::Ok();
    case Origin::Kind::kWindowBound:
      return check_window_bound(o, window, lateness);
    case Origin::Kind::kOther:
      break;
  }
  return Status(ErrorCode::kSqlInvalidQuery,
                "a window must be over the watermark's column, or which rows are late would "
                "depend on timing: " +
                    o.detail);
}

std::optional<int64_t> window_complete_offset(const Catalog& catalog, std::string_view input,
                                              int column) {
  const Origin o = trace(catalog, input, column);
  if (o.kind != Origin::Kind::kWindowBound) return std::nullopt;
  const WindowSpec& up = *o.window_query->window;
  if (up.kind == WindowKind::kSession && !o.window_end) return std::nullopt;
  return (o.window_end ? 0 : up.size) + o.window_query->lateness;
}

}  // namespace sluice::sql
