#pragma once
// Environment references in option values: `password = '${env:PGPASSWORD}'` names a variable
// instead of holding the secret, so the secret is stored nowhere (not in the catalog log, not
// in a script). The value is kept as written; the connector gets it resolved, when it is
// opened (CREATE SINK, and again at every restart). A reference may stand anywhere in a text
// value (`dsn = 'postgresql://app:${env:PGPASSWORD}@db/x'`); a name is letters, digits and
// '_', not starting with a digit. Which options may hold one is options.cc's to say.
//
// Thread: any.

#include <string>
#include <string_view>

#include "sluice/status.h"
#include "sql/catalog.h"

namespace sluice::sql {

// The value holds at least one `${env:` (well formed or not).
bool has_env_reference(std::string_view value);
// The value is one or more references and nothing else: it holds no secret itself.
bool only_env_references(std::string_view value);
// Every `${env:` starts a well-formed reference `${env:NAME}`.
Status check_env_references(std::string_view value);
// The value with every reference replaced by its variable's value. An unset variable is an
// error naming the variable and `key`, never a value.
Result<std::string> resolve_env_references(std::string_view key, std::string_view value);
// Every option resolved.
Result<OptionMap> resolve_env_options(const OptionMap& options);

}  // namespace sluice::sql
