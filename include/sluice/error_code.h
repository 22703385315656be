#pragma once
// The stable error codes of sluice. Each code is printed as SLC-NNNN; its number never
// changes once released. docs/errors.md lists every code with what the user can do, and a
// unit test keeps that page and this list in step.

#include <cstdint>
#include <string_view>

namespace sluice {

// X(name, number, short meaning)
#define SLUICE_ERROR_CODES(X)                                          \
  X(kOk, 0, "success")                                                 \
  X(kInternal, 1, "internal error")                                    \
  X(kInvalidArgument, 2, "invalid argument")                           \
  X(kClosed, 3, "closed")                                              \
  X(kTimeout, 4, "timed out")                                          \
  X(kUnsupported, 5, "not supported")                                  \
  X(kOutOfRange, 6, "out of range")                                    \
  X(kResourceExhausted, 7, "resource exhausted")                       \
  X(kIoError, 8, "I/O error")                                          \
  X(kSqlSyntax, 1001, "SQL syntax error")                              \
  X(kSqlUnknownName, 1002, "unknown name")                             \
  X(kSqlTypeMismatch, 1003, "type mismatch")                           \
  X(kSqlDuplicateName, 1004, "name already exists")                    \
  X(kSqlHasDependents, 1005, "object has dependents")                  \
  X(kSqlInvalidOption, 1006, "invalid option")                         \
  X(kSqlInvalidQuery, 1007, "invalid streaming query")                 \
  X(kSqlTooDeep, 1008, "expression nested too deeply")                 \
  X(kSqlInvalidRegex, 1009, "invalid regular expression")              \
  X(kSqlAmbiguousName, 1010, "ambiguous column name")                  \
  X(kJsonParse, 2001, "malformed JSON")                                \
  X(kCsvParse, 2002, "malformed CSV")                                  \
  X(kValueConversion, 2003, "value does not fit the column type")      \
  X(kInvalidUtf8, 2004, "invalid UTF-8")                               \
  X(kInvalidTimestamp, 2005, "invalid timestamp or date")              \
  X(kMissingValue, 2006, "missing value for a NOT NULL column")        \
  X(kArrowImport, 2007, "Arrow C Data Interface import failed")        \
  X(kSchemaMismatch, 2008, "schema mismatch")                          \
  X(kUnavailable, 3001, "destination unavailable")                     \
  X(kRejected, 3002, "destination rejected the request")               \
  X(kCallbackFailed, 3003, "a callback sink's function failed")        \
  X(kDataCorrupt, 4001, "damaged file in the data directory")          \
  X(kWouldDuplicate, 4002, "recovery would repeat committed output")   \
  X(kStagedEpochLost, 4003, "a decided epoch's staged output is lost") \
  X(kUnauthorized, 5001, "missing or wrong bearer token")              \
  X(kNotFound, 5002, "no such HTTP endpoint")                          \
  X(kRequestTooLarge, 5003, "HTTP request body too large")             \
  X(kBadRequest, 5004, "malformed HTTP request")                       \
  X(kStateMemoryExceeded, 6001, "operator state over its memory budget")

enum class ErrorCode : uint16_t {
#define SLUICE_ERROR_ENUM(name, number, meaning) name = number,
  SLUICE_ERROR_CODES(SLUICE_ERROR_ENUM)
#undef SLUICE_ERROR_ENUM
};

// Short meaning of a code ("malformed JSON"); "unknown error" for a value not in the list.
std::string_view error_code_meaning(ErrorCode code);

}  // namespace sluice
