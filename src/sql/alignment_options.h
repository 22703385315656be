#pragma once
// The watermark alignment options of CREATE SOURCE (runtime/watermark_alignment.h):
//   watermark.alignment.group      the group whose sources are read in step (any name);
//   watermark.alignment.max.drift  how far (a duration: '1s', '500ms', '2 minutes') the
//                                  source's watermark may run ahead of the group's lowest
//                                  before it pauses reading.
// Both or neither; only on a connector source with a watermark (a push source is paced by
// the application that pushes, and without a watermark there is nothing to align).
// Every connector source takes them, so they are checked here, once, not in each spec.

#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::sql {

// Whether the option is one of the watermark.alignment.* ones.
bool is_alignment_option(const Option& option);

// Checks the watermark.alignment.* options `given` (possibly none) of the source `def` (its
// watermark and connector bound already) and sets def.alignment_group / alignment_max_drift.
// Errors: SLC-1006 (a bad value, one without the other, no watermark, a push source).
Status bind_alignment_options(const std::vector<Option>& given, SourceDef& def,
                              std::string_view what);

}  // namespace sluice::sql
