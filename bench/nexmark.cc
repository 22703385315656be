// Nexmark: every query of examples/nexmark/ (q0-q9, q11, q12, and q5_agg/q7_agg, the windowed
// halves of q5 and q7) into a blackhole sink, each in its own child process so that its CPU
// time and peak RSS are its own. The generator's cost is measured alone, per table, in the
// same run, and stated: events per CPU-second with the generator included and excluded (a
// query's generator cost is the sum over the tables it reads: each source runs through every
// event and keeps its table's).
//
//   build/release/bench/nexmark [--events N] [--credits ROWS] [--event-rate N] [--json FILE]
//                               [--queries DIR] [--only q0,q5_agg] [--rss-every SECONDS]
// (--credits: DatabaseOptions::source_credits, the source's rows in flight; default the
// database's. --event-rate: events per second of event time, every source's 'event.rate' and
// the generator-alone run's (default the connector's, 10 M: 10 M events span 1 s, so no 10 s
// window closes). --queries: another folder of query files, examples/nexmark/README.md's
// convention: every source's `limit` is set to N (and its 'event.rate'), the sink is named
// after the file. --rss-every: each query's resident set and the rows each of its sources has
// read, printed to stderr every so many seconds while it runs: whether state stays flat once
// windows close, not only its peak.)
//
// A query that does not bind (none of the files today) is listed as "not runnable:
// <error>", in the table and in the JSON ("runnable": false); it does not fail the run.
//
// Events are all Nexmark events (2% persons, 6% auctions, 92% bids).
//
// Last, q5_agg's aggregate operator alone, fed by the generator on one thread: its peak RSS
// less the generator's, per live group, is the operator's memory per group (in a pipeline the
// source's buffer of in-flight rows fills while the aggregate is slower than the generator,
// and its rows count in the pipeline's peak RSS).
//
// Until the query files (before 2026-11-30), q0 was `SELECT *` (all 7 columns); it is now the
// project's projection (auction, bidder, price, date_time, extra); q5-agg and q7-agg are
// q5_agg and q7_agg.
//
// One run each at 10 M events (2 vCPU shared with other work, load ~5; the generator alone
// 6.5 M events/CPU-s, 4 MB). Nexmark's event time runs at 10 M events/s, so 10 M events
// span 1 s: no q5 HOP window (10 s) or q7 TUMBLE window (10 s) closes in the run, and every
// q5-agg group (3.0 M) is live at the end.
//   main at 4ce2b5c, source credits 1 M rows:
//     q5-agg  2.25 M events/CPU-s with the generator, 3.43 without; peak RSS 541 MB, 189 B
//             per live group (the operator alone: 7.76 M events/CPU-s, 164 MB, 56 B)
//     q7-agg  4.71 M events/CPU-s with, 16.9 without; peak RSS 22 MB (one live group)
//   --credits 65536: q5-agg 2.66 / 4.71, 190 MB (66 B per live group); q7-agg 30 MB
//   --credits 16384 (the default since): q5-agg 2.47 / 6.56, 178 MB (62 B per live group,
//     goal ≤ 64); q7-agg 4.47 with, 15 MB
// At 50 M events (5 s of event time; default credits 16384): q5-agg 2.57 / 4.74, 601 MB peak
// RSS with 11.4 M groups live at most (55 B per live group; only the windows ending at 2 s
// and 4 s close, so live state still grows: "flat once windows close" needs a slower
// 'event.rate', not measured); q7-agg 4.24 / 17.6, 16 MB (flat: one group).
//
// From the query files (branch nexmark on fc63c72, default credits, one run each, load 3-4;
// M events per CPU-second with the generator / without it, peak RSS):
//            10 M events               50 M events
//   q0       5.64 / 31.3,  14 MB       5.75 / 35.4,  14 MB
//   q1       5.15 / 20.5,  14 MB       5.49 / 27.2,  16 MB
//   q2       5.61 / 30.3,  14 MB       5.16 / 20.7,  14 MB
//   q5_agg   3.59 / 7.50, 162 MB       2.69 / 4.43, 612 MB (11.4 M live groups, 54 B each)
//   q7_agg   5.06 / 19.1,  14 MB       4.62 / 14.1,  15 MB
//   q11      4.77 / 15.6,  47 MB       3.81 / 8.56, 435 MB
// q11's sessions (10 s gap) never close in 1 s or 5 s of event time, so every bidder's
// session is live at the end: its RSS grows with the bidders, as q5_agg's with its groups.
// q3-q9: not runnable (joins).
//
// With the joins (branch joine2e on 6965e4e, default credits, one run each, load 6-8; M events
// per CPU-second with the generator / without it, peak RSS; 10 M events at the default
// event rate span 1 s of event time, so no 10 s window closes and every join keeps all of
// its inputs):
//            10 M events
//   q0       5.55 / 33.8,   15 MB
//   q1       5.11 / 22.2,   22 MB
//   q2       5.51 / 32.5,   15 MB
//   q3       4.72 / 9.23,  485 MB   (a regular join: every person and auction kept)
//   q5       2.71 / 4.57,  250 MB
//   q5_agg   2.89 / 5.11,  178 MB   (the operator alone 7.08 w/o gen, 56 B per live group)
//   q7       0.90 / 1.05, 1624 MB   (every bid waits in the interval join for its window's max)
//   q7_agg   3.58 / 7.75,   16 MB
//   q8       8.10 / 50.6,   75 MB
//   q11      3.95 / 9.72,  107 MB
//   q4, q6, q9: not runnable (q4 aggregates an updating aggregate, SLC-1007; q6 needs an OVER
//   frame; q9 needs top-N, ROW_NUMBER).
// q4 with the aggregate over changes (branch retract on 98f3993, default credits, one run, load
// 15-17): 1.22 M events/CPU-s with the generator, 1.79 without, peak RSS 462 MB (10 M events,
// 1 s of event time: the interval join keeps every auction and bid); 9,355 changes out. A
// profile (perf, 3 M events) puts the outer AVG's retraction path below 1% of the CPU; the join
// and the generator take the rest.
// --events 50000000 --event-rate 1000000 --rss-every 5 (50 s of event time, windows close
// from 10 s on; the watermark trails date_time by 5 s):
//   q5  2.58 / 4.83, peak 238 MB: 110 MB at 7 M bids read, 157-172 MB from 14 M to 41 M
//       (flat once windows close, within allocator slack)
//   q7  0.97 / 1.18, peak 1918 MB: grows to 1825 MB at 17 M bids, then 1855-1918 MB from
//       19 M to 46 M (flat: a bid is kept until the right side's watermark passes its time +
//       10 s, i.e. ~15 s of bids, ~14 M rows)
//   q8  8.34 / 38.5, 144 MB at 5 s and 10 s (flat; the persons are read first and wait in
//       the window join for the auctions' watermark)
//
// q5_agg by panes (branch hop16: HOP windows by panes, the compute loop without concat of
// large batches, the generator without pow; against main at 3805a0a in the same minutes,
// interleaved, load 15-17; M events per CPU-second with the generator / without it, CPU
// seconds of the whole run, peak RSS):
//   10 M events:     main 3.08, 3.21 / 6.76, 7.29; 3.25, 3.11 s; 181, 172 MB
//                    hop16 6.31, 6.53 / 51.0, 52.1; 1.58, 1.53 s; 131, 133 MB
//                    (generator alone 5.65-5.74 → 7.21-7.46 M events/CPU-s)
//   --event-rate 1000000 (10 s of event time: windows of 5 panes close during the run):
//                    main 2.81 / 5.95, 111 MB; hop16 4.79 / 14.3, 105 MB
//   --events 50000000 --event-rate 1000000 --rss-every 5: hop16 4.89 / 15.2, peak 111 MB;
//                    85-102 MB from 10 M to 44 M bids read (flat; 600 K pane groups live)
// The rest of the pipeline is now ~0.2 CPU-s of the 1.55, so "without the generator" (a
// difference of two measurements) and "the operator alone" are within the noise: read the
// CPU seconds. Live groups are now pane groups (600 K, not 3.0 M window groups), so the
// "bytes per live group" figure is not comparable with the ones above; the operator alone's
// peak (129 MB) is mostly the 3.0 M rows the final watermark emits at once, which this
// harness holds. bench/duckdb_q5.sh in the same minutes: DuckDB 1.776 CPU-s (one thread,
// 9.2 M bids), so sluice's whole run, generator included, takes 0.87x DuckDB's CPU time
// (1.15x as fast), and without the generator about 0.2 CPU-s (~9x).
//
// With the OVER frame (branch overframe, --events 10000000 --only q6,q9, one run, load 8):
// q6 0.84 / 1.03, 775 MB, 16.0 M rows out (the frame's changes); q9 0.79 / 0.95, 1551 MB.
// q6 costs what its interval join and top-1 (q9's shape, with narrower rows) cost: the OVER
// frame over the top-1's changes adds little (perf, 3 M events: its decoding, frames and output
// ~15% of the CPU before each change's rows were decoded once instead of twice).
//
// The interval join's deferred index and the top-N's columnar output (branch q7perf on
// 3805a0a against 3805a0a built alongside, interleaved in the same minutes, load 10-19; M
// events per CPU-second with the generator / without it, peak RSS):
//   10 M events, two runs each:
//     q7  before 1.09 / 1.29, 1.26 / 1.53, 1608-1618 MB
//         after  2.61 / 4.97, 2.61 / 4.91, 1455 MB
//     q9  before 0.71 / 0.85, 0.74 / 0.89, 1536-1566 MB
//         after  1.13 / 1.62, 1.04 / 1.43, 1556-1588 MB
//   --events 50000000 --event-rate 1000000 --rss-every 5, one run each:
//     q7  before 1.20 / 1.45, peak 1917 MB; after 3.01 / 6.46, peak 1487 MB (1471-1485 MB
//         from 16 M bids read on: flat)
//     q9  before 0.76 / 0.91, peak 5559 MB; after 1.00 / 1.34, peak 5590 MB. Not flat, either
//         way: the auction source reads all 3 M auctions far ahead of the bids, and they wait
//         in the join for the bids' watermark (60 s); the top-1 per auction keeps a row for
//         every auction for good (its partitions are no window's).
//
// The OVER frame's COUNT/SUM/AVG of integers off running totals (branch q6perf on 3d80a18
// against 3d80a18 built alongside, interleaved in the same minutes, load 6-7 on 2 vCPU; M events
// per CPU-second with the generator / without it):
//   10 M events, three runs each (q6's OVER frame is 27% of its CPU; the frames were ~6%):
//     q6  before 1.04 / 1.34, 1.04 / 1.34, 0.98 / 1.25
//         after  1.10 / 1.44, 1.06 / 1.37, 1.00 / 1.29
//     q9  (no OVER frame: unchanged) before 1.33, 1.34, 1.26; after 1.34, 1.27, 1.28
//   --events 50000000 --event-rate 1000000 --rss-every 5, one run each:
//     q6  before 0.96 / 1.22, peak 4249 MB; after 1.02 / 1.32, peak 4265 MB
//     q9  before 1.19 / 1.61, peak 5536 MB; after 1.22 / 1.67, peak 5592 MB
//   What is left of q6 (perf, after): the generator ~33%; the interval join ~17%, 13% of it
//   building its output, most of that copying the auction's and the bid's strings that q6's
//   projection drops (no projection pushdown into a join step); the OVER frame ~28% (decoding
//   the ~21 rows around each change 6%, building Values and the output); the top-1 ~10%.
//
// The OVER frame's state in the compact layout (branch overstate against dbf5fec's build,
// interleaved in the same minutes, load 11-12 on 2 vCPU; M events per CPU-second with the
// generator / without it, peak RSS):
//   10 M events, two runs each:
//     q6  before 0.91 / 1.17, 918 MB; 0.91 / 1.17, 932 MB
//         after  0.92 / 1.18, 583 MB; 0.91 / 1.16, 587 MB
//   --events 20000000 --event-rate 1000000 (under perf, one run each): before 0.88 / 1.13,
//     22.7 CPU-s, 1726 MB; after 0.89 / 1.13, 22.4 CPU-s, 1142 MB
//   --events 50000000 --event-rate 1000000 --rss-every 5, two runs each (the second pair at
//   load 22):
//     q6  before 0.88 / 1.12 (56.5 CPU-s), peak 4244 MB: 1986 MB once the 3 M auctions are
//         read, then +80 MB per 1.5 M bids, to 4191 MB at 45 M bids read;
//         0.86 / 1.09 (58.1 CPU-s), peak 4259 MB
//         after  0.86 / 1.07 (58.3 CPU-s), peak 2663 MB: 1921 MB once the auctions are read,
//         then +30 MB per 1.5 M bids to 2663 MB at 41 M bids read, flat from there;
//         0.79 / 0.98 (63.4 CPU-s), peak 2670 MB
//   So: peak RSS -37 %; CPU the same at 10 M and 20 M, 3-9 % more at 50 M in both pairs (on a
//   machine this loaded, not told apart from noise; perf at 20 M puts the trees' walks —
//   OrderedRows::step, upper_bound, OverPartitions::around/find — at ~5 % of q6's CPU).
//   The frame kept every current winner (~3 M rows) as map nodes and strings; it now keeps a
//   28-byte node and the row's bytes each. What is left of q6's memory is the interval join's
//   auctions (read far ahead of the bids, waiting for their watermark) and the top-1, which
//   keeps a row per auction for good (its partitions are no window's). q6's output row count
//   varies from run to run of one binary, before as after (3 M events: 4,793,725 and 4,794,463
//   rows before; 10 M: 16,007,145 and 16,008,157 after): the frame's changes follow its input's,
//   so the variation is upstream of it (not investigated here).
//
// Projection pushdown into joins (branch pushdown on dbf5fec against dbf5fec built alongside,
// interleaved in the same minutes, load 8-9 on 2 vCPU shared with other builds; a join keeps
// only the columns read above it or by its ON: q3 3 of 10 auction and 4 of 8 person columns,
// q6 4 and 3, q7 and q9 drop the bid's channel and url; M events per CPU-second with the
// generator / without it, CPU seconds, peak RSS):
//   10 M events, two runs each:
//     q3  before 4.72 / 12.8, 4.99 / 10.6; 2.12, 2.00 s; 518, 502 MB
//         after  7.04 / 26.9, 6.79 / - ;   1.42, 1.47 s; 130, 130 MB
//     q6  before 0.89 / 1.16, 0.86 / 1.09; 11.2, 11.6 s; 917, 915 MB
//         after  1.11 / 1.51, 1.06 / 1.70;  9.0,  9.5 s; 475, 481 MB
//     q7  before 3.17 / 5.95, 2.95 / 5.43;  3.15, 3.39 s; 1418, 1418 MB
//         after  4.19 / 10.6, 4.14 / - ;    2.39, 2.42 s;  661,  661 MB
//     q9  before 1.04 / 1.43, 0.90 / 1.16;  9.6, 11.1 s; 1565, 1567 MB
//         after  1.11 / 1.51, 1.15 / 1.95;  9.0,  8.7 s; 1578, 1575 MB
//   ("-": the second after-run's generator-alone measure, 4.46 M events/CPU-s against 6.5-6.9,
//   was disturbed, so its "without" is not meaningful; read the CPU seconds.)
//   --events 50000000 --event-rate 1000000 --rss-every 5, one run each:
//     q6  before 0.80 / 0.99, 62.5 s, peak 4260 MB; after 0.97 / 1.28, 51.5 s, peak 2072 MB
//     q9  before 0.84 / 1.05, 59.5 s, peak 5541 MB; after 0.94 / 1.22, 53.4 s, peak 5545 MB
//   q9's peak does not move: it selects every auction column, so its join keeps the auctions
//   whole (the 3 M auctions wait in it for the bids' watermark), and its top-1 keeps a row per
//   auction for good. The output is the same (50 M: q6 77157935 rows, q9 12464407, before and
//   after; nexmark.oracle matches DuckDB). At 10 M, q6's and q9's counts of changes differ by
//   a few hundred from run to run, before and after alike (not studied here).
//
// Watermark alignment (branch align on df0bedf, 2026-11-30; the same binary, the query files of
// examples/nexmark (q4, q6, q8, q9 aligned: 1 s of drift) against the same files without the
// two options, interleaved in the same minutes, load 6-12 on 2 vCPU, one run each; M events per
// CPU-second with the generator / without it, peak RSS; rows read per source from --rss-every):
//   --events 50000000 --event-rate 1000000 --rss-every 5:
//     q9  unaligned 0.86 / 1.12, peak 5554 MB; aligned 0.86 / 1.08, peak 5500 MB
//     q6  unaligned 0.86 / 1.08, peak 4256 MB; aligned 0.80 / 0.98, peak 4253 MB
//     q8  unaligned 7.96 / 61.8, peak  188 MB; aligned 8.50 / 119,  peak   99 MB
//     q7  3.74 / 8.75, peak 1457 MB (one source: nothing to align; flat from 10 M bids read)
//     q3  4.74 / 9.64, peak 2186 MB (a regular join keeps every row whatever the readers do:
//         not aligned; grows with the auctions read)
//   --events 10000000 (default event rate): q9 unaligned 1.06 / 1.42, 1578 MB; aligned
//     1.10 / 1.49, 1556 MB.
//   (q8's "without" figures are small differences of large numbers: its CPU is mostly the
//   generator's.)
//   What alignment changed: unaligned, 20 s into q9's run the auction source had read 1.5 M
//   auctions (25 s of event time) and the bid source 1.9 M bids (2 s); aligned, the auctions
//   read stay within 1 s of the bids (at 20 s: 620 K auctions, 8.6 M bids: 10.3 M against 9.3 M
//   events). q8's window join no longer holds what one side read ahead of the other: peak RSS
//   halved.
//   What it did not: q9's and q6's peaks. Their interval join keeps each auction until the bids'
//   watermark passes its date_time + 60 s, which 50 s of event time never reaches, so every
//   auction is in the join's state at the end either way; and the top-1 per auction keeps a row
//   for every auction for good (q6's OVER frame every current winner per seller). Their RSS
//   now grows with the bids read (linear to the end) instead of jumping as the auctions are
//   read first; the same peak. Flat needs the join's 60 s to pass (a lower --event-rate) and a
//   top-1 that forgets closed auctions, neither of which is alignment's.
//   Noticed, left alone: q9's rows out (a changelog) differ by a few dozen between runs of the
//   same file, aligned or not (2 M events: 497807 and 497873 in each mode): the top-1 emits a
//   change per arrival, and how auctions and bids interleave at the join depends on the
//   readers' timing. The net result (the last row per auction) is the same.
//
// q12, processing-time windows (branch q12, --events 10000000 --only q12,q11, one run, load
// ~12 on 2 vCPU, 2026-11-30): q12 6.30 M events/CPU-s with the generator, 68.0 without, peak RSS
// 22 MB, 200,766 rows out (the run takes ~10 s of wall clock, so the bidders' counts fall into
// one or two 10 s windows of processing time, and a rerun gives other rows: only each bidder's
// total is a function of the input); q11 in the same minutes 5.56 / 27.9, 51 MB. q12 holds one
// group per bidder per open window, dropped as the clock closes it (a longer run, to see RSS
// stay flat as windows close, was not measured).
//
// Session 13, the price of ordering (q6, q9: a top-N over a join of two sources, its input held
// and applied in (time, values) order, dataflow/ordered_input.h). Session 12's OrderedInput
// kept a heap of every held row and gathered each released row value by value: ~25 % of q9's
// CPU. Now each input batch is a run sorted when it comes (one pass when sorted by time; only
// equal times sorted, through TieOrder's per-batch column views), the runs are merged piece by
// piece (a heap of runs), and a top-N that reads plain columns ranks the held rows where they
// lie (Operator::process_rows): no row is copied between the join and the top-N. The join's
// output is built column by column (one type switch per column). Main 5ae1d74+ against
// 1acf6a5, the idle machine (load 0.5-1.5), one full run each, M events per CPU-second with /
// without the generator, peak RSS:
//   --events 10000000: q9 0.99 / 1.26, 1586 MB -> 1.42 / 2.03, 1434 MB; q6 1.12 / 1.48 ->
//     1.30 / 1.79 (259 MB); the other queries within noise (q4 3.23 -> 3.46, q5 5.04 -> 5.30).
//   --events 50000000 --event-rate 1000000: q9 1.48 / 2.15, 5479 MB; q6 1.38 / 1.95, 1009 MB;
//     q4 3.35 / 11.2, 370 MB (session 12: 0.95, 1.14, 3.04).
//   Interleaved q9 runs at 10 M under load 2-9 (other builds): 1.16-1.26 against 0.85-0.94.
// q9's changes differ from session 12's in number (2,513,697 at 10 M, was 2,491,155): rows of
// equal time (10 per microsecond at the default event rate) are ordered by another order of
// their values; every run gives the same (nexmark.q9_order). Peak RSS at 50 M is the join's
// auctions (50 s of event time never passes the join's 60 s) and the top-1's row per auction:
// by the query, not by the hold (held rows: those the watermark has not passed, a few batches).

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/wait_signal.h"
#include "connectors/generator/nexmark.h"
#include "dataflow/aggregate_operator.h"
#include "sluice/database.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace sluice {
namespace {

struct Measure {
  double wall = 0;
  double cpu = 0;
  double peak_rss_mb = 0;
  int64_t rows_out = 0;
  bool ok = false;
};

double cpu_of(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `work` in a child; the child reports wall time and output rows through a pipe, the
// parent reads the child's CPU time and peak RSS from wait4.
template <typename Work>
Measure in_child(Work work) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t rows = work();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ssize_t written = write(fds[1], &wall, sizeof wall) + write(fds[1], &rows, sizeof rows);
    _exit(rows >= 0 && written == static_cast<ssize_t>(sizeof wall + sizeof rows) ? 0 : 1);
  }
  close(fds[1]);
  Measure m;
  const bool got = read(fds[0], &m.wall, sizeof m.wall) == sizeof m.wall &&
                   read(fds[0], &m.rows_out, sizeof m.rows_out) == sizeof m.rows_out;
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  m.cpu = cpu_of(usage);
  m.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024;
  m.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return m;
}

// A query file of examples/nexmark/ with every source's `limit` set to `events`, and its
// 'event.rate' to `event_rate` unless 0 (examples/nexmark/README.md: the files' one
// convention the harnesses rely on).
std::string with_events(const std::string& text, int64_t events, int64_t event_rate) {
  static const std::regex kLimit("limit = '[0-9]+'");
  std::string options = "limit = '" + std::to_string(events) + "'";
  if (event_rate > 0) options += ", event.rate = '" + std::to_string(event_rate) + "'";
  return std::regex_replace(text, kLimit, options);
}

// The generator's options: the run's event rate (events per second of event time), or the
// connector's default when 0.
connectors::NexmarkOptions generator_options(int64_t event_rate) {
  connectors::NexmarkOptions o;
  if (event_rate > 0) o.event_rate = static_cast<double>(event_rate);
  return o;
}

// The names of a query file's sources (`CREATE SOURCE name`), in order.
std::vector<std::string> source_names(const std::string& statements) {
  static const std::regex kSource(R"(CREATE SOURCE (\w+))");
  std::vector<std::string> names;
  for (std::sregex_iterator m(statements.begin(), statements.end(), kSource), end; m != end; ++m)
    names.push_back((*m)[1].str());
  return names;
}

// The process's resident set now, in MB (/proc/self/statm's second field, in pages).
double rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576;
}

// Prints the query's resident set and the rows each of its sources has read every `every_s`
// seconds until destroyed: whether state stays flat once windows close, not only its peak.
// Thread: made and destroyed on one thread; samples on a thread of its own, which reads the
// database's metrics (thread-safe) and sleeps on a WaitSignal without spinning.
class RssTimeline {
 public:
  RssTimeline(const std::string& name, double every_s, Database& db,
              std::vector<std::string> sources) {
    if (every_s <= 0) return;
    thread_ = std::thread([this, name, every_s, &db, sources = std::move(sources)] {
      const auto t0 = std::chrono::steady_clock::now();
      const auto every = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(every_s));
      while (!stopped_.wait_until([&] { return stop_.load(); }, deadline_after(every), 0)) {
        std::string read;
        for (const std::string& source : sources) {
          const auto m = db.source_metrics(source);
          read += "  " + source + " " + std::to_string(m.ok() ? m->pushed_rows : -1);
        }
        std::fprintf(stderr, "  %s: %6.1f s  %7.1f MB RSS  rows read:%s\n", name.c_str(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                     rss_mb(), read.c_str());
      }
    });
  }
  ~RssTimeline() {
    if (!thread_.joinable()) return;
    stop_.store(true);
    stopped_.notify_all();
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  WaitSignal stopped_;
  std::thread thread_;
};

// Creates the query's sources and sink; an error (a query that does not bind yet) as text.
std::string create(Database& db, const std::string& statements) {
  auto r = db.execute(statements);
  return r.ok() ? std::string() : r.status().to_string();
}

int64_t run_query(int64_t events, int64_t credits, int64_t event_rate,
                  const std::string& statements, const std::string& sink, double rss_every_s) {
  DatabaseOptions options;
  if (credits > 0) options.source_credits = credits;
  auto db = Database::open(options).value();
  if (const std::string error = create(*db, with_events(statements, events, event_rate));
      !error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return -1;
  }
  {
    RssTimeline timeline(sink, rss_every_s, *db, source_names(statements));
    if (!db->start().ok() || !db->wait_for_bounded_sources().ok()) return -1;
  }
  if (!db->shutdown().ok()) return -1;
  return db->sink_metrics(sink)->rows;
}

// The generator alone: the same events, built into the same batches, going nowhere. Each
// source of a query runs through every event and keeps its table's, so a query's generator
// cost is the sum over the tables it reads.
int64_t run_generator(int64_t events, int64_t event_rate, connectors::NexmarkTable table) {
  connectors::NexmarkGenerator generator(table, generator_options(event_rate));
  BatchBuilder builder(connectors::nexmark_schema(table));
  int64_t rows = 0;
  for (int64_t first = 0; first < events; first += 4096) {
    rows += generator.generate(first, std::min<int64_t>(4096, events - first), builder);
    RecordBatch batch = builder.finish();
    if (batch.num_rows() < 0) return -1;
  }
  return rows;
}

// q5-agg's aggregate operator alone, fed by the generator on the same thread: no source
// buffer, so the peak RSS above the generator's is the operator's (its state and the rows it
// emits at the end). Returns rows out; `live` gets the most groups live at once.
int64_t run_q5_operator(int64_t events, int64_t event_rate, const std::string& select,
                        int64_t& live) {
  using connectors::NexmarkTable;
  sql::Catalog catalog;
  auto source = std::make_shared<sql::SourceDef>();
  source->name = "bid";
  source->schema = connectors::nexmark_schema(NexmarkTable::kBid);
  source->watermark_column = source->schema->find("date_time");
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource, source, nullptr, nullptr});
  auto stmt = sql::parse_statement(select);
  if (!stmt.ok()) return -1;
  auto query = sql::Binder(catalog).bind_query(*stmt->query);
  if (!query.ok()) return -1;
  dataflow::AggregateOperator op(std::make_shared<const sql::BoundQuery>(std::move(query).value()),
                                 false);
  connectors::NexmarkGenerator generator(NexmarkTable::kBid, generator_options(event_rate));
  BatchBuilder builder(source->schema);
  int64_t rows = 0, watermark = dataflow::kNoWatermark;
  std::vector<RecordBatch> out;
  for (int64_t first = 0; first < events; first += 4096) {
    generator.generate(first, std::min<int64_t>(4096, events - first), builder);
    RecordBatch batch = builder.finish();
    const Column& ts = batch.column(source->watermark_column);
    for (int64_t r = 0; r < batch.num_rows(); ++r)
      watermark = std::max(watermark, ts.int64_value(r));
    if (!op.process(batch, out).ok() || !op.on_watermark(watermark, out).ok()) return -1;
    live = std::max(live, static_cast<int64_t>(op.live_groups()));
    for (const RecordBatch& b : out) rows += b.num_rows();
    out.clear();
  }
  if (!op.on_watermark(dataflow::kFinalWatermark, out).ok()) return -1;
  for (const RecordBatch& b : out) rows += b.num_rows();
  return rows;
}

struct QueryFile {
  std::string name;                              // the file's stem, also its sink's name
  std::string statements;                        // the file's text
  std::vector<connectors::NexmarkTable> tables;  // the tables its sources read
};

// q2 before q11, q5 before q5_agg: by the number after 'q', then by name.
bool before(const std::string& a, const std::string& b) {
  const long na = std::strtol(a.c_str() + 1, nullptr, 10),
             nb = std::strtol(b.c_str() + 1, nullptr, 10);
  return na != nb ? na < nb : a < b;
}

std::vector<QueryFile> read_queries(const std::string& dir) {
  std::vector<QueryFile> queries;
  static const std::regex kTable("table = '([a-z]+)'");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    QueryFile q{entry.path().stem().string(), text.str(), {}};
    for (std::sregex_iterator m(q.statements.begin(), q.statements.end(), kTable), end; m != end;
         ++m) {
      connectors::NexmarkTable table;
      if (connectors::parse_nexmark_table((*m)[1].str(), table)) q.tables.push_back(table);
    }
    queries.push_back(std::move(q));
  }
  std::sort(queries.begin(), queries.end(),
            [](const QueryFile& a, const QueryFile& b) { return before(a.name, b.name); });
  return queries;
}

// The SELECT of a file's `CREATE SINK name AS SELECT ... INTO blackhole ()`.
std::string sink_select(const std::string& statements) {
  static const std::regex kSelect(R"(CREATE SINK \w+ AS\s+(SELECT[\s\S]*?)\s+INTO blackhole)");
  std::smatch m;
  return std::regex_search(statements, m, kSelect) ? m[1].str() : std::string();
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  using sluice::connectors::NexmarkTable;
  int64_t events = 5'000'000;
  const char* json_path = nullptr;
  int64_t credits = 0;
  int64_t event_rate = 0;  // the connector's default
  double rss_every_s = 0;
  std::string dir = SLUICE_SOURCE_DIR "/examples/nexmark";
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
      events = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--credits") == 0 && i + 1 < argc) {
      credits = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--event-rate") == 0 && i + 1 < argc) {
      event_rate = std::max<int64_t>(1, std::atoll(argv[++i]));
    } else if (std::strcmp(argv[i], "--rss-every") == 0 && i + 1 < argc) {
      rss_every_s = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json_path = argv[++i];
    } else if (std::strcmp(argv[i], "--queries") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = std::string(",") + argv[++i] + ",";
    } else {
      std::fprintf(stderr,
                   "usage: %s [--events N] [--credits ROWS] [--event-rate N] [--json FILE] "
                   "[--queries DIR] [--only q0,q5_agg] [--rss-every SECONDS]\n",
                   argv[0]);
      return 2;
    }
  }
  std::vector<sluice::QueryFile> queries = sluice::read_queries(dir);
  if (!only.empty()) {
    std::erase_if(queries, [&](const sluice::QueryFile& q) {
      return only.find("," + q.name + ",") == only.npos;
    });
  }
  if (queries.empty()) {
    std::fprintf(stderr, "no query files (*.sql) under %s\n", dir.c_str());
    return 2;
  }
  // The generator alone, per table.
  const NexmarkTable kTables[] = {NexmarkTable::kPerson, NexmarkTable::kAuction,
                                  NexmarkTable::kBid};
  sluice::Measure gen[3];
  bool all_ok = true;
  for (NexmarkTable t : kTables) {
    gen[static_cast<int>(t)] =
        sluice::in_child([&] { return sluice::run_generator(events, event_rate, t); });
    all_ok &= gen[static_cast<int>(t)].ok;
  }
  const sluice::Measure& bid_gen = gen[static_cast<int>(NexmarkTable::kBid)];
  std::printf(
      "Nexmark, %lld events (2%% persons, 6%% auctions, 92%% bids; %.1f s of event time), queries "
      "from %s, 2 vCPU; generator alone: %.2f M events per CPU-second (bids), %.2f (auctions), "
      "%.2f (persons)\n\n",
      static_cast<long long>(events),
      static_cast<double>(events) / sluice::generator_options(event_rate).event_rate, dir.c_str(),
      static_cast<double>(events) / bid_gen.cpu / 1e6,
      static_cast<double>(events) / gen[static_cast<int>(NexmarkTable::kAuction)].cpu / 1e6,
      static_cast<double>(events) / gen[static_cast<int>(NexmarkTable::kPerson)].cpu / 1e6);
  std::printf("%-7s %12s %16s %26s %26s %10s %10s\n", "query", "M events/s", "CPU seconds",
              "M events/CPU-s (with gen)", "M events/CPU-s (w/o gen)", "rows out", "peak RSS");
  std::string json =
      "{\"events\":" + std::to_string(events) + ",\"event_rate\":" +
      std::to_string(static_cast<int64_t>(sluice::generator_options(event_rate).event_rate)) +
      ",\"generator_cpu_s\":" + std::to_string(bid_gen.cpu) + ",\"queries\":[";
  std::vector<std::string> not_runnable;
  for (size_t i = 0; i < queries.size(); ++i) {
    const sluice::QueryFile& q = queries[i];
    // Binds? Checked here, in the parent, so the error can be shown (nothing runs).
    std::string error;
    {
      auto db = sluice::Database::open().value();
      error = sluice::create(*db, sluice::with_events(q.statements, events, event_rate));
      db->shutdown().ignore();
    }
    if (!error.empty()) {
      std::printf("%-7s not runnable: %s\n", q.name.c_str(), error.c_str());
      not_runnable.push_back(q.name);
      std::string escaped;
      for (char c : error) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c == '\n' ? ' ' : c;
      }
      json += (i ? "," : "") + std::string("{\"query\":\"") + q.name +
              "\",\"runnable\":false,\"error\":\"" + escaped + "\"}";
      continue;
    }
    double gen_cpu = 0;
    for (NexmarkTable t : q.tables) gen_cpu += gen[static_cast<int>(t)].cpu;
    const sluice::Measure m = sluice::in_child([&] {
      return sluice::run_query(events, credits, event_rate, q.statements, q.name, rss_every_s);
    });
    all_ok &= m.ok;
    const double rate = static_cast<double>(events) / m.wall / 1e6;
    const double per_cpu = static_cast<double>(events) / m.cpu / 1e6;
    const double without =
        m.cpu > gen_cpu ? static_cast<double>(events) / (m.cpu - gen_cpu) / 1e6 : 0;
    std::printf("%-7s %12.2f %16.2f %26.2f %26.2f %10lld %7.0f MB%s\n", q.name.c_str(), rate, m.cpu,
                per_cpu, without, static_cast<long long>(m.rows_out), m.peak_rss_mb,
                m.ok ? "" : "  FAILED");
    char entry[400];
    std::snprintf(
        entry, sizeof entry,
        "%s{\"query\":\"%s\",\"runnable\":true,\"events_per_s\":%.0f,\"cpu_s\":%.3f,"
        "\"events_per_cpu_s\":%.0f,\"events_per_cpu_s_without_generator\":%.0f,\"rows_out\":%lld,"
        "\"peak_rss_mb\":%.1f,\"ok\":%s}",
        i ? "," : "", q.name.c_str(), rate * 1e6, m.cpu, per_cpu * 1e6, without * 1e6,
        static_cast<long long>(m.rows_out), m.peak_rss_mb, m.ok ? "true" : "false");
    json += entry;
  }
  json += "]";
  // The aggregate alone (no runtime, no source buffer): its memory per live group.
  const auto q5 = std::find_if(queries.begin(), queries.end(),
                               [](const sluice::QueryFile& q) { return q.name == "q5_agg"; });
  const std::string q5_select = q5 == queries.end() ? "" : sluice::sink_select(q5->statements);
  if (!q5_select.empty()) {
    const sluice::Measure op = sluice::in_child([&] {
      int64_t most = 0;
      const int64_t rows = sluice::run_q5_operator(events, event_rate, q5_select, most);
      return rows < 0 ? rows : rows * 100'000'000 + most;  // both through the child's one value
    });
    const int64_t op_rows = op.rows_out / 100'000'000, op_live = op.rows_out % 100'000'000;
    const double op_without =
        op.cpu > bid_gen.cpu ? static_cast<double>(events) / (op.cpu - bid_gen.cpu) / 1e6 : 0;
    const double per_group = op_live > 0 ? (op.peak_rss_mb - bid_gen.peak_rss_mb) * 1024 * 1024 /
                                               static_cast<double>(op_live)
                                         : 0;
    std::printf(
        "\nq5_agg's operator alone (generator → AggregateOperator, one thread): %.2f M "
        "events/CPU-s w/o gen, %lld rows out, %lld live groups at most, peak RSS %.0f MB "
        "(generator alone %.0f MB): %.0f bytes per live group%s\n",
        op_without, static_cast<long long>(op_rows), static_cast<long long>(op_live),
        op.peak_rss_mb, bid_gen.peak_rss_mb, per_group, op.ok ? "" : "  FAILED");
    all_ok &= op.ok;
    char entry[300];
    std::snprintf(entry, sizeof entry,
                  ",\"q5_operator\":{\"events_per_cpu_s_without_generator\":%.0f,\"rows_out\":%lld,"
                  "\"live_groups\":%lld,\"peak_rss_mb\":%.1f,\"bytes_per_live_group\":%.0f}",
                  op_without * 1e6, static_cast<long long>(op_rows),
                  static_cast<long long>(op_live), op.peak_rss_mb, per_group);
    json += entry;
  }
  json += "}\n";
  if (!not_runnable.empty()) {
    std::printf("\nnot runnable yet (%zu):", not_runnable.size());
    for (const std::string& n : not_runnable) std::printf(" %s", n.c_str());
    std::printf("\n");
  }
  std::printf("\n%s", json.c_str());
  if (json_path != nullptr) {
    if (std::FILE* f = std::fopen(json_path, "w")) {
      std::fputs(json.c_str(), f);
      std::fclose(f);
    }
  }
  // Queries that do not bind yet are reported, not failures; a runnable one that fails is.
  return all_ok ? 0 : 1;
}
