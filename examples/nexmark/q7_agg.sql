-- Nexmark q7's windowed half: the highest bid price per 10 s window. The full query (q7.sql)
-- joins it back to the bids.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q7_agg AS
SELECT MAX(price) AS maxprice, window_start, window_end
FROM bid
GROUP BY TUMBLE(date_time, INTERVAL '10' SECOND)
INTO blackhole ();
