-- Nexmark q12, processing-time windows: bids per bidder in each 10 s window of the time the
-- bids were processed (PROCTIME()), not of their event time. Which window a bid falls into
-- depends on when it is processed (docs/sql.md "Processing time"); the total per bidder does not.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE STREAM q12_b AS SELECT *, PROCTIME() AS p_time FROM bid;

CREATE SINK q12 AS
SELECT bidder, COUNT(*) AS bid_count,
       TUMBLE_START(p_time, INTERVAL '10' SECOND) AS starttime,
       TUMBLE_END(p_time, INTERVAL '10' SECOND) AS endtime
FROM q12_b
GROUP BY bidder, TUMBLE(p_time, INTERVAL '10' SECOND)
INTO blackhole ();
