-- Nexmark q11, user sessions: bids per bidder per session, a session ending after 10 s
-- without a bid from that bidder.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q11 AS
SELECT B.bidder, COUNT(*) AS bid_count,
       SESSION_START(B.date_time, INTERVAL '10' SECOND) AS starttime,
       SESSION_END(B.date_time, INTERVAL '10' SECOND) AS endtime
FROM bid B
GROUP BY B.bidder, SESSION(B.date_time, INTERVAL '10' SECOND)
INTO blackhole ();
