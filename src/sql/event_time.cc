#include "sql/event_time.h"

#include <numeric>
#include <string>

#include "columnar/timestamp.h"
#include "sql/join_change_column.h"

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
  // How far a row's time may trail the watermark seen before it (an interval join's output).
  int64_t behind = 0;
  std::string behind_why;  // what makes it trail, for the message
  // A left outer join's right column: its unmatched rows hold NULL there, so it orders no rows.
  bool null_padded = false;
  std::string detail;  // kOther: what the column is, for the message

  static Origin of(Kind kind) {
    Origin o;
    o.kind = kind;
    return o;
  }
  static Origin other(std::string detail) {
    Origin o;
    o.detail = std::move(detail);
    return o;
  }
};

Origin trace(const Catalog& catalog, const std::vector<PlanStep>* steps, std::string_view name,
             int column);

std::string seconds(int64_t micros);

// A column of a query's output (a stream, a view, a subquery or WITH step) named `display`.
Origin trace_query(const Catalog& catalog, const std::vector<PlanStep>* steps, const BoundQuery& q,
                   const std::string& display, int column) {
  const BoundExpr& p = *q.projection[static_cast<size_t>(column)];
  const std::string col = "'" + q.output_schema->field(column).name + "' of '" + display + "'";
  if (p.kind != BoundExpr::Kind::kColumn) {
    return Origin::other(col + " is computed (" + p.sql.str() + "), not the watermark's column");
  }
  if (!q.aggregate) return trace(catalog, steps, q.input, p.column);
  if (q.window && q.window->processing_time) {
    return Origin::other(col +
                         " is a bound of a processing-time window (closed by the wall "
                         "clock), not the watermark's column");
  }
  if (q.window && q.emit == EmitMode::kOnWindowClose &&
      (p.column == q.window_start_index() || p.column == q.window_start_index() + 1)) {
    Origin o = Origin::of(Origin::Kind::kWindowBound);
    o.window_query = &q;
    o.window_end = p.column == q.window_start_index() + 1;
    return o;
  }
  return Origin::other(col +
                       " is a group key or an aggregate's result, not the watermark's column");
}

// A column of a join's output: see event_time.h for which are event-time columns, and why.
Origin trace_join(const Catalog& catalog, const std::vector<PlanStep>* steps, const PlanStep& step,
                  int column) {
  const BoundJoin& j = *step.join;
  const std::vector<int> left_columns = join_side_columns(j, true);
  const std::vector<int> right_columns = join_side_columns(j, false);
  const int left_width = static_cast<int>(left_columns.size());
  const bool left = column < left_width;
  const int kept = left ? column : column - left_width;
  const std::vector<int>& side_columns = left ? left_columns : right_columns;
  // The input column it is (-1: the join's own `_op`).
  const int side_column =
      kept < static_cast<int>(side_columns.size()) ? side_columns[static_cast<size_t>(kept)] : -1;
  const std::string& input = step.inputs[left ? 0 : 1];
  const std::string col = "'" + step.schema->field(column).name + "' of the " +
                          join_kind_name(j.kind) + " join " + step.name;
  const int time = left ? j.left_time : j.right_time;
  switch (j.kind) {
    case JoinKind::kInterval: {
      if (side_column != time) break;
      Origin o = trace(catalog, steps, input, side_column);
      // A row is emitted when its pair's second row arrives: up to the interval's far bound
      // after the other side's watermark.
      o.behind += left ? j.upper : j.lower;
      o.behind_why = col + " trails the join's watermark by up to " +
                     seconds(left ? j.upper : j.lower) + " (the interval's bound)";
      o.null_padded = o.null_padded || (!left && j.type == JoinType::kLeftOuter);
      return o;
    }
    case JoinKind::kWindow: {
      if (side_column != time) break;
      // The later of the two sides' rows makes the output row: the upstream window with the
      // larger lateness decides when it can come.
      Origin a = trace(catalog, steps, step.inputs[0], j.left_time);
      Origin b = trace(catalog, steps, step.inputs[1], j.right_time);
      Origin o = a;
      if (a.kind == Origin::Kind::kWindowBound && b.kind == Origin::Kind::kWindowBound &&
          b.window_query->lateness > a.window_query->lateness) {
        o = std::move(b);
      }
      o.null_padded = o.null_padded || (!left && j.type == JoinType::kLeftOuter);
      return o;
    }
    case JoinKind::kLookup:
      // By arrival (PROCTIME()), a left row comes out as it arrives, as through a projection.
      if (left && j.processing_time) return trace(catalog, steps, input, side_column);
      [[fallthrough]];
    case JoinKind::kAsof:
      if (left && side_column == time) return trace(catalog, steps, input, side_column);
      break;
    case JoinKind::kRegular:
      return Origin::other(col +
                           " comes from a regular join, whose rows keep to no watermark "
                           "(a row may join one that arrives at any time later)");
  }
  return Origin::other(col + " is not the join's time column");
}

Origin trace(const Catalog& catalog, const std::vector<PlanStep>* steps, std::string_view name,
             int column) {
  if (!catalog.has_watermark(name, steps)) return Origin::of(Origin::Kind::kUnwatermarked);
  if (const PlanStep* step = find_step(steps, name)) {
    switch (step->kind) {
      case PlanStep::Kind::kQuery:
        return trace_query(catalog, steps, *step->query, step->name, column);
      case PlanStep::Kind::kJoin:
        return trace_join(catalog, steps, *step, column);
      case PlanStep::Kind::kUnion: {
        // Every input's rows must keep to the watermark; the first one's kind stands for all.
        Origin first = trace(catalog, steps, step->inputs[0], column);
        for (size_t i = 1; i < step->inputs.size(); ++i) {
          Origin o = trace(catalog, steps, step->inputs[i], column);
          if (o.kind != first.kind || o.kind == Origin::Kind::kWindowBound) {
            if (o.kind == Origin::Kind::kOther) return o;
            return Origin::other("'" + step->schema->field(column).name + "' of the UNION ALL " +
                                 step->name + " is not the same kind of event time in each input");
          }
          const bool null_padded = first.null_padded || o.null_padded;
          if (o.behind > first.behind) first = std::move(o);
          first.null_padded = null_padded;
        }
        return first;
      }
    }
  }
  const Catalog::Entry* e = catalog.find(name);
  if (e == nullptr) return Origin{};
  if (e->source) {
    const SourceDef& s = *e->source;
    if (column == s.watermark_column) return Origin::of(Origin::Kind::kWatermarkColumn);
    return Origin::other(
        "'" + s.schema->field(column).name + "' is not the watermark's column of source '" +
        s.name + "' (its watermark is on '" + s.schema->field(s.watermark_column).name + "')");
  }
  if (!e->query) return Origin{};
  const BoundQuery& q = *e->query->query;
  return trace_query(catalog, &q.steps, q, e->name(), column);
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
  if (shortest + down_lateness >= end_minus_t + up_lateness + o.behind) return Status::Ok();
  return Status(
      ErrorCode::kSqlInvalidQuery,
      std::string("this window over the upstream's ") + bound +
          " could drop rows depending on timing: an upstream window is emitted when the "
          "watermark passes its end" +
          (up_lateness ? " + " + seconds(up_lateness) : std::string()) +
          ", and a downstream window holding its " + bound + " may close " +
          seconds(end_minus_t + up_lateness + o.behind - shortest - down_lateness) +
          " earlier. Use windows that are multiples of the upstream's and aligned with it, a "
          "window over window_end, or ALLOW LATENESS of at least " +
          seconds(end_minus_t + up_lateness + o.behind - shortest));
}

// How far a row's time may trail the watermark for a column traced to `o` (see
// least_trailing_time_column); nullopt when it keeps to no watermark.
std::optional<TrailingTimeColumn> trail_of(const Origin& o) {
  switch (o.kind) {
    case Origin::Kind::kWatermarkColumn:
      return TrailingTimeColumn{-1, o.behind, false, o.null_padded};
    case Origin::Kind::kWindowBound: {
      const WindowSpec& up = *o.window_query->window;
      if (up.kind == WindowKind::kSession && !o.window_end) return std::nullopt;
      // A window's rows are emitted before the watermark reaches its end + lateness: complete
      // once it has (unless a join above lets them trail further).
      return TrailingTimeColumn{-1,
                                (o.window_end ? 0 : up.size) + o.window_query->lateness + o.behind,
                                o.behind == 0, o.null_padded};
    }
    case Origin::Kind::kUnwatermarked:
    case Origin::Kind::kOther:
      break;
  }
  return std::nullopt;
}

}  // namespace

Status check_window_time(const Catalog& catalog, std::string_view input, int column,
                         const WindowSpec& window, int64_t lateness,
                         const std::vector<PlanStep>* steps) {
  const Origin o = trace(catalog, steps, input, column);
  switch (o.kind) {
    case Origin::Kind::kUnwatermarked:
      return Status::Ok();
    case Origin::Kind::kWatermarkColumn:
      if (lateness >= o.behind) return Status::Ok();
      return Status(ErrorCode::kSqlInvalidQuery,
                    "this window could drop rows depending on timing: " + o.behind_why +
                        "; add ALLOW LATENESS of at least " + seconds(o.behind));
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

JoinTimeColumn join_time_column(const Catalog& catalog, std::string_view input, int column,
                                const std::vector<PlanStep>* steps) {
  const Origin o = trace(catalog, steps, input, column);
  JoinTimeColumn out;
  switch (o.kind) {
    case Origin::Kind::kUnwatermarked:
      out.kind = JoinTimeColumn::Kind::kUnwatermarked;
      break;
    case Origin::Kind::kWatermarkColumn:
      if (o.behind > 0) {
        out.why = o.behind_why;  // a join judges its inputs' rows late without lateness
        break;
      }
      out.kind = JoinTimeColumn::Kind::kWatermark;
      break;
    case Origin::Kind::kWindowBound:
      out.kind = JoinTimeColumn::Kind::kWindowBound;
      out.window = &*o.window_query->window;
      out.window_lateness = o.window_query->lateness;
      out.window_end = o.window_end;
      break;
    case Origin::Kind::kOther:
      out.why = o.detail;
      break;
  }
  return out;
}

std::optional<int64_t> window_complete_offset(const Catalog& catalog, std::string_view input,
                                              int column) {
  const Origin o = trace(catalog, nullptr, input, column);
  if (o.kind != Origin::Kind::kWindowBound) return std::nullopt;
  const WindowSpec& up = *o.window_query->window;
  if (up.kind == WindowKind::kSession && !o.window_end) return std::nullopt;
  return (o.window_end ? 0 : up.size) + o.window_query->lateness;
}

std::optional<TrailingTimeColumn> least_trailing_time_column(const Catalog& catalog,
                                                             std::string_view input,
                                                             const std::vector<PlanStep>* steps) {
  SchemaPtr schema;
  if (const PlanStep* step = find_step(steps, input)) {
    schema = step->schema;
  } else if (const Catalog::Entry* e = catalog.find(input)) {
    schema = e->schema();
  }
  if (schema == nullptr || !catalog.has_watermark(input, steps)) return std::nullopt;
  std::optional<TrailingTimeColumn> best;
  for (int c = 0; c < schema->num_fields(); ++c) {
    if (schema->field(c).type != DataType::kTimestamp) continue;
    std::optional<TrailingTimeColumn> t = time_column_trail(catalog, input, c, steps);
    // NULL in some rows: those would order nothing.
    if (t && t->null_padded) continue;
    // The least wait: the bound, a µs less when reaching it is enough.
    auto wait = [](const TrailingTimeColumn& x) { return x.trail - (x.complete_at_trail ? 1 : 0); };
    if (t && (!best || wait(*t) < wait(*best))) best = t;
  }
  return best;
}

std::optional<TrailingTimeColumn> time_column_trail(const Catalog& catalog, std::string_view input,
                                                    int column,
                                                    const std::vector<PlanStep>* steps) {
  std::optional<TrailingTimeColumn> t = trail_of(trace(catalog, steps, input, column));
  if (t) t->column = column;
  return t;
}

}  // namespace sluice::sql
