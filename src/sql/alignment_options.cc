#include "sql/alignment_options.h"

#include "sql/options.h"

namespace sluice::sql {
namespace {

constexpr std::string_view kPrefix = "watermark.alignment.";
constexpr const char* kGroup = "watermark.alignment.group";
constexpr const char* kMaxDrift = "watermark.alignment.max.drift";

const ConnectorSpec& alignment_spec() {
  using K = OptionSpec::Kind;
  static const ConnectorSpec spec = {.name = "watermark alignment",
                                     .kind = ConnectorKind::kSource,
                                     .options = {{kGroup, K::kString, {}, false, "", 0},
                                                 {kMaxDrift, K::kDuration, {}, false, "", 1}}};
  return spec;
}

Status refuse(const std::vector<Option>& given, std::string_view what, const std::string& why) {
  return Status(ErrorCode::kSqlInvalidOption, std::string(what) + ": " + why,
                given.front().pos.to_string());
}

}  // namespace

bool is_alignment_option(const Option& option) {
  return option.key.rfind(kPrefix, 0) == 0;
}

Status bind_alignment_options(const std::vector<Option>& given, SourceDef& def,
                              std::string_view what) {
  if (given.empty()) return Status::Ok();
  SLC_ASSIGN_OR_RETURN(OptionMap options, validate_options(given, alignment_spec(), what));
  const auto group = options.find(kGroup);
  const auto drift = options.find(kMaxDrift);
  if (group == options.end() || group->second.empty()) {
    return refuse(given, what,
                  std::string("'") + kMaxDrift + "' needs a non-empty '" + kGroup +
                      "' (the sources it is read in step with)");
  }
  if (drift == options.end()) {
    return refuse(given, what,
                  std::string("'") + kGroup + "' needs '" + kMaxDrift +
                      "' (how far ahead of its group it may read, e.g. '1s')");
  }
  if (def.connector.empty()) {
    return refuse(given, what,
                  "watermark alignment pauses a connector's reading; a push source is paced "
                  "by the application that pushes");
  }
  if (def.watermark_column < 0) {
    return refuse(given, what,
                  "watermark alignment needs a watermark (declare WATERMARK FOR a column)");
  }
  def.alignment_group = group->second;
  SLC_ASSIGN_OR_RETURN(def.alignment_max_drift, parse_duration(drift->second));
  return Status::Ok();
}

}  // namespace sluice::sql
