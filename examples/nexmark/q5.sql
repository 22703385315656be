-- Nexmark q5, hot items: the auctions with the most bids in each sliding window (10 s,
-- every 2 s). q5_agg.sql is its first half alone.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE STREAM q5_auction_bids AS
SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
FROM bid
GROUP BY auction, HOP(date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND);

-- The most bids per window. Every window of q5_auction_bids ends on a multiple of 2 s, so a
-- 2 s TUMBLE over its end time groups exactly the rows of one HOP window, and closes as soon
-- as that window has been emitted (the window's own end is that TUMBLE's window_start).
CREATE STREAM q5_max_bids AS
SELECT starttime, window_start AS endtime, MAX(num) AS maxn
FROM q5_auction_bids
GROUP BY starttime, TUMBLE(endtime, INTERVAL '2' SECOND);

CREATE SINK q5 AS
SELECT AuctionBids.auction, AuctionBids.num
FROM q5_auction_bids AS AuctionBids
JOIN q5_max_bids AS MaxBids
  ON AuctionBids.starttime = MaxBids.starttime
 AND AuctionBids.endtime = MaxBids.endtime
 AND AuctionBids.num >= MaxBids.maxn
INTO blackhole ();
