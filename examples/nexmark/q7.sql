-- Nexmark q7, highest bid: the bids at the highest price of each 10 s window. q7_agg.sql is
-- its windowed half alone.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE STREAM q7_max AS
SELECT MAX(price) AS maxprice, window_end AS date_time
FROM bid
GROUP BY TUMBLE(date_time, INTERVAL '10' SECOND);

-- An interval join: a bid matches the maximum of the window it is in (bounds inclusive, as
-- in the nexmark project's query).
CREATE SINK q7 AS
SELECT B.auction, B.price, B.bidder, B.date_time, B.extra
FROM bid B JOIN q7_max B1
  ON B.price = B1.maxprice
 AND B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time
INTO blackhole ();
