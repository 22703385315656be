#!/usr/bin/env bash
# Nexmark q9 (examples/nexmark/q9.sql: an interval join of auction and bid, then a top-1 per
# auction) end to end: the sink's whole change stream, in order, must be the same whatever the
# sources' batch sizes and whether they are read in step (watermark alignment) — the two source
# threads' timing must not reach it (dataflow/ordered_input.h, docs/sql.md "Order of changes").
# Four runs of `sluice run` over the same generated events (200 K bids), each into a file sink,
# compared byte for byte. (Checked: before the top-1's input was held and ordered, the runs'
# change counts differed.)
#
# Usage: nexmark_order_test.sh PATH_TO_SLUICE
set -u
sluice=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$(cd "$(dirname "$0")/../.." && pwd)

run() {  # name, batch size, alignment options (may be empty)
  local name=$1 batch=$2 align=$3
  # q9 as the example writes it, with its sources' options and a file sink instead of blackhole.
  sed -e "s|limit = '1000000',|limit = '200000', batch.size = '$batch'|" \
      -e "s|  watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s');|$align);|" \
      -e "s|INTO blackhole ();|INTO file (path = '$work/$name', format = 'jsonl');|" \
      "$repo/examples/nexmark/q9.sql" >"$work/$name.sql"
  if ! grep -q "batch.size = '$batch'" "$work/$name.sql" || ! grep -q "INTO file" "$work/$name.sql"; then
    echo "FAIL could not make $name.sql from examples/nexmark/q9.sql"
    exit 1
  fi
  if ! timeout 240 "$sluice" run "$work/$name.sql" >"$work/$name.log" 2>&1; then
    echo "FAIL run $name failed:"
    cat "$work/$name.log"
    exit 1
  fi
  cat "$work/$name"/part-* >"$work/$name.changes"
}

aligned="  , watermark.alignment.group = 'nexmark', watermark.alignment.max.drift = '1s'"
run aligned_big 4096 "$aligned"
run aligned_small 37 "$aligned"
run free_big 4096 ""
run free_odd 1000 ""

changes=$(wc -l <"$work/aligned_big.changes")
deletes=$(grep -c '"_op":"delete"' "$work/aligned_big.changes")
if [ "$changes" -lt 10000 ] || [ "$deletes" -lt 1000 ]; then
  echo "FAIL q9 wrote $changes changes ($deletes deletes): want 10000 and 1000 or more"
  exit 1
fi
failed=0
for name in aligned_small free_big free_odd; do
  if ! cmp -s "$work/aligned_big.changes" "$work/$name.changes"; then
    echo "FAIL $name: $(wc -l <"$work/$name.changes") changes, aligned_big $changes; first difference:"
    diff "$work/aligned_big.changes" "$work/$name.changes" | head -4
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
echo "PASS q9's $changes changes ($deletes deletes) identical in order across 4 runs"
