#pragma once
// OverPartitions: an OVER frame's kept rows, per partition in the frame's order — each row's
// bytes (OrderedRowCodec: sort keys, then its other values) mapped to how many equal copies
// it has. Finds the rows around a place (the frames a change touches), adds and removes copies,
// drops a partition's oldest rows, and writes and reads itself for checkpoints.
//
// Kept like an unwindowed GROUP BY's groups: an updating input's rows stay until deleted; on
// the watermark only each partition's last n rows stay (OverOperator trims them).
//
// Thread: the owning operator's (the compute thread).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dataflow/ordered_row_codec.h"
#include "dataflow/state_codec.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class OverPartitions {
 public:
  using Rows = std::map<std::string, uint32_t, std::less<>>;  // row bytes → copies
  struct Partition {
    Rows rows;
    int64_t copies = 0;
  };
  // The rows around a place in a partition, as copies (a row with 3 copies stands 3 times).
  struct Around {
    std::vector<const std::string*> before;  // in order, the last just before the place
    std::vector<const std::string*> after;   // in order, the first just after it
  };

  // The partition `key`, or null.
  Partition* find(std::string_view key);
  // The partition `key`, made empty when new.
  Partition& get(std::string_view key);

  // Up to `n` copies before and after the place just after `row`'s equal copies, of which
  // `exclude` are left out (the copy about to be removed).
  static void around(const Partition& p, std::string_view row, uint32_t exclude, size_t n,
                     Around& out);
  // Copies of `row` held.
  static uint32_t copies(const Partition& p, std::string_view row);
  void add(Partition& p, std::string_view row);
  // Removes one copy of `row` (which must be held), and the partition `key` once empty.
  void remove(std::string_view key, Partition& p, std::string_view row);
  // Keeps only the last `keep` copies of `key`'s rows (the partition removed when none).
  void keep_last(std::string_view key, Partition& p, int64_t keep);

  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }
  int64_t partitions() const { return static_cast<int64_t>(partitions_.size()); }

  void write(StateWriter& w) const;
  // Reads what write() wrote, each row checked to decode with `codec`.
  Status read(StateReader& r, const OrderedRowCodec& codec);

 private:
  std::unordered_map<std::string, Partition> partitions_;
  int64_t rows_ = 0;   // copies, in every partition
  int64_t bytes_ = 0;  // roughly: map nodes, strings and their bytes
};

}  // namespace sluice::dataflow
