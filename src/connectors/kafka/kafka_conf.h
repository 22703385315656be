#pragma once
// librdkafka configurations from sluice's property lists, shared by the sink's producer and the
// source's consumer: every property set in order, the first one librdkafka refuses an error
// naming it (a secret's value masked).
//
// librdkafka's header stays in the .cc files: rd_kafka_conf_t is only declared here.
//
// Thread: any (pure functions).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/status.h"

// librdkafka's own declaration of its configuration handle (rdkafka.h has the same typedef).
typedef struct rd_kafka_conf_s rd_kafka_conf_t;

namespace sluice::connectors::kafka {

// librdkafka configuration properties, in the order they are set.
using Properties = std::vector<std::pair<std::string, std::string>>;

// A fresh configuration with every property set (but `skip`), or an error (SLC-1006) naming
// the first one librdkafka refused as `label` + its name and saying why. The caller owns it
// (rd_kafka_new takes it, or rd_kafka_conf_destroy).
Result<rd_kafka_conf_t*> make_conf(const Properties& properties, std::string_view label,
                                   std::string_view skip = {});

}  // namespace sluice::connectors::kafka
