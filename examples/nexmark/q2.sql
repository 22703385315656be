-- Nexmark q2, selection: the bids of every 123rd auction.
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '1000000');

CREATE SINK q2 AS
SELECT auction, price
FROM bid
WHERE auction % 123 = 0
INTO blackhole ();
