#include "connectors/postgres/pg_table.h"

#include <algorithm>
#include <optional>

#include "sql/bound_query.h"
#include "sql/names.h"

namespace sluice::connectors::postgres {
namespace {

constexpr const char* kSeqColumn = "\"__sluice_seq\"";
constexpr const char* kDeleteColumn = "\"__sluice_delete\"";

std::string declared_type(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return "boolean";
    case DataType::kInt32:
      return "integer";
    case DataType::kInt64:
      return "bigint";
    case DataType::kDouble:
      return "double precision";
    case DataType::kVarchar:
      return "text";
    case DataType::kTimestamp:
      return "timestamptz";
    case DataType::kInterval:
      return "interval";
    case DataType::kDecimal:
      return "numeric(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) +
             ")";
    case DataType::kDate:
      return "date";
  }
  return "text";
}

// The wire type an engine column is written as into a column of PostgreSQL type `typname`.
std::optional<WireType> wire_for(DataType type, const std::string& typname) {
  switch (type) {
    case DataType::kBoolean:
      if (typname == "bool") return WireType::kBool;
      break;
    case DataType::kInt32:
      if (typname == "int4") return WireType::kInt4;
      if (typname == "int8") return WireType::kInt8;
      break;
    case DataType::kInt64:
      if (typname == "int8") return WireType::kInt8;
      break;
    case DataType::kDouble:
      if (typname == "float8") return WireType::kFloat8;
      break;
    case DataType::kVarchar:
      if (typname == "text" || typname == "varchar" || typname == "bpchar") return WireType::kText;
      break;
    case DataType::kTimestamp:
      if (typname == "timestamptz" || typname == "timestamp") return WireType::kTimestamp;
      break;
    case DataType::kInterval:
      if (typname == "interval") return WireType::kInterval;
      break;
    case DataType::kDecimal:
      if (typname == "numeric") return WireType::kNumeric;
      break;
    case DataType::kDate:
      if (typname == "date") return WireType::kDate;
      break;
  }
  return std::nullopt;
}

struct TableColumn {
  std::string name;
  std::string typname;
  bool not_null = false;
  bool has_default = false;
  bool written = false;
};

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

// Does a unique index (no expressions, no predicate) cover exactly these columns?
Result<bool> has_unique_index(PgConnection& conn, const std::string& regclass,
                              std::vector<std::string> key) {
  const std::string params[] = {regclass};
  SLC_ASSIGN_OR_RETURN(
      PgRows rows,
      conn.query("SELECT array_to_string(array(SELECT a.attname FROM unnest(i.indkey) k "
                 "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k "
                 "ORDER BY a.attname), chr(31)) FROM pg_index i "
                 "WHERE i.indrelid = to_regclass($1) AND i.indisunique "
                 "AND i.indpred IS NULL AND i.indexprs IS NULL",
                 params));
  std::sort(key.begin(), key.end());
  const std::string wanted = join(key, "\x1f");
  for (const auto& row : rows) {
    if (row[0] && *row[0] == wanted) return true;
  }
  return false;
}

}  // namespace

Result<TableLayout> prepare_table(PgConnection& conn, const TableSpec& spec, const Schema& input) {
  TableLayout layout;
  layout.qualified = quote_ident(spec.schema) + "." + quote_ident(spec.table);
  const std::string what = "table " + layout.qualified;
  const std::string params[] = {layout.qualified};
  const char* columns_query =
      "SELECT a.attname, t.typname, a.attnotnull, a.atthasdef FROM pg_attribute a "
      "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass($1) "
      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
  SLC_ASSIGN_OR_RETURN(PgRows rows, conn.query(columns_query, params));

  // The input's columns that become table columns: all but an upsert's _op.
  std::vector<int> written;
  for (int i = 0; i < input.num_fields(); ++i) {
    if (spec.upsert && sql::to_lower(input.field(i).name) == sql::kChangeOpColumn) {
      layout.op_column = i;
      continue;
    }
    written.push_back(i);
  }

  if (rows.empty()) {
    if (!spec.auto_create) {
      return Status(ErrorCode::kRejected,
                    what + " does not exist in " + conn.where() + ", and auto.create = false");
    }
    std::string ddl = "CREATE TABLE IF NOT EXISTS " + layout.qualified + " (";
    for (size_t i = 0; i < written.size(); ++i) {
      const Field& f = input.field(written[i]);
      ddl += (i ? ", " : "") + quote_ident(f.name) + " " + declared_type(f.type) +
             (f.nullable ? "" : " NOT NULL");
    }
    if (spec.upsert) {
      std::vector<std::string> key;
      for (const std::string& k : spec.key)
        key.push_back(quote_ident(input.field(input.find(k)).name));
      ddl += ", PRIMARY KEY (" + join(key, ", ") + ")";
    }
    ddl += ")";
    SLC_RETURN_IF_ERROR(conn.exec("CREATE SCHEMA IF NOT EXISTS " + quote_ident(spec.schema)));
    SLC_RETURN_IF_ERROR(conn.exec(ddl));
    SLC_ASSIGN_OR_RETURN(rows, conn.query(columns_query, params));
  }

  std::vector<TableColumn> table;
  for (const auto& row : rows) {
    table.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("f") == "t",
                     row[3].value_or("f") == "t", false});
  }
  // Exact name first (quoted identifiers are case-sensitive), then case-insensitive.
  auto find_column = [&](const std::string& name) -> TableColumn* {
    for (TableColumn& c : table) {
      if (c.name == name) return &c;
    }
    TableColumn* match = nullptr;
    for (TableColumn& c : table) {
      if (sql::to_lower(c.name) == sql::to_lower(name)) {
        if (match != nullptr) return nullptr;  // ambiguous
        match = &c;
      }
    }
    return match;
  };
  for (int i : written) {
    const Field& f = input.field(i);
    TableColumn* c = find_column(f.name);
    if (c == nullptr) {
      return Status(ErrorCode::kSchemaMismatch, what + " has no column " + quote_ident(f.name) +
                                                    " for the stream's column " + f.name + " " +
                                                    std::string(type_name(f.type)));
    }
    const std::optional<WireType> wire = wire_for(f.type, c->typname);
    if (!wire) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column " + quote_ident(c->name) + " of " + what + " is " + c->typname +
                        ", but the stream's " + f.name + " is " + std::string(type_name(f.type)) +
                        " (write it into " + declared_type(f.type) + ")");
    }
    c->written = true;
    layout.columns.push_back(quote_ident(c->name));
    layout.copy.push_back({i, *wire});
  }
  for (const TableColumn& c : table) {
    if (!c.written && c.not_null && !c.has_default) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column " + quote_ident(c.name) + " of " + what +
                        " is NOT NULL without a default, and the stream has no column for it");
    }
  }
  if (spec.upsert) {
    std::vector<std::string> raw_key;
    for (const std::string& k : spec.key) {
      TableColumn* c = find_column(input.field(input.find(k)).name);
      raw_key.push_back(c->name);
      layout.key.push_back(quote_ident(c->name));
    }
    SLC_ASSIGN_OR_RETURN(bool unique, has_unique_index(conn, layout.qualified, raw_key));
    if (!unique) {
      return Status(ErrorCode::kSchemaMismatch,
                    what + " has no primary key or unique index on exactly (" +
                        join(layout.key, ", ") + "), which mode = 'upsert' needs");
    }
  }
  return layout;
}

std::string copy_sql(const TableLayout& layout, const std::string& into, bool stage) {
  std::string columns = join(layout.columns, ", ");
  if (stage) columns += std::string(", ") + kSeqColumn + ", " + kDeleteColumn;
  return "COPY " + into + " (" + columns + ") FROM STDIN (FORMAT binary)";
}

std::string create_stage_sql(const TableLayout& layout, const std::string& stage, bool temporary) {
  return std::string("CREATE ") + (temporary ? "TEMPORARY" : "UNLOGGED") + " TABLE IF NOT EXISTS " +
         stage + (temporary ? " ON COMMIT DELETE ROWS" : "") + " AS SELECT " +
         join(layout.columns, ", ") + ", 0::bigint AS " + kSeqColumn + ", false AS " +
         kDeleteColumn + " FROM " + layout.qualified + " WITH NO DATA";
}

std::string merge_sql(const TableLayout& layout, const std::string& stage, bool deletes) {
  const std::string keys = join(layout.key, ", ");
  std::string match;
  for (const std::string& k : layout.key) {
    match += " AND t." + k + " = s." + k;
  }
  std::vector<std::string> updates;
  for (const std::string& c : layout.columns) {
    if (std::find(layout.key.begin(), layout.key.end(), c) == layout.key.end())
      updates.push_back(c + " = EXCLUDED." + c);
  }
  const std::string columns = join(layout.columns, ", ");
  std::string sql = "WITH s AS (SELECT DISTINCT ON (" + keys + ") * FROM " + stage + " ORDER BY " +
                    keys + ", " + kSeqColumn + " DESC)";
  if (deletes) {
    sql += ", d AS (DELETE FROM " + layout.qualified + " t USING s WHERE s." + kDeleteColumn +
           match + ")";
  }
  return sql + " INSERT INTO " + layout.qualified + " (" + columns + ") SELECT " + columns +
         " FROM s WHERE NOT s." + kDeleteColumn + " ON CONFLICT (" + keys + ") DO " +
         (updates.empty() ? "NOTHING" : "UPDATE SET " + join(updates, ", "));
}

}  // namespace sluice::connectors::postgres
