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
SELECT starttime, window_start AS endtime, window_end AS closes, MAX(num) AS maxn
FROM q5_auction_bids
GROUP BY starttime, TUMBLE(endtime, INTERVAL '2' SECOND);

-- An interval join of each window's counts with its maximum. Equal end times are written as
-- a time bound of width 0 over the TUMBLE's window_end (closes): the TUMBLE's window_start
-- (MaxBids.endtime) compared with the HOP's window_end would be read as a window join of two
-- different windows (refused), and a bound on event-time columns lets the watermarks prune
-- both sides' state once a window has closed.
CREATE SINK q5 AS
SELECT AuctionBids.auction, AuctionBids.num
FROM q5_auction_bids AS AuctionBids
JOIN q5_max_bids AS MaxBids
  ON AuctionBids.starttime = MaxBids.starttime
 AND AuctionBids.endtime BETWEEN MaxBids.closes - INTERVAL '2' SECOND
                             AND MaxBids.closes - INTERVAL '2' SECOND
 AND AuctionBids.num >= MaxBids.maxn
INTO blackhole ();
