-- Nexmark q5's windowed half: bids per auction in each sliding window (10 s, every 2 s).
-- The full query (q5.sql) joins this with its maximum per window.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q5_agg AS
SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
FROM bid
GROUP BY auction, HOP(date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
INTO blackhole ();
