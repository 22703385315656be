#pragma once
// The target table of a PostgreSQL sink: found or created, checked against the stream, and
// the SQL the sink runs against it. Every identifier is quoted (quote_ident), so no name can
// inject SQL.
//
// Types (engine → PostgreSQL): BOOLEAN → boolean, INT → integer (or an existing bigint
// column), BIGINT → bigint, DOUBLE → double precision, VARCHAR → text (or an existing
// varchar/char column), TIMESTAMP → timestamptz (or an existing timestamp column),
// INTERVAL → interval. Any other pairing is an error naming the column and both types.
//
// Thread: the sink task's.

#include <string>
#include <vector>

#include "connectors/postgres/copy_encoder.h"
#include "connectors/postgres/pg_connection.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::connectors::postgres {

struct TableSpec {
  std::string schema;
  std::string table;
  bool upsert = false;
  std::vector<std::string> key;  // upsert: the input's key columns
  bool auto_create = true;
};

struct TableLayout {
  std::string qualified;             // "schema"."table"
  std::vector<std::string> columns;  // the table's names of the written columns, quoted
  std::vector<CopyColumn> copy;      // where each comes from in the input, and its wire type
  std::vector<std::string> key;      // upsert: the key columns' names in the table, quoted
  int op_column = -1;                // upsert: the input's EMIT CHANGES `_op` column, or -1
};

// Finds the table (creating it when missing and auto_create), checks that every column of
// the input has a column of a type it can be written as, that the table's other columns may
// be left NULL, and for an upsert that a unique index covers exactly the key.
Result<TableLayout> prepare_table(PgConnection& conn, const TableSpec& spec, const Schema& input);

// COPY of the written columns (plus the staging fields for `stage`) from binary input.
std::string copy_sql(const TableLayout& layout, const std::string& into, bool stage);
// A staging table with the written columns' types plus the sequence and delete fields;
// a temporary one empties itself at every commit.
std::string create_stage_sql(const TableLayout& layout, const std::string& stage, bool temporary);
// Applies the staging table to the target: the newest row per key wins; a delete removes
// the key, anything else is inserted or updates it. Without `deletes` the statement leaves
// out the DELETE (which would otherwise join the whole target for nothing).
std::string merge_sql(const TableLayout& layout, const std::string& stage, bool deletes);

}  // namespace sluice::connectors::postgres
